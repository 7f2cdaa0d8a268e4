// promtool unit tests of the generated SLO alerts, built from what the run measured (pure).
//
// How the measured window is stretched to the alerts' windows: each measured second becomes one
// sample interval of the series (1 minute: its requests and errors x60, the same rate per second),
// the seconds cycled in order until the series cover the longest window (3 days) plus 3 minutes.
// promtool evaluates the rules twice only, at the start and at the end (see ruleTestFile): evaluating
// them at every sample of 3 days took it over a minute a case. Each request is good or bad as the window's own HDR
// histogram says: the share of the window's requests at or under a latency SLO's bucket edge is
// applied to every sample. Errors are the load test's errors, each second's own, as status 500. A case
// may switch to a second behaviour for its last hours (a fix deployed then): the short windows see
// only the new behaviour, the long ones both, which is what tells the windows apart.
//
// The expectation of each alert is computed here from those raw series and the targets (the share of
// bad requests over each window against burn x budget), never from the generated rules: a rule with a
// wrong threshold, window or edge makes `promtool test rules` fail. An alert whose two possible window
// boundaries (the range's first sample in or out) give different answers, or that sits on its
// threshold, is too close to call: that case gets no alert test, and the note says so.
import {
  BURN_ALERT,
  BURN_WINDOWS,
  budgetOf,
  burnAlertGroupName,
  burnAnnotations,
  recordingGroupName,
  statusCountOf,
  type Slo,
  type SloSource,
} from './slo-rules';

export interface MeasuredBehaviour {
  /** What it is, e.g. "baseline (load test lt-1)". */
  name: string;
  /** Per measured second: answered requests, and of them errors. */
  requests: readonly number[];
  errors: readonly number[];
  /** Share (0-1) of the window's requests at or under each latency SLO's `le`. */
  shareAtOrUnder: Readonly<Record<string, number>>;
}

export const SAMPLE_MINUTES = 1;
/** Samples in each series: the 3-day window and three more. */
export const SERIES_SAMPLES = (3 * 24 * 60) / SAMPLE_MINUTES + 3;
const ROUTE = '/load';

const WINDOW_MINUTES: Record<string, number> = { '5m': 5, '30m': 30, '1h': 60, '2h': 120, '6h': 360, '1d': 1440, '3d': 4320 };

export interface AlertExpectation {
  slo: string;
  severity: string;
  long: string;
  short: string;
  threshold: number;
  ratioLong: number;
  ratioShort: number;
  fires: boolean;
}

/** One promtool test: a behaviour, and optionally another one for the last `lastMinutes` of the series. */
export interface RuleTestCase {
  name: string;
  behaviour: MeasuredBehaviour;
  then?: { behaviour: MeasuredBehaviour; lastMinutes: number };
}

interface Cumulative {
  ok: number[];
  err: number[];
  /** By le: good requests at or under it, ok and errors. */
  okUnder: Record<string, number[]>;
  errUnder: Record<string, number[]>;
}

function cumulative(tc: RuleTestCase, les: readonly string[]): Cumulative {
  for (const x of [tc.behaviour, tc.then?.behaviour])
    if (x && x.requests.length === 0) throw new RangeError(`${x.name}: no measured seconds`);
  // Samples after switchAt carry the new behaviour: lastMinutes / SAMPLE_MINUTES increments up to the last sample.
  const switchAt = tc.then ? SERIES_SAMPLES - 1 - Math.round(tc.then.lastMinutes / SAMPLE_MINUTES) : Infinity;
  const c: Cumulative = { ok: [0], err: [0], okUnder: {}, errUnder: {} };
  for (const le of les) {
    c.okUnder[le] = [0];
    c.errUnder[le] = [0];
  }
  const seconds = SAMPLE_MINUTES * 60;
  for (let m = 1; m < SERIES_SAMPLES; m++) {
    const b = m > switchAt ? tc.then!.behaviour : tc.behaviour;
    const i = (m - 1) % b.requests.length;
    const err = Math.max(0, Math.min(b.errors[i] ?? 0, b.requests[i])) * seconds;
    const ok = b.requests[i] * seconds - err;
    c.ok.push(c.ok[m - 1] + ok);
    c.err.push(c.err[m - 1] + err);
    for (const le of les) {
      const share = b.shareAtOrUnder[le] ?? 0;
      c.okUnder[le].push(c.okUnder[le][m - 1] + ok * share);
      c.errUnder[le].push(c.errUnder[le][m - 1] + err * share);
    }
  }
  return c;
}

/** The share of bad requests between samples `from` and `to` (cumulative indices). */
function badRatio(c: Cumulative, slo: Slo, from: number, to: number): number {
  const total = c.ok[to] + c.err[to] - c.ok[from] - c.err[from];
  if (total <= 0) return NaN;
  if (slo.le === null) return (c.err[to] - c.err[from]) / total;
  const good = c.okUnder[slo.le][to] + c.errUnder[slo.le][to] - c.okUnder[slo.le][from] - c.errUnder[slo.le][from];
  return 1 - good / total;
}

/**
 * The sample increments a range of `minutes` holds at a sample: rate() sees the samples inside it, and
 * whether the one at its very start counts depends on the Prometheus version (closed before 3.0, open
 * since); both are returned when they differ.
 */
function incrementsIn(minutes: number): number[] {
  const k = Math.floor(minutes / SAMPLE_MINUTES);
  return minutes % SAMPLE_MINUTES === 0 ? [k, k - 1] : [k];
}

