// Validates an OpenTelemetry Collector config as the Collector would before it starts, as far as a file
// can be checked without it: each component's settings against the component's published config schema
// (test/fixtures/otelcol-config-schemas, see SOURCE.md there), unknown keys refused (the Collector decodes
// strictly), and the service's pipelines: every id is <type>[/<name>] of a component defined in its
// section (by its type or the older name it still accepts), each component supports the pipeline's
// signal (its metadata.yaml), and, a lint of ours (the Collector only ignores them), every defined one is used.
// The schemas' own conventions: a $ref is a local $defs name, ./dir.name, /dir.name or
// go.opentelemetry.io/collector/dir.name; format duration is Go's time.Duration text.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import YAML from 'yaml';

type Schema = { [k: string]: unknown };
type At = { schema: Schema; dir: string };

const ROOT = join(__dirname, '..', 'fixtures', 'otelcol-config-schemas');
const SECTIONS = { receivers: 'receiver', processors: 'processor', exporters: 'exporter' } as const;
const SIGNALS = ['traces', 'metrics', 'logs', 'profiles'];
const GO_DURATION = /^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$/;

const files = new Map<string, Schema | null>();
function schemaFile(dir: string): Schema | null {
  if (!files.has(dir)) {
    const f = join(ROOT, dir, 'config.schema.yaml');
    files.set(dir, existsSync(f) ? (YAML.parse(readFileSync(f, 'utf8')) as Schema) : null);
  }
  return files.get(dir)!;
}

/** The components whose metadata.yaml is vendored: class -> type -> { dir, signals }. */
function components(): Record<string, Record<string, { dir: string; signals: string[] }>> {
  const out: Record<string, Record<string, { dir: string; signals: string[] }>> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(ROOT, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(join(ROOT, r)).isDirectory()) walk(r);
      else if (name === 'metadata.yaml') {
        const m = YAML.parse(readFileSync(join(ROOT, r), 'utf8')) as {
          type: string;
          deprecated_type?: string;
          status: { class: string; stability: Record<string, string[]> };
        };
        const component = { dir: rel, signals: Object.values(m.status.stability).flat() };
        for (const type of [m.type, m.deprecated_type]) if (type) (out[m.status.class] ??= {})[type] = component;
      }
    }
  };
  walk('');
  return out;
}

function resolveRef(ref: string, from: string, unresolved: Set<string>): At | null {
  let dir = from;
  let name = ref;
  if (ref.includes('/') || ref.includes('.')) {
    const dot = ref.lastIndexOf('.');
    const path = ref.slice(0, dot);
    name = ref.slice(dot + 1);
    if (path.startsWith('./')) dir = posix.normalize(`${from}/${path.slice(2)}`);
    else if (path.startsWith('/')) dir = path.slice(1);
    else if (path.startsWith('go.opentelemetry.io/collector/')) dir = path.slice('go.opentelemetry.io/collector/'.length);
    else dir = path;
  }
  const def = (schemaFile(dir)?.$defs as Record<string, Schema> | undefined)?.[name];
  if (!def) unresolved.add(`${ref} (from ${from})`);
  return def ? { schema: def, dir } : null;
}

/** The node, what its $ref points to and its allOf members, recursively: the schemas a value must satisfy together. */
function expand(at: At, unresolved: Set<string>): At[] {
  const out: At[] = [at];
  const ref = at.schema.$ref;
  if (typeof ref === 'string') {
    const target = resolveRef(ref, at.dir, unresolved);
    if (target) out.push(...expand(target, unresolved));
  }
  for (const member of (at.schema.allOf as Schema[] | undefined) ?? []) out.push(...expand({ schema: member, dir: at.dir }, unresolved));
  return out;
}

const TYPE_CHECK: Record<string, (v: unknown) => boolean> = {
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  array: Array.isArray,
  string: (v) => typeof v === 'string',
  integer: Number.isInteger,
  number: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
};

