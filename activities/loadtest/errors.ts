// Classification of failed requests. Network failures are read from the error codes of undici
// and Node's net module; responses from the status compared with the endpoint's expectStatus.
export const ERROR_KINDS = ['timeout', 'connect_refused', 'reset', 'other_network', 'http_4xx', 'http_5xx', 'unexpected_status'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** null when the status is expected; otherwise the kind of error it is. */
export function classifyStatus(status: number, expectStatus: readonly number[]): ErrorKind | null {
  if (expectStatus.includes(status)) return null;
  if (status >= 500 && status <= 599) return 'http_5xx';
  if (status >= 400 && status <= 499) return 'http_4xx';
  return 'unexpected_status';
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ABORT_ERR_TIMEOUT',
  'LOADGEN_TIMEOUT', // the load generator's own request timeout
]);
const REFUSED_CODES = new Set(['ECONNREFUSED']);
// LOADGEN_SOCKET_CLOSED: the server closed the connection before the response was complete.
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED', 'LOADGEN_SOCKET_CLOSED']);

function codesOf(err: unknown): { codes: string[]; names: string[] } {
  const codes: string[] = [];
  const names: string[] = [];
  let e: unknown = err;
  // Walk the cause chain (undici wraps net errors; AggregateError holds per-address errors).
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const o = e as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if (typeof o.code === 'string') codes.push(o.code);
    if (typeof o.name === 'string') names.push(o.name);
    if (Array.isArray(o.errors)) {
      for (const sub of o.errors) {
        const s = sub as { code?: unknown };
        if (s && typeof s.code === 'string') codes.push(s.code);
      }
    }
    e = o.cause;
  }
  return { codes, names };
}

/** Kind of a request that got no (complete) response. */
export function classifyError(err: unknown): ErrorKind {
  const { codes, names } = codesOf(err);
  if (codes.some((c) => TIMEOUT_CODES.has(c)) || names.includes('TimeoutError')) return 'timeout';
  if (codes.some((c) => REFUSED_CODES.has(c))) return 'connect_refused';
  if (codes.some((c) => RESET_CODES.has(c))) return 'reset';
  return 'other_network';
}

/** An Error carrying a code, as the generator's own failures (timeout, early close) are reported. */
export function codedError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

export function emptyErrorKinds(): Record<ErrorKind, number> {
  return Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>;
}