/** Whether each burn alert should fire at the last sample, from the raw series; null: too close to call. */
export function alertExpectations(tc: RuleTestCase, slos: readonly Slo[]): AlertExpectation[] | null {
  const c = cumulative(
    tc,
    slos.flatMap((s) => (s.le === null ? [] : [s.le])),
  );
  const at = SERIES_SAMPLES - 1;
  const out: AlertExpectation[] = [];
  for (const slo of slos) {
    for (const w of BURN_WINDOWS) {
      const threshold = w.burn * budgetOf(slo.objective);
      const ratios = (win: string): number[] => incrementsIn(WINDOW_MINUTES[win]).map((k) => badRatio(c, slo, at - k, at));
      const [long, short] = [ratios(w.long), ratios(w.short)];
      const answers = new Set(long.flatMap((l) => short.map((s) => l > threshold && s > threshold)));
      // At the threshold itself floating-point rounding (here and in Prometheus) decides: too close as well.
      const atThreshold = [...long, ...short].some((r) => Math.abs(r - threshold) <= 1e-9 * Math.max(1, threshold));
      if (answers.size > 1 || atThreshold) return null;
      out.push({ slo: slo.name, ...w, threshold, ratioLong: long[0], ratioShort: short[0], fires: [...answers][0] });
    }
  }
  return out;
}

const values = (xs: number[]): string => xs.map((x) => String(Number(x.toFixed(3)))).join(' ');

function labels(s: SloSource, extra: Record<string, string>): string {
  const all: Record<string, string> = { job: s.job, ...(s.routeLabel ? { [s.routeLabel]: ROUTE } : {}), ...extra };
  return `{${Object.entries(all)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}

function inputSeries(s: SloSource, c: Cumulative, les: readonly string[]): { series: string; values: string }[] {
  const hist = s.histogram.base;
  if (s.statusLabel) {
    const status = (code: string): Record<string, string> => ({ [s.statusLabel!]: code });
    const out = [
      { series: `${hist}_count${labels(s, status('200'))}`, values: values(c.ok) },
      { series: `${hist}_count${labels(s, status('500'))}`, values: values(c.err) },
    ];
    for (const le of les) {
      out.push({ series: `${hist}_bucket${labels(s, { ...status('200'), le })}`, values: values(c.okUnder[le]) });
      out.push({ series: `${hist}_bucket${labels(s, { ...status('500'), le })}`, values: values(c.errUnder[le]) });
    }
    return out;
  }
  // No status label: one series of all requests; a status counter of the service's own (if any) says which failed.
  const sum = (a: number[], b: number[]): number[] => a.map((x, i) => x + b[i]);
  const out = [{ series: `${hist}_count${labels(s, {})}`, values: values(sum(c.ok, c.err)) }];
  for (const le of les) out.push({ series: `${hist}_bucket${labels(s, { le })}`, values: values(sum(c.okUnder[le], c.errUnder[le])) });
  const counter = statusCountOf(s);
  if (counter)
    out.push(
      { series: `${counter.metric}${labels(s, { [counter.label]: '200' })}`, values: values(c.ok) },
      { series: `${counter.metric}${labels(s, { [counter.label]: '500' })}`, values: values(c.err) },
    );
  return out;
}

export interface RuleTestFile {
  file: Record<string, unknown>;
  /** Per case: its expectations, or null when too close to call (no alert test for it). */
  expectations: { name: string; alerts: AlertExpectation[] | null }[];
}

/** The promtool test file for the rules at `rulesPath`, one test per case. */
export function ruleTestFile(rulesPath: string, s: SloSource, slos: readonly Slo[], cases: readonly RuleTestCase[]): RuleTestFile {
  const les = slos.flatMap((x) => (x.le === null ? [] : [x.le]));
  const expectations = cases.map((tc) => ({ name: tc.name, alerts: alertExpectations(tc, slos) }));
  const tests = cases.map((tc, k) => {
    const alerts = expectations[k].alerts;
    const firing = (alerts ?? []).filter((a) => a.fires);
    const input = inputSeries(s, cumulative(tc, les), les);
    // promtool keeps the last of two series with the same labels, silently: a test on that would prove nothing.
    const names = input.map((x) => x.series);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new Error(`rule test ${tc.name}: input series ${twice} twice`);
    return {
      name: tc.name,
      interval: `${SAMPLE_MINUTES}m`,
      input_series: input,
      alert_rule_test: alerts
        ? [
            {
              eval_time: `${(SERIES_SAMPLES - 1) * SAMPLE_MINUTES}m`,
              alertname: BURN_ALERT,
              exp_alerts: firing.map((a) => {
                const slo = slos.find((x) => x.name === a.slo)!;
                const w = BURN_WINDOWS.find((x) => x.long === a.long)!;
                return {
                  exp_labels: { service: s.service, slo: a.slo, severity: a.severity, long: a.long, short: a.short },
                  exp_annotations: burnAnnotations(s.service, slo, w),
                };
              }),
            },
          ]
        : [],
    };
  });
  // The recording rules before the alerts at every step (promtool's default order is a Go map's, random):
  // otherwise an alert could read the ratios of the step before and the expectations would be a sample off.
  const group_eval_order = [recordingGroupName(s.service), burnAlertGroupName(s.service)];
  // One evaluation at the start and one at the end: the burn alerts have no `for`, so their state at
  // the end depends on that evaluation alone, and promtool does not evaluate every rule at every sample
  // (with 3-day windows that took it minutes).
  const evaluation_interval = `${(SERIES_SAMPLES - 1) * SAMPLE_MINUTES}m`;
  return { file: { rule_files: [rulesPath], evaluation_interval, group_eval_order, tests }, expectations };
}
