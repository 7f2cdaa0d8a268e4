// A small JSON Schema (draft 2020-12) checker for the keywords the committed output-contract schema
// uses (type, properties, required, additionalProperties, items, enum, const, anyOf, minimum, maximum,
// minLength, pattern): the tests validate reports against the committed file itself, not only the
// zod schema it was generated from. An unknown keyword throws, so the checker never passes silently.
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', 'title', 'description']);
const KNOWN = new Set([
  ...ANNOTATIONS,
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'minimum',
  'maximum',
  'minLength',
  'pattern',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

/** Every violation of `schema` by `value`, as "path: what"; [] when it validates. */
export function jsonSchemaErrors(schema: Schema, value: unknown, path = '$'): string[] {
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Error(`${path}: the checker does not know the keyword ${k}`);
  if (schema.anyOf) {
    const branches = (schema.anyOf as Schema[]).map((s) => jsonSchemaErrors(s, value, path));
    return branches.some((e) => e.length === 0) ? [] : [`${path}: matches no anyOf branch (${branches.map((e) => e[0]).join('; ')})`];
  }
  const types = schema.type === undefined ? [] : ([] as string[]).concat(schema.type as string | string[]);
  if (types.length && !types.some((t) => typeMatches(value, t))) return [`${path}: expected ${types.join('|')}, got ${typeOf(value)}`];
  const errors: string[] = [];
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) errors.push(`${path}: ${JSON.stringify(value)} is not one of the enum`);
  if ('const' in schema && schema.const !== value) errors.push(`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${path}: ${value} < minimum ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${path}: ${value} > maximum ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
      errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    }
  }
  if (Array.isArray(value) && schema.items)
    value.forEach((v, i) => errors.push(...jsonSchemaErrors(schema.items as Schema, v, `${path}[${i}]`)));
  if (typeOf(value) === 'object') errors.push(...objectErrors(schema, value as Record<string, unknown>, path));
  return errors;
}

function objectErrors(schema: Schema, value: Record<string, unknown>, path: string): string[] {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const errors = ((schema.required ?? []) as string[]).filter((k) => !(k in value)).map((k) => `${path}.${k}: required`);
  for (const [k, v] of Object.entries(value)) {
    if (props[k]) errors.push(...jsonSchemaErrors(props[k], v, `${path}.${k}`));
    else if (schema.additionalProperties === false) errors.push(`${path}.${k}: not allowed (additionalProperties: false)`);
  }
  return errors;
}
