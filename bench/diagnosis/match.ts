// Pure: the expected findings of the blog fixture against what the tool reported -> found / partly / missed,
// with the tool's figures beside the expected ones.
import type { BlogExpected } from '../../demo/blog/expected-findings';
import type { Finding, StatementStat } from '../../common/types';

export type Status = 'found' | 'partly' | 'missed';

export interface MatchRow {
  kind: 'statements/request' | 'N+1' | 'index' | 'rewrite';
  id: string;
  status: Status;
  expected: string;
  tool: string;
}

export interface ToolOutput {
  findings: Finding[];
  /** pg_stat_statements of the profiling window (averaged over the whole mix). */
  statements: StatementStat[];
  /** The profiling and analysis results whole: searched for per-endpoint figures. */
  results: unknown;
}

/** How each rewrite's proposal is recognised in a finding's text (the rewritten SQL's gist). */
const REWRITE_GIST: Record<string, RegExp> = {
  'rw-articles-count': /count\(\*\)/i,
  'rw-archive-keyset': /keyset|"?id"?\s*>\s*\$\d/i,
  'rw-views-year': /viewed_at\W{0,3}>=\s*make_timestamptz/i,
  'rw-newsletters-wide': /does not use html.*select the other columns/i,
};

function text(f: Finding): string {
  return JSON.stringify({ title: f.title, evidence: f.evidence, action: f.action });
}

