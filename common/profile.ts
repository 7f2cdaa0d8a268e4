// The target profile: what a user writes (YAML or JSON) to point perf-orchestrator at a service.
// It names secrets by environment variable only; activities resolve them on the worker.
import { z } from 'zod';
import { issueText } from './zod-issue-text';
import { printable } from './printable';
import { OUT_OF_RANGE, contactUrl, filePath, outOfRangeNumbers, pySpyIssues, sqlName } from './profile-checks';
import { controlInTemplate, invalidHeaderName, unsafeHeaderValue, unsafeRequestPath } from './request-text';
import { endpointSetupIssues, setupStepIssues, setupStepShape } from './setup-step';
import { PLACEHOLDER, placeholderIssues } from './template-placeholders';
import { DEFAULT_STRESS_MULTIPLIERS } from './stress';
import { DatabaseAdvisorSchema } from './profile-advisor';
import { CostsSchema } from './profile-costs';
import { NotifiersSchema, notifierHostIssues } from './notify/notifier-schema';
import { DEFAULT_FIXED_WARMUP_SECONDS, DEFAULT_STEADY_WARMUP, SteadyWarmupSchema } from './profile-warmup';

export const LAYERS = ['application', 'database', 'caching', 'infrastructure', 'network'] as const;
export type Layer = (typeof LAYERS)[number];

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable (e.g. SHOP_DATABASE_URL), never its value');

// A named template variable of an endpoint: drawn once per request, the same value everywhere it appears.
export const EndpointVariableSchema = z.union([
  z.strictObject({ int: z.tuple([z.number().int(), z.number().int()]) }), // random integer in [MIN, MAX]
  z.strictObject({ list: z.array(z.string()).min(1, 'list at least one value') }), // one item of the list
]);
export type EndpointVariable = z.infer<typeof EndpointVariableSchema>;

/**
 * Where an endpoint would put CR, LF, NUL or (in the path) whitespace on the wire: the path's literal
 * text, header names and values, and the values of named variables (they may land in headers).
 * Placeholders' values in the path are percent-encoded when they are sent (a space in them is fine, a control character is not).
 */
export function requestTextIssues(e: {
  path: string;
  headers?: Record<string, string>;
  variables?: Record<string, EndpointVariable>;
}): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const pathProblem = unsafeRequestPath(e.path.replace(PLACEHOLDER, '')) ?? controlInTemplate(e.path);
  if (pathProblem) issues.push({ path: ['path'], message: pathProblem });
  for (const [name, value] of Object.entries(e.headers ?? {})) {
    const problem = invalidHeaderName(name) ?? unsafeHeaderValue(value);
    if (problem) issues.push({ path: ['headers', name], message: problem });
  }
  for (const [name, v] of Object.entries(e.variables ?? {})) {
    if (!('list' in v)) continue;
    v.list.forEach((item, i) => {
      const problem = unsafeHeaderValue(item);
      if (problem) issues.push({ path: ['variables', name, 'list', i], message: problem });
    });
  }
  return issues;
}

export const EndpointSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, "-" or "_"'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    // Path relative to http.baseUrl. Templates: `{{int:MIN:MAX}}` (random integer), `{{pick:a|b|c}}`
    // (random item), `{{name}}` (a variable below), `{{env:NAME}}` (the worker's environment variable
    // NAME, resolved on the worker) and `{{setup.name}}` (a value http.setup extracted for this virtual
    // user), replaced for each request; also in headers and body.
    path: z.string().startsWith('/', 'must start with "/" (it is relative to http.baseUrl)'),
    weight: z.number().positive().default(1),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
    expectStatus: z.array(z.number().int().min(100).max(599)).default([200]),
    // An idempotent read whose answer may be served from a cache for a short time.
    cacheable: z.boolean().default(false),
    // Named variables, drawn once per request: e.g. {userId: {int: [1, 1000]}, sku: {list: ["a1", "b2"]}}.
    variables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are identifiers'), EndpointVariableSchema).optional(),
  })
  .superRefine((e, ctx) => {
    for (const issue of requestTextIssues(e)) ctx.addIssue({ code: 'custom', ...issue });
    const names = Object.keys(e.variables ?? {});
    const fields: Array<[Array<string>, string | undefined]> = [
      [['path'], e.path],
      [['body'], e.body],
      ...Object.entries(e.headers).map(([k, v]): [string[], string] => [['headers', k], v]),
    ];
    for (const [path, text] of fields) {
      if (text === undefined) continue;
      for (const message of placeholderIssues(text, names)) ctx.addIssue({ code: 'custom', path, message });
    }
  });
