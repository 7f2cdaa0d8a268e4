// Network timing of the target, per endpoint: a few sequential requests to each endpoint, each on a
// fresh connection, measuring (like curl's time_connect, time_starttransfer and time_total, all from
// the start of the request) the TCP/TLS connect, the time to first byte (response headers) and the
// transfer of the body (first to last byte). The endpoints get the method, headers and body the load
// test sends them, so probes are no other traffic than the load test's own.
import * as http from 'node:http';
import * as https from 'node:https';
import { performance } from 'node:perf_hooks';
import { ApplicationFailure } from '@temporalio/common';
import type { Endpoint, TargetProfile } from '../../common/profile';
import type { EndpointTiming, NetworkProfile } from '../../common/types';
import { assertAllowedHost } from '../http/allowed-host';
import type { OperatorPolicy } from '../../common/operator-policy';
import { Scenario, type TrafficContext } from '../loadtest/scenario';
import { placeholderBodies, templateFields } from '../../common/template-placeholders';
import { round } from '../../common/round';

export interface NetworkSample {
  connectMs: number;
  ttfbMs: number;
  transferMs: number;
  totalMs: number;
  status: number;
}

export interface NetworkHooks {
  signal?: AbortSignal;
  onSample?: (i: number, s: (NetworkSample | { error: string }) & { endpoint: string }) => void;
  policy?: Pick<OperatorPolicy, 'targetHosts'>; // the operator's hosts (default: loopback only)
  context?: TrafficContext; // {{env:}} values and a setup session, when the endpoints use them
}

export interface ProbeRequest {
  url: URL;
  method: Endpoint['method'];
  headers: Record<string, string>;
  body?: string;
}

/** A request for one endpoint, rendered as the load generator would (fresh random template values). */
export function probeRequest(target: TargetProfile, ep: Endpoint, context?: TrafficContext): ProbeRequest {
  const base = new URL(target.http.baseUrl);
  // The load test's own request builder: the same variables, headers and content type.
  const r = new Scenario([ep], base.pathname.replace(/\/+$/, ''), Math.random, base.host, context).next();
  return { url: new URL(base.origin + r.path), method: ep.method, headers: r.headers, body: r.body };
}

/** Whether an endpoint's request needs no secret ({{env:}}) and no setup value. */
function plainRequest(ep: Endpoint): boolean {
  return templateFields(ep).every((f) => placeholderBodies(f.text).every((b) => !b.startsWith('env:') && !b.startsWith('setup.')));
}

/** URL of the first GET endpoint needing no secret (the base URL itself when there is none). */
export function networkProbeUrl(target: TargetProfile): { url: URL; headers: Record<string, string> } {
  const ep = target.http.endpoints.find((e) => e.method === 'GET' && plainRequest(e));
  if (ep) {
    const r = probeRequest(target, ep);
    return { url: r.url, headers: r.headers };
  }
  return { url: new URL(target.http.baseUrl), headers: {} };
}

/** One request on a new connection. */
export function probeOnce(pr: ProbeRequest, timeoutMs: number, signal?: AbortSignal): Promise<NetworkSample> {
  return new Promise((resolve, reject) => {
    const mod = pr.url.protocol === 'https:' ? https : http;
    const t0 = performance.now();
    let connectAt: number | undefined;
    let ttfbAt: number | undefined;
    let settled = false;
    const finish = (err: Error | null, status = 0): void => {
      if (settled) return;
      settled = true;
      const end = performance.now();
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) return reject(err);
      const ttfb = ttfbAt ?? end;
      resolve({ connectMs: (connectAt ?? ttfb) - t0, ttfbMs: ttfb - t0, transferMs: end - ttfb, totalMs: end - t0, status });
    };
    const headers: Record<string, string> = { ...pr.headers, connection: 'close' };
    if (pr.body !== undefined) headers['content-length'] = String(Buffer.byteLength(pr.body));
    const req = mod.request(pr.url, { method: pr.method, agent: false, headers });
    const timer = setTimeout(() => req.destroy(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = (): void => {
      req.destroy(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('socket', (socket) => {
      // For https, 'secureConnect' ends the handshake: connect time includes TLS, like curl's time_appconnect.
      socket.once(pr.url.protocol === 'https:' ? 'secureConnect' : 'connect', () => (connectAt = performance.now()));
    });
    req.on('response', (res) => {
      ttfbAt = performance.now();
      res.on('error', (e) => finish(e));
      res.on('end', () => finish(null, res.statusCode ?? 0));
      res.resume();
    });
    req.on('error', (e) => finish(e));
    req.end(pr.body);
  });
}
const avg = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Averages of one endpoint's probes. */
export function endpointTiming(ep: Pick<Endpoint, 'name' | 'method'>, ok: NetworkSample[], failures: string[]): EndpointTiming {
  const t: EndpointTiming = {
    name: ep.name,
    method: ep.method,
    samples: ok.length,
    errors: failures.length,
    status: ok.length ? ok[ok.length - 1].status : null,
    connectMsAvg: round(avg(ok.map((s) => s.connectMs)), 3),
    ttfbMsAvg: round(avg(ok.map((s) => s.ttfbMs)), 3),
    transferMsAvg: round(avg(ok.map((s) => s.transferMs)), 3),
    totalMsAvg: round(avg(ok.map((s) => s.totalMs)), 3),
  };
  if (failures.length) t.error = failures[0];
  return t;
}

/** `samples` probes of every endpoint (sequential, fresh connection each); the averages over all of them and per endpoint. */
export async function measureNetworkTiming(target: TargetProfile, samples = 3, hooks: NetworkHooks = {}): Promise<NetworkProfile> {
  const n = Math.max(1, Math.min(100, Math.floor(samples)));
  const timeoutMs = target.load.requestTimeoutMs;
  const all: NetworkSample[] = [];
  const endpoints: EndpointTiming[] = [];
  let firstFailure: string | undefined;
  let i = 0;
  for (const ep of target.http.endpoints) {
    assertAllowedHost(target, probeRequest(target, ep, hooks.context).url, 'a timing probe', hooks.policy);
    const ok: NetworkSample[] = [];
    const failures: string[] = [];
    for (let k = 0; k < n && !hooks.signal?.aborted; k++, i++) {
      try {
        const s = await probeOnce(probeRequest(target, ep, hooks.context), timeoutMs, hooks.signal);
        ok.push(s);
        hooks.onSample?.(i, { endpoint: ep.name, ...s });
      } catch (err) {
        failures.push((err as Error).message);
        firstFailure ??= `${ep.name}: ${(err as Error).message}`;
        hooks.onSample?.(i, { endpoint: ep.name, error: (err as Error).message });
      }
    }
    all.push(...ok);
    endpoints.push(endpointTiming(ep, ok, failures));
  }
  if (hooks.signal?.aborted) {
    const reason = hooks.signal.reason;
    throw reason instanceof Error ? reason : new Error('network measurement cancelled');
  }
  if (all.length === 0) {
    // Transient (target down, network trouble): let Temporal retry.
    const origin = new URL(target.http.baseUrl).origin;
    throw ApplicationFailure.retryable(`no request to ${origin} succeeded (${i} tried): ${firstFailure}`, 'NetworkUnreachable');
  }
  return {
    connectMsAvg: round(avg(all.map((s) => s.connectMs)), 3),
    ttfbMsAvg: round(avg(all.map((s) => s.ttfbMs)), 3),
    samples: all.length,
    endpoints,
  };
}
