// YAML text with comments from plain objects: a header, and a comment before chosen nodes. Stable
// output (key order as built, no line folding) so a regenerated file diffs cleanly.
import YAML from 'yaml';

export interface Commented {
  path: (string | number)[];
  comment: string;
}

export function yamlText(value: unknown, header: string[], comments: Commented[]): string {
  const doc = new YAML.Document(value);
  doc.commentBefore = commentLines(header.join('\n'));
  for (const c of comments) {
    const node = commentable(doc, c.path);
    node.commentBefore = commentLines(c.comment);
    // A blank line before a sequence item; before a nested key it would be printed with the indentation's spaces.
    if (typeof c.path.at(-1) === 'number' || c.path.length === 1) node.spaceBefore = true;
  }
  return doc.toString({ lineWidth: 0, nullStr: '' });
}

/** "# text" lines; an empty line stays a comment line ("#"), so a block is not split by blank lines. */
function commentLines(text: string): string {
  return text
    .split('\n')
    .map((l) => ` ${l}`.trimEnd() || ' ')
    .join('\n');
}

/** The node a comment goes before: a sequence item, or the key of a map entry (so it comes before `key:`). */
function commentable(doc: YAML.Document, path: (string | number)[]): YAML.Node {
  const last = path.at(-1);
  if (typeof last === 'number') {
    const item = doc.getIn(path, true);
    if (YAML.isNode(item)) return item;
  } else {
    const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
    const pair = YAML.isMap(parent) ? parent.items.find((p) => YAML.isScalar(p.key) && p.key.value === last) : undefined;
    if (pair && YAML.isScalar(pair.key)) return pair.key;
  }
  throw new Error(`no YAML node at ${path.join('.')}`);
}