export type Endpoint = z.infer<typeof EndpointSchema>;

// A request each virtual user sends once before its load (log in), and the values it extracts.
export const SetupStepSchema = z.strictObject(setupStepShape).superRefine((s, ctx) => {
  for (const issue of requestTextIssues(s)) ctx.addIssue({ code: 'custom', ...issue });
});
export type SetupStep = z.infer<typeof SetupStepSchema>;

export const FeatureToggleSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/),
  // What the toggle fixes when switched to `enabledValue`; the analyzers match findings to it.
  fixes: z.enum(['n_plus_one', 'uncached_endpoint', 'hot_function']),
  // Endpoints (by name) the toggle helps; empty means all.
  endpoints: z.array(z.string()).default([]),
  // Toggle API, relative to http.baseUrl: GET <url> -> {"name": value, ...}; PUT <url>/<name> {"value": v}.
  url: z
    .string()
    .startsWith('/')
    .superRefine((url, ctx) => {
      const problem = unsafeRequestPath(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('/admin/toggles'),
  tokenEnv: envName.optional(),
  enabledValue: z.union([z.boolean(), z.number(), z.string()]).default(true),
  // Engineer-days the change takes; default: the effort table's feature_toggle row (common/rules/effort.ts).
  effortDays: z.number().positive().optional(),
});
export type FeatureToggle = z.infer<typeof FeatureToggleSchema>;

import { GateSchema, gateIssues } from './profile-gate';
import { ObservabilitySchema, observabilityHostIssues } from './profile-observability';

export const SloTargetsSchema = z.strictObject({
  p95Ms: z.number().positive(),
  p99Ms: z.number().positive(),
  throughputRps: z.number().positive(),
  errorRatePct: z.number().min(0).max(100).default(1),
  // Targets already met by the baseline: the run stops there (the specification's abort condition),
  // unless `continue` (analyze and tune anyway, e.g. for headroom or cost).
  whenMetAtBaseline: z.enum(['stop', 'continue']).optional(),
});
export type SloTargets = z.infer<typeof SloTargetsSchema>;

export const LoadSchema = z
  .strictObject({
    // Closed model: this many connections send back-to-back requests.
    concurrency: z.number().int().min(1).max(1000).default(16),
    durationSeconds: z.number().min(1).max(3600).default(10),
    // The fixed warm-up (seconds) of every test. Alone, it is the whole warm-up (as before load.warmup
    // existed); with load.warmup it is the least the warm-up of the baseline, after and peak tests lasts.
    warmupSeconds: z.number().min(0).max(600).optional(),
    // Warm up until the per-second throughput and p95 are steady (the default when neither this nor
    // warmupSeconds is set), at most maxSeconds: the baseline, after and peak tests.
    warmup: SteadyWarmupSchema.optional(),
    requestTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    soakSeconds: z
      .number()
      .min(1)
      .max(24 * 3600)
      .default(60),
    // The traffic model of the baseline (and after/peak/soak) tests. closed: `concurrency` virtual users
    // send back to back (with `thinkTimeMs` between a response and the next request); open: requests
    // arrive at `rateRps` (ramping from `rampFromRps` when set) whatever the answers' speed, latency is
    // measured from each request's intended send time, and arrivals finding every connection busy are
    // counted as dropped.
    model: z.enum(['closed', 'open']).default('closed'),
    thinkTimeMs: z.number().min(0).max(60_000).default(0),
    rateRps: z.number().positive().max(1_000_000).optional(),
    rampFromRps: z.number().min(0).max(1_000_000).optional(),
    // Open model: at most this many connections (default: enough for rateRps at twice targets.p99Ms).
    maxConnections: z.number().int().min(1).max(10_000).optional(),
    // Stress ramp: seconds per rate step (after a 1 s warm-up), and the multipliers of the measured
    // baseline-load throughput tried in order until the SLO breaks.
    stressStepSeconds: z.number().min(1).max(600).default(5),
    stressMultipliers: z
      .array(z.number().positive())
      .min(1)
      .default([...DEFAULT_STRESS_MULTIPLIERS]),
    // Soak: flag a leak above this RSS slope (least squares over the soak, after its first fifth), and a
    // p95 drift above this % between the first and last thirds.
    soakLeakMbPerMin: z.number().positive().default(2),
    soakP95DriftPct: z.number().positive().default(25),
    // Per-item validation of the changes cheap to undo (feature toggles): abPairs pairs of short load
    // blocks with the change and without it (0: none, each change is judged by the before/after), each
    // block abBlockSeconds long (default: durationSeconds, at most 5) after at most 1 s of warm-up.
    abPairs: z
      .number()
      .int()
      .min(0)
      .max(10)
      .refine((n) => n !== 1, 'one pair gives no interval: set at least 2, or 0 to measure every change before/after only')
      .optional(),
    abBlockSeconds: z.number().min(1).max(60).optional(),
    // Split every load test into this many shards, run side by side by the workers serving the
    // perf-loadgen task queue (on one or many machines); their histograms merge exactly.
    shards: z.number().int().min(1).max(64).default(1),
    // Per-endpoint attribution after the baseline and after the changes: each endpoint alone, one
    // request at a time, `requests` of them (at most maxSecondsPerEndpoint), between pg_stat_statements
    // snapshots of its own. Optional: the defaults (30 requests, 30 s) apply when it is absent.
    attribution: z
      .strictObject({
        enabled: z.boolean().default(true),
        requests: z.number().int().min(2).max(1000).default(30),
        maxSecondsPerEndpoint: z.number().min(1).max(300).default(30),
      })
      .optional(),
  })
  .superRefine((l, ctx) => {
    if (l.model === 'open' && l.rateRps === undefined) {
      ctx.addIssue({ code: 'custom', path: ['rateRps'], message: 'the open model needs rateRps (requests per second)' });
    }
    if (l.warmup && l.warmupSeconds !== undefined && l.warmupSeconds > l.warmup.maxSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['warmup', 'maxSeconds'],
        message: `the cap (${l.warmup.maxSeconds} s) is below load.warmupSeconds (${l.warmupSeconds} s, the least warm-up): raise it or lower warmupSeconds`,
      });
    }
  })
  .transform(({ warmupSeconds, warmup, ...rest }) => ({
    ...rest,
    warmupSeconds: warmupSeconds ?? DEFAULT_FIXED_WARMUP_SECONDS,
    // warmupSeconds alone keeps the fixed warm-up; neither: until steady.
    ...(warmup || warmupSeconds === undefined ? { warmup: warmup ?? { ...DEFAULT_STEADY_WARMUP } } : {}),
  }));