/** A statement pattern matched against the normalized texts a finding quotes (JSON escapes undone). */
function quotes(f: Finding, pattern: string): boolean {
  const re = new RegExp(pattern, 'i');
  const texts = [f.title, ...f.evidence, ...(f.action.type === 'manual' ? f.action.steps : [])];
  const plain = texts.map((t) => t.replace(/^statement: /, '').replace(/ \(and \d+ more statement texts.*$/, ''));
  const verify = f.action.type === 'create_index' ? (f.action.verifyQueries ?? []) : [];
  return [...plain, ...verify].some((t) => re.test(t) || re.test(t.replace(/…$/, '')));
}

function namesEndpoint(f: Finding, endpoint: string): boolean {
  return new RegExp(String.raw`\bendpoints?\b[^.;]{0,40}\b${endpoint}\b`, 'i').test(text(f));
}

/** Per-endpoint statements/request anywhere in the results: an object naming the endpoint with a *statements*PerRequest number. */
export function toolStatementsPerRequest(results: unknown, endpoint: string): number | null {
  const seen = new Set<unknown>();
  const walk = (v: unknown): number | null => {
    if (!v || typeof v !== 'object' || seen.has(v)) return null;
    seen.add(v);
    const o = v as Record<string, unknown>;
    if (o.endpoint === endpoint || o.name === endpoint) {
      for (const [k, x] of Object.entries(o)) if (/statements\w*PerRequest/i.test(k) && typeof x === 'number') return x;
    }
    for (const x of Object.values(o)) {
      const r = walk(x);
      if (r !== null) return r;
    }
    return null;
  };
  return walk(results);
}

const r1 = (n: number) => Math.round(n * 10) / 10;

export function matchEndpoints(exp: BlogExpected, tool: ToolOutput, measured: Record<string, number>): MatchRow[] {
  return exp.endpoints.map((e) => {
    const t = toolStatementsPerRequest(tool.results, e.name);
    const status: Status =
      t === null ? 'missed' : Math.abs(t - e.statementsPerRequest) <= 0.05 * e.statementsPerRequest ? 'found' : 'partly';
    const m = measured[e.name];
    return {
      kind: 'statements/request',
      id: e.name,
      status,
      expected: `${e.statementsPerRequest} (by hand; pg_stat_statements diff: ${m === undefined ? 'not measured' : r1(m)})`,
      tool: t === null ? 'no per-endpoint figure' : String(r1(t)),
    };
  });
}

export function matchNPlusOne(exp: BlogExpected, tool: ToolOutput): MatchRow[] {
  return exp.nPlusOne.map((e) => {
    // A statement can be an N+1 on one endpoint and a single load on another: the finding of this endpoint first.
    const quoting = tool.findings.filter((x) => x.rootCause === 'n_plus_one' && quotes(x, e.statement));
    const f = quoting.find((x) => namesEndpoint(x, e.endpoint)) ?? quoting[0];
    const stat = tool.statements.find((s) => new RegExp(e.statement, 'i').test(s.query));
    const expected = `${e.callsPerRequest}/request of ${e.endpoint} (${e.shape})`;
    if (!f) {
      const seen = stat ? `not flagged; in the window at ${r1(stat.callsPerRequest)} calls/request over the mix` : 'not flagged';
      return { kind: 'N+1', id: e.id, status: 'missed', expected, tool: seen };
    }
    const cpr = /\(([\d.]+) calls per request\)/.exec(f.title)?.[1];
    const named = namesEndpoint(f, e.endpoint);
    return {
      kind: 'N+1',
      id: e.id,
      status: named ? 'found' : 'partly',
      expected,
      tool: `${f.id}: ${cpr ?? '?'} calls/request${named ? '' : ' over the mix, endpoint not named'}`,
    };
  });
}

export function matchIndexes(exp: BlogExpected, tool: ToolOutput): MatchRow[] {
  return exp.indexes.map((e) => {
    const onTable = tool.findings.filter((f) => f.action.type === 'create_index' && f.action.table === e.table);
    const cols = (f: Finding) => (f.action.type === 'create_index' ? f.action.columns.map((c) => `${c.name}${c.desc ? ' DESC' : ''}`) : []);
    const exact = onTable.find((f) => e.columns.every((c, i) => cols(f)[i]?.replace(/ DESC$/, '') === c));
    const f = exact ?? onTable[0];
    return {
      kind: 'index',
      id: e.id,
      status: exact ? 'found' : f ? 'partly' : 'missed',
      expected: `${e.table} (${e.columns.join(', ')})`,
      tool: f ? `${e.table} (${cols(f).join(', ')}), -${r1(f.estimatedLatencyReductionMs)} ms/request est.` : 'not proposed',
    };
  });
}

/**
 * The bar for a rewrite: a query_rewrite finding with the rewritten form, its measured saving
 * (before -> after ms with a percentage) and a proof on the real data. The reason a rewrite is equal
 * ("returns the same result because ...") is a claim, not a proof: alone it is partly.
 */
function complete(f: Finding, gist: RegExp | undefined): boolean {
  const t = text(f);
  const measured = /(before\s+[\d.]+\s*ms|[\d.]+\s*(ms\s*)?->\s*(after\s+)?[\d.]+\s*ms)/i.test(t) && /sav(ing|es)\b[^"]*?\d\s*%/i.test(t);
  const proven = /same result (on the real data|proven)|equal results? on the real data/i.test(t) && !/NOT the same result/.test(t);
  return f.rootCause === 'query_rewrite' && !!gist?.test(t) && measured && proven;
}

export function matchRewrites(exp: BlogExpected, tool: ToolOutput): MatchRow[] {
  return exp.rewrites.map((e) => {
    const about = tool.findings.filter((f) => f.rootCause !== 'n_plus_one' && f.action.type !== 'create_index' && quotes(f, e.statement));
    const gist = REWRITE_GIST[e.id];
    const f = about.find((x) => complete(x, gist)) ?? about.find((x) => gist?.test(text(x))) ?? about[0];
    const stat = tool.statements.find((s) => new RegExp(e.statement, 'i').test(s.query));
    return {
      kind: 'rewrite',
      id: e.id,
      status: f ? (complete(f, gist) ? 'found' : 'partly') : 'missed',
      expected: e.rewrite,
      tool: f ? `${f.id}: ${f.title}` : stat ? `not proposed; statement in the window, mean ${r1(stat.meanMs)} ms` : 'not proposed',
    };
  });
}

export function matchAll(exp: BlogExpected, tool: ToolOutput, measured: Record<string, number>): MatchRow[] {
  return [...matchEndpoints(exp, tool, measured), ...matchNPlusOne(exp, tool), ...matchIndexes(exp, tool), ...matchRewrites(exp, tool)];
}

export function formatRows(rows: MatchRow[]): string {
  const lines = rows.map(
    (r) => `${r.status.padEnd(7)} ${r.kind.padEnd(19)} ${r.id.padEnd(28)} expected: ${r.expected}\n${' '.repeat(57)}tool:     ${r.tool}`,
  );
  const count = (s: Status) => rows.filter((r) => r.status === s).length;
  return `${lines.join('\n')}\n\n${count('found')} found, ${count('partly')} partly, ${count('missed')} missed of ${rows.length} expected findings`;
}