function validateValue(value: unknown, at: At, path: string, errors: string[], unresolved: Set<string>): void {
  if (value === null || value === undefined) return; // an empty key is the component's default
  const nodes = expand(at, unresolved);
  for (const { schema } of nodes) {
    const type = schema.type as string | undefined;
    if (type && TYPE_CHECK[type] && !TYPE_CHECK[type](value)) errors.push(`${path}: must be ${type}, is ${JSON.stringify(value)}`);
    if (schema.format === 'duration' && typeof value === 'string' && !GO_DURATION.test(value))
      errors.push(`${path}: "${value}" is not a duration (Go syntax: 5s, 1m30s, 200ms)`);
    if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${path}: must be one of ${JSON.stringify(schema.enum)}`);
  }
  if (TYPE_CHECK.array(value)) {
    const items = nodes.find((n) => n.schema.items);
    if (items)
      (value as unknown[]).forEach((v, i) =>
        validateValue(v, { schema: items.schema.items as Schema, dir: items.dir }, `${path}[${i}]`, errors, unresolved),
      );
    return;
  }
  if (!TYPE_CHECK.object(value)) return;
  const props = new Map<string, At>();
  for (const n of nodes)
    for (const [k, s] of Object.entries((n.schema.properties as Record<string, Schema>) ?? {})) props.set(k, { schema: s, dir: n.dir });
  const extra = nodes.find((n) => n.schema.additionalProperties);
  const opaque = props.size === 0 && !extra; // a schema that lists no keys leaves them to the component
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = props.get(k);
    if (p) validateValue(v, p, `${path}.${k}`, errors, unresolved);
    else if (extra && typeof extra.schema.additionalProperties === 'object')
      validateValue(v, { schema: extra.schema.additionalProperties as Schema, dir: extra.dir }, `${path}.${k}`, errors, unresolved);
    else if (!opaque && !extra) errors.push(`${path}: unknown key "${k}" (known: ${[...props.keys()].sort().join(', ')})`);
  }
}

export interface CollectorConfigVerdict {
  errors: string[];
  /** Schema references the vendored schemas do not resolve (the value there was not checked). */
  unresolved: string[];
}

export function validateCollectorConfig(config: unknown): CollectorConfigVerdict {
  const errors: string[] = [];
  const unresolved = new Set<string>();
  if (!TYPE_CHECK.object(config)) return { errors: ['the config is not a mapping'], unresolved: [] };
  const c = config as Record<string, Record<string, unknown> | undefined>;
  for (const k of Object.keys(c))
    if (!['receivers', 'processors', 'exporters', 'extensions', 'connectors', 'service'].includes(k))
      errors.push(`unknown top-level key "${k}"`);
  const known = components();
  const defined = new Map<string, { section: string; signals: string[] }>();
  for (const [section, cls] of Object.entries(SECTIONS)) {
    for (const [id, settings] of Object.entries(c[section] ?? {})) {
      const type = id.split('/')[0];
      const component = known[cls]?.[type];
      if (!component) {
        errors.push(
          `${section}.${id}: no ${cls} of type "${type}" among the vendored components (${Object.keys(known[cls] ?? {}).join(', ')})`,
        );
        continue;
      }
      defined.set(`${section}:${id}`, { section, signals: component.signals });
      validateValue(settings, { schema: schemaFile(component.dir)!, dir: component.dir }, `${section}.${id}`, errors, unresolved);
    }
  }
  const service = c.service as { pipelines?: Record<string, Record<string, unknown>> } | undefined;
  const pipelines = Object.entries(service?.pipelines ?? {});
  if (pipelines.length === 0) errors.push('service.pipelines: none defined (the Collector refuses a config without pipelines)');
  const used = new Set<string>();
  for (const [id, p] of pipelines) {
    const signal = id.split('/')[0];
    if (!SIGNALS.includes(signal)) errors.push(`service.pipelines.${id}: "${signal}" is not a signal (${SIGNALS.join(', ')})`);
    for (const k of Object.keys(p))
      if (!['receivers', 'processors', 'exporters'].includes(k)) errors.push(`service.pipelines.${id}: unknown key "${k}"`);
    for (const section of ['receivers', 'processors', 'exporters']) {
      const ids = (p[section] as string[] | undefined) ?? [];
      if (section !== 'processors' && ids.length === 0) errors.push(`service.pipelines.${id}.${section}: at least one is required`);
      for (const ref of ids) {
        const d = defined.get(`${section}:${ref}`);
        used.add(`${section}:${ref}`);
        if (!d) errors.push(`service.pipelines.${id}.${section}: "${ref}" is not defined under ${section}`);
        else if (!d.signals.includes(signal)) errors.push(`service.pipelines.${id}.${section}: "${ref}" does not support ${signal}`);
      }
    }
  }
  for (const key of defined.keys()) if (!used.has(key)) errors.push(`${key.replace(':', '.')}: defined but in no pipeline`);
  return { errors, unresolved: [...unresolved] };
}
