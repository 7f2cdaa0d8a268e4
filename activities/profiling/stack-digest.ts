// The hot-function table of sampled call stacks, whatever profiler took them (V8's .cpuprofile,
// py-spy's speedscope file). Pure.
//
// Per function (its key): self = weight of the stacks it is the leaf of; total = weight of the
// stacks it is on, counted once per stack (recursion is not counted twice). Shares are of
// `totalWeight`, which the caller chooses (and documents).
//
// Native frames (C/C++ code such as writev or a socket send, without source in the application)
// are never hot themselves: the time of a stack whose leaf is native is charged to the self time of
// the nearest code frame (JavaScript, Python) under it, the function that made the call. The native
// function is still listed, with its own share and `calledFrom` naming that caller, never flagged.
// A native leaf with no code frame under it keeps its time (not hot, no caller). Frames of kind
// 'hidden' ((root), (idle), a py-spy process line) count in the totals of nothing and are not listed.
import type { HotFunction } from '../../common/types';
import { round } from '../../common/round';

export interface StackFrame {
  key: string; // identity of the function (name, file, line, ...)
  name: string;
  file: string; // '' for native and internal frames
  line: number; // 1-based; 0 when unknown
  kind: 'code' | 'native' | 'hidden';
}

/** One sampled stack, root first, and its weight (time or sample count). */
export interface WeightedStack {
  frames: StackFrame[];
  weight: number;
}

export interface DigestOptions {
  thresholdPct?: number; // hot = selfPct above it (default 5)
  top?: number; // how many functions to keep (default 15)
}

interface Acc {
  frame: StackFrame;
  self: number;
  total: number;
  callers: Map<string, { frame: StackFrame; weight: number }>; // native frames: who got their time
}

/** The top functions of `stacks` by self share (then total), shares of `totalWeight`. */
export function hotFunctions(stacks: Iterable<WeightedStack>, totalWeight: number, opts: DigestOptions = {}): HotFunction[] {
  const thresholdPct = opts.thresholdPct ?? 5;
  const top = opts.top ?? 15;
  const acc = new Map<string, Acc>();
  const get = (f: StackFrame): Acc => {
    let a = acc.get(f.key);
    if (!a) acc.set(f.key, (a = { frame: f, self: 0, total: 0, callers: new Map() }));
    return a;
  };
  for (const { frames, weight } of stacks) {
    if (!(weight > 0) || frames.length === 0) continue;
    const seen = new Set<string>();
    for (const f of frames) {
      if (f.kind === 'hidden' || seen.has(f.key)) continue;
      seen.add(f.key);
      get(f).total += weight;
    }
    const leaf = frames[frames.length - 1];
    if (leaf.kind === 'hidden') continue;
    const leafAcc = get(leaf);
    leafAcc.self += weight;
    if (leaf.kind !== 'native') continue;
    const caller = nearestCodeFrame(frames);
    if (!caller) continue;
    get(caller).self += weight;
    const c = leafAcc.callers.get(caller.key);
    if (c) c.weight += weight;
    else leafAcc.callers.set(caller.key, { frame: caller, weight });
  }
  const pct = (w: number): number => (totalWeight > 0 ? round((w / totalWeight) * 100, 2) : 0);
  return [...acc.values()]
    .filter((a) => a.self > 0 || a.total > 0)
    .sort((a, b) => b.self - a.self || b.total - a.total)
    .slice(0, Math.max(0, top))
    .map((a) => {
      const selfPct = pct(a.self);
      const row: HotFunction = {
        functionName: a.frame.name || '(anonymous)',
        url: a.frame.file,
        lineNumber: a.frame.line,
        selfPct,
        totalPct: pct(a.total),
        hot: a.frame.kind === 'code' && selfPct > thresholdPct,
      };
      const caller = mainCaller(a);
      if (caller) row.calledFrom = caller;
      return row;
    });
}

function nearestCodeFrame(frames: StackFrame[]): StackFrame | null {
  for (let i = frames.length - 2; i >= 0; i--) if (frames[i].kind === 'code') return frames[i];
  return null;
}

/** "name file:line" of the caller that got most of a native function's time. */
function mainCaller(a: Acc): string | null {
  let best: { frame: StackFrame; weight: number } | null = null;
  for (const c of a.callers.values()) if (!best || c.weight > best.weight) best = c;
  if (!best) return null;
  const where = best.frame.file ? ` ${best.frame.file}:${best.frame.line}` : '';
  return `${best.frame.name || '(anonymous)'}${where}`;
}
