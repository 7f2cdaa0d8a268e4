// Prometheus's HTTP API (v1), as the observability skill reads it: instant and range queries, the
// scrape targets, the metric names and label names of a job. Every request passes the one allowed-host
// check; the bearer token (observability.tokenEnv) is resolved here, on the worker, and sent only to
// that host. Answers that say the query is wrong are final; network errors and 5xx are worth a retry.
import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import type { TargetProfile } from '../../common/profile';
import type { ActivityDeps } from '../deps';
import { assertAllowedHost } from '../http/allowed-host';

export const PROMETHEUS_TIMEOUT_MS = 15_000;

export interface ScrapeTarget {
  job: string;
  instance: string;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  /** The job's scrape interval; null when this Prometheus does not say (before 2.35). */
  scrapeIntervalSeconds: number | null;
}

export interface Sample {
  labels: Record<string, string>;
  value: number; // NaN when Prometheus answers NaN (e.g. a quantile of no requests)
}

export interface Series {
  labels: Record<string, string>;
  points: [number, number][]; // [unix seconds, value]
}

export interface RuleGroupState {
  name: string;
  file: string;
  rules: { name: string; type: 'alerting' | 'recording'; health: 'ok' | 'err' | 'unknown'; lastError: string }[];
}

export interface PrometheusApi {
  baseUrl: string;
  query(expr: string, atSeconds?: number): Promise<Sample[]>;
  queryRange(expr: string, startSeconds: number, endSeconds: number, stepSeconds: number): Promise<Series[]>;
  targets(): Promise<ScrapeTarget[]>;
  /** Metric names with at least one series matching `selector` (e.g. {job="shop"}) in the last hours. */
  metricNames(selector: string): Promise<string[]>;
  /** Label names of the series matching `selector`. */
  labelNames(selector: string): Promise<string[]>;
  /** The rule groups Prometheus has loaded, with each rule's health. */
  ruleGroups(): Promise<RuleGroupState[]>;
  /** Makes Prometheus read its configuration and rule files again (POST /-/reload). */
  reload(): Promise<void>;
}

/** The first sample's value of `expr` at `atSeconds`; null for no expression, no sample or NaN. */
export async function scalarAt(api: PrometheusApi, expr: string | null, atSeconds: number): Promise<number | null> {
  if (!expr) return null;
  const [s] = await api.query(expr, atSeconds);
  return s && Number.isFinite(s.value) ? s.value : null;
}

type Json = { status: 'success' | 'error'; data?: unknown; error?: string; errorType?: string };

const num = (v: string): number => (v === 'NaN' ? NaN : Number(v));

/** The profile's Prometheus, or an error naming the profile field when it has none. */
export function prometheusFor(target: TargetProfile, deps: Pick<ActivityDeps, 'connections' | 'policy'>): PrometheusApi {
  const o = target.observability;
  if (!o) throw ApplicationFailure.nonRetryable(`target ${target.name} names no Prometheus (observability.prometheusUrl)`, 'BadProfile');
  const base = assertAllowedHost(target, o.prometheusUrl, 'a Prometheus query', deps.policy).href.replace(/\/+$/, '');
  const token = o.tokenEnv
    ? deps.connections.resolveSecret(target, o.tokenEnv, `observability.tokenEnv of target ${target.name}`, 'token')
    : null;
  return prometheusApi(base, token);
}

