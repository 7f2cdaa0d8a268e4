// HTTP feature toggles of the target (the generic toggle protocol of common/profile.ts):
//   GET <baseUrl><url>         -> {"name": value, ...}
//   PUT <baseUrl><url>/<name>  body {"value": v} -> {"name", "value", "previous"}
//   Authorization: Bearer <token>, the token read from the env var the toggle's tokenEnv names.
// Errors: refused token / other 4xx / bad answers are non-retryable ApplicationFailures saying what to
// fix; 5xx and connection errors are plain (retryable) Errors. Only hosts of allowedHosts(target).
import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import type { FeatureToggle, TargetProfile } from '../../common/profile';
import { assertAllowedHost } from '../http/allowed-host';
import type { TargetConnections } from '../connections';
import type { OperatorPolicy } from '../../common/operator-policy';

type Hosts = Pick<OperatorPolicy, 'targetHosts'> | undefined;

export const TOGGLE_TIMEOUT_MS = 10_000;

export type ToggleValue = boolean | number | string;

/** The toggle's token from its tokenEnv (a missing env var is a non-retryable MissingSecret), or undefined. */
export function resolveToggleToken(connections: TargetConnections, target: TargetProfile, toggle: FeatureToggle): string | undefined {
  return toggle.tokenEnv
    ? connections.resolveSecret(target, toggle.tokenEnv, `tokenEnv of feature toggle ${toggle.name} of target ${target.name}`, 'token')
    : undefined;
}

function togglesUrl(target: TargetProfile, toggle: FeatureToggle): string {
  return target.http.baseUrl.replace(/\/+$/, '') + toggle.url;
}

/** The error text of a response body: its JSON `error`/`message` field, or the text, shortened. */
function errorText(body: string): string {
  try {
    const j = JSON.parse(body) as unknown;
    if (j && typeof j === 'object') {
      const o = j as Record<string, unknown>;
      const m = o.error ?? o.message ?? o.detail;
      if (typeof m === 'string' && m) return m.slice(0, 300);
    }
  } catch {
    /* not JSON */
  }
  const t = body.replace(/\s+/g, ' ').trim();
  return t ? t.slice(0, 300) : '(empty body)';
}

async function call(
  target: TargetProfile,
  toggle: FeatureToggle,
  token: string | undefined,
  method: 'GET' | 'PUT',
  url: string,
  body: unknown,
  policy: Hosts,
): Promise<unknown> {
  assertAllowedHost(target, url, 'a toggle request', policy);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let statusCode: number;
  let text: string;
  try {
    const res = await request(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: TOGGLE_TIMEOUT_MS,
      bodyTimeout: TOGGLE_TIMEOUT_MS,
    });
    statusCode = res.statusCode;
    text = await res.body.text();
  } catch (err) {
    const e = err as Error & { code?: string };
    // Retryable: the target may be restarting.
    throw new Error(`toggle API ${method} ${url} failed: ${e.code ? `${e.code} ` : ''}${e.message}`, { cause: err });
  }

  if (statusCode === 401 || statusCode === 403) {
    const why = toggle.tokenEnv
      ? `refused the token in env var ${toggle.tokenEnv}${token ? '' : ' (it is empty)'}. ` +
        `Set ${toggle.tokenEnv} on the worker to a token the toggle API accepts`
      : `refused the request, and toggle ${toggle.name} names no tokenEnv. Add tokenEnv: <ENV_VAR> to the toggle and set that variable on the worker`;
    throw ApplicationFailure.nonRetryable(
      `toggle API ${method} ${url} answered HTTP ${statusCode} (${errorText(text)}): it ${why}`,
      'ToggleAuthRefused',
    );
  }
  if (statusCode >= 500) {
    throw new Error(`toggle API ${method} ${url} answered HTTP ${statusCode}: ${errorText(text)}`);
  }
  if (statusCode === 404 && method === 'PUT') {
    throw ApplicationFailure.nonRetryable(
      `toggle API ${method} ${url} answered HTTP 404 (${errorText(text)}): the target does not know toggle ${toggle.name}; check its name in the profile`,
      'UnknownToggle',
    );
  }
  if (statusCode >= 400) {
    throw ApplicationFailure.nonRetryable(`toggle API ${method} ${url} answered HTTP ${statusCode}: ${errorText(text)}`, 'ToggleRejected');
  }
  if (statusCode < 200 || statusCode >= 300) {
    throw ApplicationFailure.nonRetryable(
      `toggle API ${method} ${url} answered HTTP ${statusCode}; expected 2xx (redirects are not followed)`,
      'ToggleBadResponse',
    );
  }
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    throw ApplicationFailure.nonRetryable(
      `toggle API ${method} ${url} did not answer JSON (${errorText(text)}); check the toggle's url`,
      'ToggleBadResponse',
    );
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || JSON.stringify(a) === JSON.stringify(b);
}