export type LoadConfig = z.infer<typeof LoadSchema>;

export { DatabaseAdvisorSchema, type DatabaseAdvisorProfile } from './profile-advisor';

export const TargetProfileSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'use 1-41 lower-case letters, digits or "-" (it becomes the workflow id perf-<name>)'),
    description: z.string().optional(),
    http: z.strictObject({
      baseUrl: contactUrl(/https?/, 'must be an absolute URL such as http://127.0.0.1:3100 (http or https, with a host)'),
      // Hosts load may be sent to. Defaults to the host of baseUrl; nothing else is ever targeted.
      allowedHosts: z
        .array(
          z
            .string()
            .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d+)?$/, 'a host name or IP address (optionally :port), no wildcard or URL'),
        )
        .default([]),
      endpoints: z.array(EndpointSchema).min(1, 'list at least one endpoint to load'),
      // Sent by each virtual user, in order, before its load; not counted in the figures.
      setup: z.array(SetupStepSchema).min(1).max(10, 'at most 10 setup steps').optional(),
    }),
    database: z
      .strictObject({
        urlEnv: envName,
        // Only statements touching these schemas are analyzed.
        schemas: z.array(sqlName).default(['public']),
        // The database-optimization-analyzer's thresholds (defaults: Dexter's anchors or stricter).
        advisor: DatabaseAdvisorSchema.default(DatabaseAdvisorSchema.parse({})),
        // The server's log on the worker's host (stderr format), read for the statements' real values
        // (log_min_duration_statement / auto_explain entries written during the load window). It must
        // be under a directory of the worker's PERF_DB_LOG_DIRS (default /var/log/postgresql).
        logFile: filePath.optional(),
      })
      .optional(),
    redis: z.strictObject({ urlEnv: envName }).optional(),
    process: z
      .strictObject({
        // The target's process on this host is found by the TCP port it listens on.
        port: z.number().int().min(1).max(65535).optional(),
        // Node.js targets: the inspector (node --inspect=HOST:PORT) to take a CPU profile and read the
        // event-loop delay through, e.g. http://127.0.0.1:9229. Its host must be an allowed host
        // (http.baseUrl's or http.allowedHosts): the inspector runs any code it is sent.
        inspectorUrl: contactUrl(
          /(https?|wss?)/,
          'must be an inspector URL such as http://127.0.0.1:9229 (start the service with node --inspect=127.0.0.1:9229)',
        ).optional(),
        // Python targets: a CPU profile with py-spy (sampling from outside; needs ptrace: root or
        // CAP_SYS_PTRACE) of the process listening on process.port and its workers, e.g. {} or { rate: 200 }.
        pySpy: z
          .strictObject({
            rate: z.number().int().min(1).max(1000).default(100), // samples per second per thread
          })
          .optional(),
      })
      .default({}),
    load: LoadSchema.default(LoadSchema.parse({})),
    // This profile's own bounds on a whole run; the worker's operator sets the ceilings
    // (PERF_MAX_RUN_SECONDS, PERF_MAX_RUN_REQUESTS): a profile may lower them, never raise them.
    limits: z
      .strictObject({
        // Load seconds across every phase the run may plan (warm-ups included).
        maxRunSeconds: z.number().int().min(1).optional(),
        // Requests across every load test of the run (warm-ups included); a test stops when they are spent.
        maxRunRequests: z.number().int().min(1).optional(),
      })
      .optional(),
    targets: SloTargetsSchema,
    // Optional cost inputs of the cost-performance summary (ROI): engineeringPerDay, infrastructurePerMonth, businessValuePerMonth.
    costs: CostsSchema.optional(),
    // The CI gate (perf-orch check): k6-style thresholds, the p95 ratio that fails, what to compare with.
    gate: GateSchema.optional(),
    // Where escalations, failed checks and rollbacks are sent (common/notify/notifier-schema.ts).
    notifiers: NotifiersSchema.optional(),
    // The monitoring the target already has (common/profile-observability.ts).
    observability: ObservabilitySchema.optional(),
    scope: z.array(z.enum(LAYERS)).min(1).default(['application', 'database', 'caching']),
    actions: z
      .strictObject({
        featureToggles: z.array(FeatureToggleSchema).default([]),
        createIndexes: z.boolean().default(true),
        lockTimeoutMs: z.number().int().min(100).max(60_000).default(2_000),
        statementTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(600_000),
        // by-priority (the default): high, then medium, then low, with a brief check between that stops
        // when the targets are met; all-at-once: every approved change in one go.
        stages: z.enum(['by-priority', 'all-at-once']).optional(),
      })
      .default({ featureToggles: [], createIndexes: true, lockTimeoutMs: 2_000, statementTimeoutMs: 600_000 }),
  })
  .superRefine((p, ctx) => {
    for (const issue of gateIssues(p)) ctx.addIssue({ code: 'custom', ...issue });
    for (const issue of outOfRangeNumbers(p)) ctx.addIssue({ code: 'custom', ...issue, params: { kind: OUT_OF_RANGE } });
    // Every field is checked, the broken ones too: parse only what parses.
    const inspectorUrl = p.process?.inspectorUrl;
    const inspector = typeof inspectorUrl === 'string' && URL.canParse(inspectorUrl) ? new URL(inspectorUrl).hostname : null;
    if (inspector && URL.canParse(p.http.baseUrl) && !hostAllowed(p, inspector)) {
      ctx.addIssue({
        code: 'custom',
        path: ['process', 'inspectorUrl'],
        message: `host ${inspector} is neither http.baseUrl's host nor in http.allowedHosts (the inspector runs any code it is sent)`,
      });
    }
    for (const issue of pySpyIssues(p)) ctx.addIssue({ code: 'custom', ...issue });
    const notify = URL.canParse(p.http.baseUrl) ? notifierHostIssues(p.notifiers, (h) => hostAllowed(p, h)) : [];
    for (const issue of notify) ctx.addIssue({ code: 'custom', ...issue });
    const monitoring = URL.canParse(p.http.baseUrl) ? observabilityHostIssues(p.observability, (h) => hostAllowed(p, h)) : [];
    for (const issue of monitoring) ctx.addIssue({ code: 'custom', ...issue });
    for (const issue of [...setupStepIssues(p.http.setup ?? []), ...endpointSetupIssues(p)]) ctx.addIssue({ code: 'custom', ...issue });
    const names = new Set(p.http.endpoints.map((e) => e.name));
    if (names.size !== p.http.endpoints.length) {
      ctx.addIssue({ code: 'custom', path: ['http', 'endpoints'], message: 'endpoint names must be unique' });
    }
    p.actions.featureToggles.forEach((t, i) => {
      for (const e of t.endpoints) {
        if (!names.has(e)) {
          ctx.addIssue({
            code: 'custom',
            path: ['actions', 'featureToggles', i, 'endpoints'],
            message: `unknown endpoint "${e}"; known: ${[...names].join(', ')}`,
          });
        }
      }
    });
  });
