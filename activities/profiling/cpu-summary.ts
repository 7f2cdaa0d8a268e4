// Hot functions of a V8 CPU profile (the `.cpuprofile` format of Chrome DevTools and Node's
// --cpu-prof). Pure: no I/O, unit-tested on hand-made profiles.
//
// Each sample is a leaf node of the call tree; its weight is the time until the next sample
// (timeDeltas[i + 1]; the last one runs to endTime). Per function (name + url + line + column):
//   self  = weight of the samples whose leaf is that function;
//   total = weight of the samples with that function anywhere on the stack, counted once per
//           stack (a recursive function is not counted twice).
// Shares are of the whole sampled time, idle included: 100% = the main thread never idle in the
// window (close to the process CPU% of /proc, but a native call that blocks, or a thread waiting for
// a core on a saturated host, is sampled as busy too). "(root)", "(program)" (native code outside JS) and
// "(idle)" are not functions and are left out of the list; "(garbage collector)" stays in (GC
// pressure is the application's doing) and is also reported as gcPct. A frame without a script URL
// (writev, writeBuffer: Node's C++ bindings) is native: charged to its JavaScript caller, never hot
// (stack-digest.ts).
import type { HotFunction } from '../../common/types';
import { round } from '../../common/round';
import { hotFunctions, type DigestOptions, type StackFrame, type WeightedStack } from './stack-digest';

export interface CallFrame {
  functionName: string;
  scriptId?: string;
  url: string;
  lineNumber: number; // 0-based
  columnNumber: number; // 0-based
}

export interface CpuProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

/** The Profiler.Profile of the Chrome DevTools protocol; times in microseconds. */
export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface CpuDigest {
  samples: number;
  durationMs: number;
  busyPct: number; // 100 - idle
  idlePct: number;
  gcPct: number;
  programPct: number;
  functions: HotFunction[]; // top `top` by self share, then total share
}

export type SummarizeOptions = DigestOptions;

const NOT_FUNCTIONS = new Set(['(root)', '(program)', '(idle)']);

/** Checks the shape of a profile (the inspector's answer or a file) before summarizing it. */
export function isCpuProfile(x: unknown): x is CpuProfile {
  const p = x as CpuProfile;
  return (
    typeof p === 'object' &&
    p !== null &&
    Array.isArray(p.nodes) &&
    typeof p.startTime === 'number' &&
    typeof p.endTime === 'number' &&
    p.nodes.every((n) => typeof n?.id === 'number' && typeof n.callFrame === 'object' && n.callFrame !== null)
  );
}

/** Weight (µs) of each node as a sampled leaf: from samples/timeDeltas, or hitCount x mean interval. */
export function nodeSelfWeights(p: CpuProfile): { weights: Map<number, number>; samples: number } {
  const weights = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  if (samples.length > 0) {
    const times: number[] = [];
    let t = p.startTime;
    for (let i = 0; i < samples.length; i++) {
      t += Math.max(0, deltas[i] ?? 0);
      times.push(t);
    }
    const span = times[times.length - 1] - times[0];
    const meanInterval = samples.length > 1 && span > 0 ? span / (samples.length - 1) : 1;
    let sum = 0;
    const w = samples.map((_, i) => {
      const next = i + 1 < samples.length ? times[i + 1] : p.endTime;
      const d = next - times[i];
      return d > 0 ? d : i + 1 < samples.length ? 0 : meanInterval;
    });
    for (const x of w) sum += x;
    // Degenerate timing (all deltas 0): every sample weighs the same.
    for (let i = 0; i < samples.length; i++) weights.set(samples[i], (weights.get(samples[i]) ?? 0) + (sum > 0 ? w[i] : 1));
    return { weights, samples: samples.length };
  }
  let hits = 0;
  for (const n of p.nodes) hits += n.hitCount ?? 0;
  const interval = hits > 0 ? Math.max(0, p.endTime - p.startTime) / hits || 1 : 1;
  for (const n of p.nodes) if (n.hitCount) weights.set(n.id, n.hitCount * interval);
  return { weights, samples: hits };
}

/** How the digest treats a V8 frame: (root)/(program)/(idle) are not functions; a frame without a script URL is native. */
export function v8FrameKind(f: CallFrame): StackFrame['kind'] {
  if (NOT_FUNCTIONS.has(f.functionName)) return 'hidden';
  if (f.url === '' && !f.functionName.startsWith('(')) return 'native';
  return 'code';
}

function stackFrame(f: CallFrame): StackFrame {
  return {
    key: `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}\u0000${f.columnNumber}`,
    name: f.functionName,
    file: f.url,
    line: f.lineNumber + 1,
    kind: v8FrameKind(f),
  };
}

export function summarizeCpuProfile(p: CpuProfile, opts: SummarizeOptions = {}): CpuDigest {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const { weights, samples } = nodeSelfWeights(p);
  let totalWeight = 0;
  for (const w of weights.values()) totalWeight += w;

  const special = { idle: 0, gc: 0, program: 0 };
  const stacks: WeightedStack[] = [];
  for (const [id, w] of weights) {
    const leaf = byId.get(id);
    if (!leaf || w <= 0) continue;
    const name = leaf.callFrame.functionName;
    if (name === '(idle)') special.idle += w;
    else if (name === '(garbage collector)') special.gc += w;
    else if (name === '(program)') special.program += w;
    const frames: StackFrame[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (!node) break;
      frames.push(stackFrame(node.callFrame));
    }
    stacks.push({ frames: frames.reverse(), weight: w });
  }

  const pct = (w: number): number => (totalWeight > 0 ? round((w / totalWeight) * 100, 2) : 0);
  const idlePct = pct(special.idle);
  return {
    samples,
    durationMs: round(Math.max(0, p.endTime - p.startTime) / 1000, 2),
    busyPct: totalWeight > 0 ? round(100 - idlePct, 2) : 0,
    idlePct,
    gcPct: pct(special.gc),
    programPct: pct(special.program),
    functions: hotFunctions(stacks, totalWeight, opts),
  };
}