/** All toggles the target's toggle API reports: {name: value}. */
export async function readToggles(
  target: TargetProfile,
  toggle: FeatureToggle,
  token: string | undefined,
  policy?: Hosts,
): Promise<Record<string, unknown>> {
  const url = togglesUrl(target, toggle);
  const body = await call(target, toggle, token, 'GET', url, undefined, policy);
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw ApplicationFailure.nonRetryable(
      `toggle API GET ${url} answered ${Array.isArray(body) ? 'an array' : typeof body}, expected a JSON object {name: value}; check the toggle's url`,
      'ToggleBadResponse',
    );
  }
  return body as Record<string, unknown>;
}

export interface SetToggleOptions {
  /**
   * The previous value an earlier attempt recorded (e.g. from the activity's heartbeat details). When
   * given it is returned as `previous`: a retried attempt would otherwise see its own earlier change.
   */
  knownPrevious?: { value: unknown };
  /** Called with the value before the change, before the PUT is sent (e.g. to heartbeat it). */
  onPrevious?: (previous: unknown) => void;
  /** The operator's hosts (default: loopback only). */
  policy?: Hosts;
}

/**
 * Sets the toggle to `value` and checks with a GET that it is in effect. Returns the value it had
 * before (from the PUT answer's `previous`, else from a GET before the PUT): rollback sets it back.
 * A toggle already at `value` is set again and reports `previous` equal to `value` unless
 * `opts.knownPrevious` says otherwise, so callers that retry should pass it (see SetToggleOptions).
 */
export async function setToggle(
  target: TargetProfile,
  toggle: FeatureToggle,
  value: ToggleValue,
  token: string | undefined,
  opts: SetToggleOptions = {},
): Promise<{ previous: unknown; value: unknown }> {
  const url = togglesUrl(target, toggle);
  const current = await readToggles(target, toggle, token, opts.policy);
  if (!Object.prototype.hasOwnProperty.call(current, toggle.name)) {
    const known = Object.keys(current);
    throw ApplicationFailure.nonRetryable(
      `the toggle API at ${url} does not know toggle ${toggle.name} (known: ${known.length ? known.join(', ') : 'none'}); check its name in the profile`,
      'UnknownToggle',
    );
  }
  opts.onPrevious?.(opts.knownPrevious ? opts.knownPrevious.value : current[toggle.name]);
  const answer = await call(target, toggle, token, 'PUT', `${url}/${encodeURIComponent(toggle.name)}`, { value }, opts.policy);
  const previous = opts.knownPrevious
    ? opts.knownPrevious.value
    : answer && typeof answer === 'object' && Object.prototype.hasOwnProperty.call(answer, 'previous')
      ? (answer as { previous: unknown }).previous
      : current[toggle.name];

  const after = await readToggles(target, toggle, token, opts.policy);
  if (!sameValue(after[toggle.name], value)) {
    throw ApplicationFailure.nonRetryable(
      `toggle ${toggle.name} was set to ${JSON.stringify(value)} but the toggle API at ${url} reports ${JSON.stringify(after[toggle.name])}; ` +
        `the change is not in effect (its previous value was ${JSON.stringify(previous)})`,
      'ToggleNotInEffect',
      { toggle: toggle.name, previous, reported: after[toggle.name] },
    );
  }
  return { previous, value: after[toggle.name] };
}

/** What an undo did; `skipped` when it changed nothing, and why (see RolledBackChange). */
export interface UndoResult {
  details: string;
  skipped?: string;
}

/**
 * The rollback of setToggle, after a look at the toggle: still at the value the run set, it goes back
 * to `previous`; already at `previous`, nothing is done ("already restored", e.g. a retry after the
 * PUT went through); at a third value someone set since, it is left as it is. The toggle API has no
 * compare-and-set: a change between the read and the PUT is not seen.
 */
export async function restoreToggle(
  target: TargetProfile,
  toggle: FeatureToggle,
  change: { runValue: unknown; previous: unknown },
  token: string | undefined,
  policy?: Hosts,
): Promise<UndoResult> {
  const current = await readToggles(target, toggle, token, policy);
  const name = toggle.name;
  if (Object.prototype.hasOwnProperty.call(current, name)) {
    const now = current[name];
    const was = JSON.stringify(change.previous);
    if (sameValue(now, change.previous)) {
      const skipped = `already restored: toggle ${name} is ${was}, its value before the run`;
      return { details: `${skipped}; nothing to do`, skipped };
    }
    if (!sameValue(now, change.runValue)) {
      const skipped =
        `left as it is: toggle ${name} is now ${JSON.stringify(now)}, not ${JSON.stringify(change.runValue)} as the run set it ` +
        `(someone changed it since; its value before the run: ${was})`;
      return { details: skipped, skipped };
    }
  }
  // setToggle refuses a toggle the API does not know, naming the ones it does.
  const r = await setToggle(target, toggle, change.previous as ToggleValue, token, { policy });
  return { details: `toggle ${name} restored to ${JSON.stringify(r.value)}` };
}
