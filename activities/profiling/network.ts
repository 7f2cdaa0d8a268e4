// Network timing of the target: sequential requests, each on a fresh connection, measuring the
// TCP connect time (socket 'connect') and the time to first byte (response headers), both from
// the start of the request (like curl's time_connect and time_starttransfer).
import * as http from 'node:http';
import * as https from 'node:https';
import { performance } from 'node:perf_hooks';
import { ApplicationFailure } from '@temporalio/common';
import type { TargetProfile } from '../../common/profile';
import type { NetworkProfile } from '../../common/types';
import { assertAllowedHost } from '../loadtest/guard';
import { renderTemplate } from '../loadtest/scenario';

export interface NetworkSample {
  connectMs: number;
  ttfbMs: number;
  status: number;
}

export interface NetworkHooks {
  signal?: AbortSignal;
  onSample?: (i: number, s: NetworkSample | { error: string }) => void;
}

/** URL of the first GET endpoint (the base URL itself when there is none). */
export function networkProbeUrl(target: TargetProfile): { url: URL; headers: Record<string, string> } {
  const base = new URL(target.http.baseUrl);
  const ep = target.http.endpoints.find((e) => e.method === 'GET');
  const basePath = base.pathname.replace(/\/+$/, '');
  const url = new URL(base.origin + (ep ? basePath + renderTemplate(ep.path) : base.pathname));
  return { url, headers: ep?.headers ?? {} };
}

/** One request on a new connection. */
export function probeOnce(url: URL, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<NetworkSample> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const t0 = performance.now();
    let connectAt: number | undefined;
    let ttfbAt: number | undefined;
    let settled = false;
    const finish = (err: Error | null, status = 0): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) return reject(err);
      resolve({ connectMs: (connectAt ?? ttfbAt ?? t0) - t0, ttfbMs: (ttfbAt ?? t0) - t0, status });
    };
    const req = mod.request(url, { method: 'GET', agent: false, headers: { ...headers, connection: 'close' } });
    const timer = setTimeout(() => req.destroy(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = (): void => {
      req.destroy(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('socket', (socket) => {
      socket.once('connect', () => (connectAt = performance.now()));
    });
    req.on('response', (res) => {
      ttfbAt = performance.now();
      res.on('error', (e) => finish(e));
      res.on('end', () => finish(null, res.statusCode ?? 0));
      res.resume();
    });
    req.on('error', (e) => finish(e));
    req.end();
  });
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export async function measureNetworkTiming(target: TargetProfile, samples = 10, hooks: NetworkHooks = {}): Promise<NetworkProfile> {
  const { url, headers } = networkProbeUrl(target);
  assertAllowedHost(target, url);
  const n = Math.max(1, Math.min(1000, Math.floor(samples)));
  const timeoutMs = target.load.requestTimeoutMs;
  const ok: NetworkSample[] = [];
  const failures: string[] = [];
  for (let i = 0; i < n; i++) {
    if (hooks.signal?.aborted) break;
    try {
      const s = await probeOnce(url, headers, timeoutMs, hooks.signal);
      ok.push(s);
      hooks.onSample?.(i, s);
    } catch (err) {
      failures.push((err as Error).message);
      hooks.onSample?.(i, { error: (err as Error).message });
    }
  }
  if (hooks.signal?.aborted) {
    const reason = hooks.signal.reason;
    throw reason instanceof Error ? reason : new Error('network measurement cancelled');
  }
  if (ok.length === 0) {
    // Transient (target down, network trouble): let Temporal retry.
    throw ApplicationFailure.retryable(`no request to ${url.origin} succeeded (${n} tried): ${failures[0]}`, 'NetworkUnreachable');
  }
  const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    connectMsAvg: round3(avg(ok.map((s) => s.connectMs))),
    ttfbMsAvg: round3(avg(ok.map((s) => s.ttfbMs))),
    samples: ok.length,
  };
}