export function prometheusApi(baseUrl: string, token: string | null = null): PrometheusApi {
  const get = async (path: string, params: Record<string, string | string[]>): Promise<unknown> => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
    const url = `${baseUrl}${path}?${q}`;
    let status: number;
    let body: Json;
    try {
      const res = await request(url, {
        method: 'GET',
        headers: token ? { authorization: `Bearer ${token}` } : {},
        headersTimeout: PROMETHEUS_TIMEOUT_MS,
        bodyTimeout: PROMETHEUS_TIMEOUT_MS,
      });
      status = res.statusCode;
      const text = await res.body.text();
      body = (text.startsWith('{') ? JSON.parse(text) : { status: 'error', error: text.slice(0, 200) }) as Json;
    } catch (err) {
      throw ApplicationFailure.retryable(
        `Prometheus at ${baseUrl} did not answer ${path}: ${(err as Error).message}`,
        'PrometheusUnavailable',
      );
    }
    if (status === 200 && body.status === 'success') return body.data;
    const why = `Prometheus at ${baseUrl} answered ${status} to ${path}: ${body.errorType ?? ''} ${body.error ?? ''}`.trim();
    if (status >= 500 || status === 429) throw ApplicationFailure.retryable(why, 'PrometheusUnavailable');
    if (status === 401 || status === 403) {
      throw ApplicationFailure.nonRetryable(`${why}; check the token named by observability.tokenEnv`, 'PrometheusRefused');
    }
    throw ApplicationFailure.nonRetryable(why, 'PrometheusRefused');
  };
  return {
    baseUrl,
    async query(expr, atSeconds) {
      const data = (await get('/api/v1/query', { query: expr, ...(atSeconds ? { time: String(atSeconds) } : {}) })) as {
        resultType: string;
        result: { metric: Record<string, string>; value: [number, string] }[] | [number, string];
      };
      if (data.resultType === 'scalar') return [{ labels: {}, value: num((data.result as [number, string])[1]) }];
      return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
        labels: r.metric,
        value: num(r.value[1]),
      }));
    },
    async queryRange(expr, start, end, step) {
      const data = (await get('/api/v1/query_range', { query: expr, start: String(start), end: String(end), step: String(step) })) as {
        result: { metric: Record<string, string>; values: [number, string][] }[];
      };
      return data.result.map((r) => ({ labels: r.metric, points: r.values.map(([t, v]): [number, number] => [t, num(v)]) }));
    },
    async targets() {
      const data = (await get('/api/v1/targets', { state: 'active' })) as {
        activeTargets: {
          labels: Record<string, string>;
          scrapeUrl: string;
          health: ScrapeTarget['health'];
          lastError: string;
          scrapeInterval?: string;
        }[];
      };
      return data.activeTargets.map((t) => ({
        job: t.labels.job ?? '',
        instance: t.labels.instance ?? '',
        scrapeUrl: t.scrapeUrl,
        health: t.health,
        lastError: t.lastError,
        scrapeIntervalSeconds: t.scrapeInterval ? durationSeconds(t.scrapeInterval) : null,
      }));
    },
    async metricNames(selector) {
      return (await get('/api/v1/label/__name__/values', { 'match[]': selector })) as string[];
    },
    async labelNames(selector) {
      return (await get('/api/v1/labels', { 'match[]': selector })) as string[];
    },
    ruleGroups: async () => ruleGroupsOf((await get('/api/v1/rules', {})) as RulesJson),
    reload: () => reload(baseUrl, token),
  };
}

/** Seconds of a Prometheus duration such as 15s, 1m30s or 500ms; null when it is not one. */
export function durationSeconds(text: string): number | null {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return null;
  return parts.reduce((sum, [, n, u]) => sum + Number(n) * units[u], 0);
}

type RulesJson = { groups: { name: string; file: string; rules: { name: string; type: string; health: string; lastError?: string }[] }[] };

function ruleGroupsOf(data: RulesJson): RuleGroupState[] {
  return data.groups.map((g) => ({
    name: g.name,
    file: g.file,
    rules: g.rules.map((r) => ({
      name: r.name,
      type: r.type === 'alerting' ? 'alerting' : 'recording',
      health: r.health === 'ok' || r.health === 'err' ? r.health : 'unknown',
      lastError: r.lastError ?? '',
    })),
  }));
}

async function reload(baseUrl: string, token: string | null): Promise<void> {
  let status: number;
  let text: string;
  try {
    const res = await request(`${baseUrl}/-/reload`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      headersTimeout: PROMETHEUS_TIMEOUT_MS,
      bodyTimeout: PROMETHEUS_TIMEOUT_MS,
    });
    status = res.statusCode;
    text = (await res.body.text()).trim().slice(0, 300);
  } catch (err) {
    throw ApplicationFailure.retryable(
      `Prometheus at ${baseUrl} did not answer /-/reload: ${(err as Error).message}`,
      'PrometheusUnavailable',
    );
  }
  if (status === 200) return;
  const why = `Prometheus at ${baseUrl} answered ${status} to POST /-/reload: ${text}`;
  // "failed to reload config": a file it cannot load (ours was checked by promtool; another one of the directory?).
  if (status >= 500 && !/lifecycle|reload/i.test(text)) throw ApplicationFailure.retryable(why, 'PrometheusUnavailable');
  // 403 "Lifecycle API is not enabled", or a configuration it cannot load: retrying changes neither.
  throw ApplicationFailure.nonRetryable(
    /lifecycle/i.test(text) ? `${why}; start Prometheus with --web.enable-lifecycle so that rule files can be reloaded` : why,
    'PrometheusRefused',
  );
}
