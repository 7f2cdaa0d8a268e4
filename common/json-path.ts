// The small JSON path of setup extraction: `$`, then `.name` or `[index]` steps
// ($.user.token, $.items[0].id, $.data["x-token"] is not supported: a name is letters, digits, _ $ -).

export type JsonPathStep = string | number;

const STEP = /^(?:\.([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d{1,6})\])/;
export const JSON_PATH_HELP = 'write a JSON path such as $.user.token or $.items[0].id ($, then .name or [index] steps)';

/** The steps of `path`, or a message saying why it is not one. */
export function parseJsonPath(path: string): JsonPathStep[] | string {
  if (!path.startsWith('$')) return `"${path}" does not start with $: ${JSON_PATH_HELP}`;
  const steps: JsonPathStep[] = [];
  let rest = path.slice(1);
  while (rest.length) {
    const m = STEP.exec(rest);
    if (!m) return `"${path}" is not understood at "${rest.slice(0, 20)}": ${JSON_PATH_HELP}`;
    steps.push(m[1] ?? Number(m[2]));
    rest = rest.slice(m[0].length);
  }
  if (steps.length > 32) return `"${path}" has more than 32 steps`;
  return steps;
}

/** The value at `steps` in `doc`, or undefined when a step finds nothing (own properties only). */
export function valueAt(doc: unknown, steps: readonly JsonPathStep[]): unknown {
  let v: unknown = doc;
  for (const s of steps) {
    if (typeof s === 'number') {
      if (!Array.isArray(v) || s >= v.length) return undefined;
      v = v[s];
    } else {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, s)) return undefined;
      v = (v as Record<string, unknown>)[s];
    }
  }
  return v;
}
