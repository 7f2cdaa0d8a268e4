// The output contract against the specification: the committed JSON Schema is the zod schema's, it
// has every field of the specification's Output Contract with its type, a real run's report validates
// against the committed file, and reports with a renamed field, a wrong type or an out-of-range score fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_SCHEMA_FILE, contractJsonSchema } from '../../common/contract-json-schema';
import { OutputContractSchema } from '../../common/output-contract';
import { jsonSchemaErrors } from '../helpers/json-schema-check';

type Json = Record<string, unknown>;
const ROOT = join(__dirname, '..', '..');
const committed: Json = JSON.parse(readFileSync(join(ROOT, CONTRACT_SCHEMA_FILE), 'utf8'));
// A real run's result: the demo run recorded in test/replay/histories, replayed through today's
// buildOutputContract (npm run record:demo-report rebuilds it).
const demo: Json = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/demo-report.json'), 'utf8'));

test('the committed JSON Schema is the one the zod schema generates', () => {
  assert.deepEqual(committed, contractJsonSchema(), `${CONTRACT_SCHEMA_FILE} is stale: run npm run schema:contract`);
});

// The specification's Output Contract, path by path ("[]": each element), with its JSON type.
const SPEC: [string, string][] = [
  ['orchestration_timestamp', 'string'],
  ['target_system', 'string'],
  ['optimization_scope', 'array'],
  ...['performance_targets', 'baseline_metrics'].flatMap((o): [string, string][] =>
    ['latency_p95_ms', 'latency_p99_ms', 'throughput_rps', 'error_rate_percent'].map((m) => [`${o}.${m}`, 'number']),
  ),
  ['bottlenecks_identified[].layer', 'string'],
  ['bottlenecks_identified[].component', 'string'],
  ['bottlenecks_identified[].metric', 'string'],
  ['bottlenecks_identified[].current_value', 'string'],
  ['bottlenecks_identified[].impact_score', 'number'],
  ['optimizations_implemented[].type', 'string'],
  ['optimizations_implemented[].description', 'string'],
  ['optimizations_implemented[].estimated_impact', 'string'],
  ['optimizations_implemented[].effort_days', 'number'],
  ['optimizations_implemented[].status', 'string'],
  ['validation_results.load_testing_completed', 'boolean'],
  ['validation_results.targets_met', 'boolean'],
  ...['latency_p95_reduction_percent', 'latency_p99_reduction_percent', 'throughput_increase_percent', 'error_rate_reduction_percent'].map(
    (m): [string, string] => [`validation_results.improvement_summary.${m}`, 'number'],
  ),
  ['monitoring_configured', 'boolean'],
  ['regression_prevention', 'boolean'],
  ['next_steps', 'array'],
  ['sources_consulted', 'array'],
];

/** The schema of a path, checking that each step is a required property. */
function schemaAt(path: string): Json {
  let s = committed;
  for (const step of path.split('.')) {
    const name = step.replace(/\[\]$/, '');
    const props = s.properties as Record<string, Json>;
    assert.ok(props?.[name], `${path}: no property ${name}`);
    assert.ok((s.required as string[]).includes(name), `${path}: ${name} is not required`);
    s = props[name];
    if (step.endsWith('[]')) s = s.items as Json;
  }
  return s;
}

test("the committed JSON Schema has every field of the specification's contract, required, with its type", () => {
  for (const [path, type] of SPEC) {
    const types = ([] as string[]).concat(schemaAt(path).type as string | string[]);
    assert.ok(types.includes(type), `${path}: ${types.join('|')} is not ${type}`);
  }
  const enumOf = (path: string) => schemaAt(path).enum as string[];
  const includes = (path: string, values: string[]) =>
    assert.ok(
      values.every((v) => enumOf(path).includes(v)),
      path,
    );
  includes('bottlenecks_identified[].layer', ['application', 'database', 'caching', 'infrastructure']);
  includes('bottlenecks_identified[].metric', ['latency', 'cpu', 'memory', 'iops']);
  includes('optimizations_implemented[].type', ['index', 'cache', 'code', 'infrastructure']);
  includes('optimizations_implemented[].status', ['completed', 'in-progress', 'planned']);
  const score = schemaAt('bottlenecks_identified[].impact_score');
  assert.deepEqual([score.minimum, score.maximum], [0, 100]);
  assert.equal(committed.additionalProperties, false);
});

test('a real run report validates against the committed JSON Schema and the zod schema', () => {
  assert.deepEqual(jsonSchemaErrors(committed, demo), []);
  OutputContractSchema.parse(demo);
  const sources = demo.sources_consulted as string[];
  assert.ok(
    sources.some((s) => s.startsWith('https://www.postgresql.org/docs/current/sql-createindex.html (accessed ')),
    sources.join('\n'),
  );
});

const clone = (): Json => structuredClone(demo);
const item = (r: Json) => (r.optimizations_implemented as Json[])[0];
const bottleneck = (r: Json) => (r.bottlenecks_identified as Json[])[0];
const rename = (o: Json, from: string, to: string) => {
  o[to] = o[from];
  delete o[from];
};

const MUTATIONS: [string, (r: Json) => void][] = [
  ['target_system renamed', (r) => rename(r, 'target_system', 'target_name')],
  ['performance_targets.latency_p95_ms renamed to p95_ms', (r) => rename(r.performance_targets as Json, 'latency_p95_ms', 'p95_ms')],
  ['baseline_metrics.error_rate_percent renamed', (r) => rename(r.baseline_metrics as Json, 'error_rate_percent', 'error_rate_pct')],
  ['an item without estimated_impact', (r) => rename(item(r), 'estimated_impact', 'estimated_gain')],
  ['target_system an object', (r) => void (r.target_system = { name: 'shop' })],
  ['monitoring_configured a list', (r) => void (r.monitoring_configured = [])],
  ['load_testing_completed a list', (r) => void ((r.validation_results as Json).load_testing_completed = ['baseline', 'after'])],
  ['effort_days a string', (r) => void (item(r).effort_days = '0.5')],
  ['an unbounded impact score', (r) => void (bottleneck(r).impact_score = 11241.2)],
  ['a negative impact score', (r) => void (bottleneck(r).impact_score = -1)],
  ["an item's impact score over 100", (r) => void (item(r).impact_score = 101)],
  ['an error rate over 100%', (r) => void ((r.baseline_metrics as Json).error_rate_percent = 150)],
  ['a status outside the list', (r) => void (item(r).status = 'applied')],
  ['estimated_impact without a percentage', (r) => void (item(r).estimated_impact = '25.8')],
  [
    'a source without its access date',
    (r) => void (r.sources_consulted = ['https://www.postgresql.org/docs/current/sql-createindex.html']),
  ],
];

test('reports with a renamed field, a wrong type or an out-of-range value fail the committed JSON Schema and the zod schema', () => {
  for (const [what, mutate] of MUTATIONS) {
    const r = clone();
    mutate(r);
    assert.notDeepEqual(jsonSchemaErrors(committed, r), [], `${what}: passed the JSON Schema`);
    assert.equal(OutputContractSchema.safeParse(r).success, false, `${what}: passed the zod schema`);
  }
});
