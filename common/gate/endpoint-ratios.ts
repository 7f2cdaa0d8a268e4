// The p95 ratio endpoint by endpoint, from the same interleaved blocks as the whole mix's. A change
// that slows one endpoint can leave the whole mix's p95 where it was (field test 4: an index dropped
// made one endpoint 16% slower at p95 on a quarter of the traffic, the mix's p95 read 0.99): this is
// what sees it. Pure.
//
// With m endpoints compared at once, one of them lands above the threshold by chance in most A/A
// checks, so each interval is at 1 - 0.05 / m (Bonferroni: the family's false fails stay at 5%), and
// an endpoint warns only when its interval lies above 1; above the threshold with an interval that
// holds 1 is said in its reason, not raised.
import { interleavedEffect } from '../verdict/effect';
import { DEFAULT_MAX_P95_RATIO, gateVerdictOf, ratioOf, type RatioEstimate } from './ratio';
import type { GateVerdict } from './types';

/** A block's p95 of an endpoint is read only from this many of its requests on each side of a pair. */
export const MIN_ENDPOINT_REQUESTS = 5;
/** Fewer usable pairs than this: the endpoint is not compared. */
export const MIN_ENDPOINT_PAIRS = 3;

export interface EndpointComparison {
  endpoint: string;
  pairs: number; // the pairs its ratio was read from
  level: number; // the interval's confidence (Bonferroni over the endpoints compared)
  p95Ratio: number;
  p95RatioLow: number;
  p95RatioHigh: number;
  verdict: GateVerdict;
  why: string;
}

/** What an endpoint's ratio reads of a block (an EndpointSummary has it). */
export interface EndpointFigures {
  name: string;
  requests: number;
  latencyMs: { p95: number };
}

interface BlockEndpoints {
  endpoints: readonly EndpointFigures[];
}

function endpointPairs(
  pairs: readonly { baseline: BlockEndpoints; candidate: BlockEndpoints }[],
  name: string,
): { a: number; b: number }[] {
  const out: { a: number; b: number }[] = [];
  for (const p of pairs) {
    const a = p.baseline.endpoints.find((e) => e.name === name);
    const b = p.candidate.endpoints.find((e) => e.name === name);
    if (!a || !b || a.requests < MIN_ENDPOINT_REQUESTS || b.requests < MIN_ENDPOINT_REQUESTS) continue;
    if (a.latencyMs.p95 > 0 && b.latencyMs.p95 > 0) out.push({ a: a.latencyMs.p95, b: b.latencyMs.p95 });
  }
  return out;
}

/**
 * One endpoint's verdict: the gate's rule, except that above the threshold with an interval holding 1
 * passes (said in its reason): with several endpoints, one lands there by chance in most A/A checks.
 */
export function endpointVerdictOf(r: RatioEstimate, maxRatio = DEFAULT_MAX_P95_RATIO): { verdict: GateVerdict; why: string } {
  const v = gateVerdictOf(r, maxRatio);
  return v.verdict === 'warn' && !(r.low > 1) ? { ...v, verdict: 'pass' } : v;
}

/**
 * Every endpoint with MIN_ENDPOINT_PAIRS usable pairs, in the order of the first pair's candidate
 * block; [] when fewer than two endpoints qualify (one endpoint is the whole mix).
 */
export function endpointRatios(
  pairs: readonly { baseline: BlockEndpoints; candidate: BlockEndpoints }[],
  maxRatio = DEFAULT_MAX_P95_RATIO,
): EndpointComparison[] {
  const names = [...new Set(pairs.flatMap((p) => p.candidate.endpoints.map((e) => e.name)))];
  const usable = names.map((name) => ({ name, pairs: endpointPairs(pairs, name) })).filter((e) => e.pairs.length >= MIN_ENDPOINT_PAIRS);
  if (usable.length < 2) return [];
  const level = 1 - 0.05 / usable.length;
  const out: EndpointComparison[] = [];
  for (const e of usable) {
    const r = ratioOf(
      interleavedEffect(e.pairs, level),
      `${e.pairs.length} pairs, paired t on log p95, Bonferroni over ${usable.length} endpoints`,
    );
    if (!r) continue;
    out.push({
      endpoint: e.name,
      pairs: e.pairs.length,
      level,
      p95Ratio: r.ratio,
      p95RatioLow: r.low,
      p95RatioHigh: r.high,
      ...endpointVerdictOf(r, maxRatio),
    });
  }
  return out;
}
