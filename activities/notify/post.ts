// One POST of JSON to a notifier, with a timeout. Classifies the answer for Temporal's retries:
// 2xx sent; 5xx, 408, 429 and network errors worth another attempt; any other answer final.
import { request } from 'undici';

export const NOTIFY_TIMEOUT_MS = 10_000;

export type PostResult = { outcome: 'sent'; httpStatus: number } | { outcome: 'retry' | 'final'; httpStatus: number | null; error: string };

export function classifyStatus(status: number): 'sent' | 'retry' | 'final' {
  if (status >= 200 && status < 300) return 'sent';
  return status >= 500 || status === 408 || status === 429 ? 'retry' : 'final';
}

export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs = NOTIFY_TIMEOUT_MS,
): Promise<PostResult> {
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'perf-orchestrator', ...headers },
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = (await res.body.text()).replace(/\s+/g, ' ').trim().slice(0, 300);
    const outcome = classifyStatus(res.statusCode);
    if (outcome === 'sent') return { outcome, httpStatus: res.statusCode };
    return { outcome, httpStatus: res.statusCode, error: `HTTP ${res.statusCode}${text ? `: ${text}` : ''}` };
  } catch (err) {
    const e = err as Error & { code?: string };
    return { outcome: 'retry', httpStatus: null, error: `${e.code ? `${e.code} ` : ''}${e.message}` };
  }
}
