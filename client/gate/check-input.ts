// `perf-orch check` options -> the check's input: thresholds from the command line, else the
// profile's gate section, else its SLO targets; the baseline choice; the ratio that fails.
import { ThresholdError } from '../../common/gate/thresholds';
import { profileThresholdTexts, thresholdsOf } from '../../common/gate/default-check';
import { DEFAULT_MAX_P95_RATIO } from '../../common/gate/ratio';
import { DEFAULT_SLICE_MS, MAX_SLICE_MS } from '../../common/gate/alternating';
import type { BaselineChoice, CheckInput } from '../../common/gate/types';
import { BASELINE_CHOICE } from '../../common/profile-gate';
import type { TargetProfile } from '../../common/profile';
import { printable } from '../../common/printable';
import { UsageError } from '../errors';

export interface CheckOptions {
  threshold?: string[];
  baseline?: string;
  baselineUrl?: string;
  pairs?: string;
  blockSeconds?: string;
  sliceMs?: string;
  maxP95Ratio?: string;
}

const httpUrl = (u: string): boolean => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol);

function intIn(raw: string, flag: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got "${printable(raw)}")`);
  return n;
}

/**
 * pinned | pinned:ID | recent:N | none, or against --baseline-url: both taking turns every --slice-ms
 * (the default), or pairs of blocks when --pairs or --block-seconds is given.
 */
export function baselineChoice(raw: string, opts: CheckOptions): BaselineChoice {
  if (opts.baselineUrl !== undefined) {
    if (!httpUrl(opts.baselineUrl))
      throw new UsageError(
        `--baseline-url must be an absolute http(s) URL such as http://127.0.0.1:3200 (got "${printable(opts.baselineUrl)}")`,
      );
    const blocks = opts.pairs !== undefined || opts.blockSeconds !== undefined;
    if (blocks && opts.sliceMs !== undefined)
      throw new UsageError('--slice-ms takes turns; --pairs and --block-seconds alternate blocks: give one or the other');
    const pairs = intIn(opts.pairs ?? '5', '--pairs', 2, 50);
    const blockSeconds = intIn(opts.blockSeconds ?? '4', '--block-seconds', 1, 600);
    if (blocks) return { kind: 'interleaved', baseUrl: opts.baselineUrl, pairs, blockSeconds };
    // Each measured second must hold turns of both sides: a turn of at most a quarter second.
    const sliceMs = intIn(opts.sliceMs ?? String(DEFAULT_SLICE_MS), '--slice-ms', 10, MAX_SLICE_MS);
    return { kind: 'interleaved', baseUrl: opts.baselineUrl, pairs, blockSeconds, sliceMs };
  }
  if (!BASELINE_CHOICE.test(raw)) throw new UsageError(`--baseline must be pinned, pinned:ID, recent:N or none (got "${printable(raw)}")`);
  if (raw === 'none') return { kind: 'none' };
  if (raw.startsWith('recent:')) return { kind: 'recent', n: intIn(raw.slice(7), '--baseline recent:N', 1, 100) };
  return raw === 'pinned' ? { kind: 'pinned' } : { kind: 'pinned', id: raw.slice(7) };
}

export function buildCheckInput(target: TargetProfile, opts: CheckOptions): CheckInput {
  const texts = opts.threshold?.length ? opts.threshold : profileThresholdTexts(target);
  let thresholds;
  try {
    thresholds = thresholdsOf(target, texts);
  } catch (err) {
    if (err instanceof ThresholdError) throw new UsageError(`--threshold: ${err.message}`);
    throw err;
  }
  const ratio = opts.maxP95Ratio === undefined ? (target.gate?.maxP95Ratio ?? DEFAULT_MAX_P95_RATIO) : Number(opts.maxP95Ratio);
  if (!(ratio >= 1 && ratio <= 10))
    throw new UsageError(`--max-p95-ratio must be a number from 1 to 10, e.g. 1.05 (got "${printable(String(opts.maxP95Ratio))}")`);
  return {
    target,
    thresholds,
    baseline: baselineChoice(opts.baseline ?? target.gate?.baseline ?? 'pinned', opts),
    maxP95Ratio: ratio,
    requestedBy: process.env.USER || 'cli',
  };
}

/** Commander's collector for a repeatable option (--threshold). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
