// The one check before any request leaves the worker: load tests, probes, the inspector, feature
// toggles and pre-checks only ever contact http.baseUrl's host or a host in http.allowedHosts.
import { ApplicationFailure } from '@temporalio/common';
import { allowedHosts, type TargetProfile } from '../../common/profile';

/** `[::1]` -> `::1`, `Example.COM.` -> `example.com`; an allowedHosts entry may carry a port (`host:8080`, `[::1]:8080`). */
function normalize(host: string): string {
  const h = host.trim().toLowerCase();
  const bare = /^\[([^\]]+)\](?::\d+)?$/.exec(h)?.[1] ?? /^([^:]+):\d+$/.exec(h)?.[1] ?? h;
  return bare.replace(/\.$/, '');
}

/**
 * Throws a non-retryable ApplicationFailure unless `url` is an absolute http(s) URL whose host the
 * profile allows; `what` names the request in the message (e.g. "a toggle request").
 */
export function assertAllowedHost(target: TargetProfile, url: string | URL, what = 'load'): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw ApplicationFailure.nonRetryable(
      `"${String(url)}" (${what}) is not an absolute URL; fix http.baseUrl of target ${target.name}`,
      'BadProfile',
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw ApplicationFailure.nonRetryable(`only http and https are supported, not ${u.protocol} (${u.origin})`, 'BadProfile');
  }
  const allowed = allowedHosts(target).map(normalize);
  if (!allowed.includes(normalize(u.hostname))) {
    throw ApplicationFailure.nonRetryable(
      `refusing to send ${what} to ${u.hostname}: it is not an allowed host of target ${target.name} ` +
        `(allowed: ${allowed.join(', ')}). Add it to http.allowedHosts in the target profile if it really belongs to the target.`,
      'HostNotAllowed',
    );
  }
  return u;
}
