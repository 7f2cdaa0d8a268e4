// The webhook's signature, as Slack and Stripe sign theirs: HMAC-SHA256 over `<timestamp>.<body>`
// with the shared secret, sent as X-Perf-Orch-Signature: sha256=<hex> beside X-Perf-Orch-Timestamp
// (Unix seconds). A receiver recomputes it over the raw body and refuses old timestamps (replays).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-perf-orch-signature';
export const TIMESTAMP_HEADER = 'x-perf-orch-timestamp';
/** How far a receiver should let the timestamp be from its clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The two headers of a signed delivery. */
export function signatureHeaders(secret: string, body: string, now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signature(secret, timestamp, body) };
}

/** A receiver's check: why the delivery is not authentic, or null when it is. */
export function verifySignature(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  now: Date,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): string | null {
  const ts = headers[TIMESTAMP_HEADER];
  const sig = headers[SIGNATURE_HEADER];
  if (typeof ts !== 'string' || !/^\d+$/.test(ts)) return `missing or malformed ${TIMESTAMP_HEADER}`;
  if (typeof sig !== 'string') return `missing ${SIGNATURE_HEADER}`;
  if (Math.abs(now.getTime() / 1000 - Number(ts)) > toleranceSeconds) return `timestamp ${ts} is more than ${toleranceSeconds} s away`;
  const expected = Buffer.from(signature(secret, Number(ts), rawBody));
  const got = Buffer.from(sig);
  return got.length === expected.length && timingSafeEqual(got, expected) ? null : 'signature does not match';
}
