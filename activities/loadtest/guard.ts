// Load is only ever sent to hosts the target profile lists (http.baseUrl's host + allowedHosts).
import { ApplicationFailure } from '@temporalio/common';
import { allowedHosts, type TargetProfile } from '../../common/profile';

const normalize = (host: string): string =>
  host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');

/** Throws a non-retryable ApplicationFailure unless `url`'s host is allowed by the profile. */
export function assertAllowedHost(target: TargetProfile, url: string | URL): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw ApplicationFailure.nonRetryable(
      `"${String(url)}" is not an absolute URL; fix http.baseUrl of target ${target.name}`,
      'BadProfile',
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw ApplicationFailure.nonRetryable(`only http and https are supported, not ${u.protocol} (${u.origin})`, 'BadProfile');
  }
  const allowed = allowedHosts(target).map(normalize);
  if (!allowed.includes(normalize(u.hostname))) {
    throw ApplicationFailure.nonRetryable(
      `refusing to send load to ${u.hostname}: it is not an allowed host of target ${target.name} ` +
        `(allowed: ${allowed.join(', ')}). Add it to http.allowedHosts in the target profile if it really belongs to the target.`,
      'HostNotAllowed',
    );
  }
  return u;
}