export type TargetProfile = z.infer<typeof TargetProfileSchema>;

export class ProfileError extends Error {}

/** Parses an already-loaded object; throws ProfileError naming each wrong field. */
export function parseTargetProfile(raw: unknown, source = 'profile'): TargetProfile {
  const result = TargetProfileSchema.safeParse(raw);
  if (result.success) return result.data;
  const at = (i: z.core.$ZodIssue) => (i.path.length ? i.path.join('.') : '(root)');
  const issues = result.error.issues.filter(
    (i) => !(i.code === 'custom' && i.params?.kind === OUT_OF_RANGE && result.error.issues.some((o) => o !== i && at(o) === at(i))),
  );
  // Keys and values come from the file: shown escaped, a CR or an escape sequence cannot rewrite the terminal.
  const lines = issues.map((i) => `  - ${printable(at(i))}: ${printable(issueText(TargetProfileSchema, i))}`);
  throw new ProfileError(`Invalid target profile ${printable(source)}:\n${lines.join('\n')}`);
}

/** Hosts the load generator may contact: the base URL's host plus http.allowedHosts. */
export function allowedHosts(profile: Pick<TargetProfile, 'http'>): string[] {
  return [new URL(profile.http.baseUrl).hostname, ...profile.http.allowedHosts];
}

/** `[::1]` -> `::1`, `Example.COM.` -> `example.com`; an allowedHosts entry may carry a port (`host:8080`, `[::1]:8080`). */
export function normalizeHost(host: string): string {
  const h = host.trim().toLowerCase();
  const bare = /^\[([^\]]+)\](?::\d+)?$/.exec(h)?.[1] ?? /^([^:]+):\d+$/.exec(h)?.[1] ?? h;
  return bare.replace(/\.$/, '');
}

/** Whether the profile lets a request go to `hostname` (the one allowed-host rule; activities/http enforces it). */
export function hostAllowed(profile: Pick<TargetProfile, 'http'>, hostname: string): boolean {
  return allowedHosts(profile).map(normalizeHost).includes(normalizeHost(hostname));
}
