// Hot functions of a speedscope file (https://www.speedscope.app/file-format-schema.json) as py-spy
// writes it: one "sampled" profile per thread of each process, stacks root first, weights in seconds.
// Pure: no I/O, unit-tested on hand-made files.
//
// What 100% means: one core for the whole window (windowSeconds). py-spy records only active
// samples (a thread waiting in a system call, a sleep, a lock or accept() is idle and left out: no
// --idle), so each share is the CPU a function took as a share of one core, summed over every
// profiled process and thread, like the process CPU% of /proc: two pre-fork workers each spending
// 60% of the window in a function show 120%. For a single-threaded process it is the V8 profile's
// meaning (the main thread's time in the window). busyPct is all sampled time, of one core. A thread
// that is runnable but waiting for a core on a saturated host is sampled as busy too: on this
// project's overloaded 2-core machine py-spy's busy share read about twice the /proc CPU%.
//
// Frames: a Python frame has a .py file (or a "<frozen ...>"-style pseudo file); py-spy's own
// "process PID:..." and "thread ..." lines are not functions; anything else (a C function of the
// interpreter or an extension, with --native) is native and charged to its Python caller.
import type { HotFunction } from '../../common/types';
import { round } from '../../common/round';
import { hotFunctions, type DigestOptions, type StackFrame, type WeightedStack } from './stack-digest';

export interface SpeedscopeFrame {
  name: string;
  file?: string | null;
  line?: number | null;
  col?: number | null;
}

export interface SampledProfile {
  type: 'sampled';
  name?: string;
  unit: string; // seconds, milliseconds, microseconds, nanoseconds, none
  startValue?: number;
  endValue?: number;
  samples: number[][]; // frame indexes, root first
  weights: number[];
}

export interface SpeedscopeFile {
  $schema?: string;
  shared: { frames: SpeedscopeFrame[] };
  profiles: (SampledProfile | { type: string; name?: string })[];
  name?: string;
  exporter?: string;
  activeProfileIndex?: number | null;
}

export interface SpeedscopeDigest {
  samples: number;
  durationMs: number; // the window
  busyPct: number; // sampled time, % of one core over the window (above 100 with several busy processes)
  pids: number[]; // processes with samples (from the profile names "Process 123 Thread ...")
  threads: number; // profiles with samples
  functions: HotFunction[];
}

export interface SpeedscopeOptions extends DigestOptions {
  windowSeconds: number; // what 100% is: one core for this long
  rate?: number; // samples per second, for unit "none" (each sample then weighs 1 / rate s)
}

const UNIT_SECONDS: Record<string, number> = { seconds: 1, milliseconds: 1e-3, microseconds: 1e-6, nanoseconds: 1e-9 };

export function isSpeedscopeFile(x: unknown): x is SpeedscopeFile {
  const f = x as SpeedscopeFile;
  return (
    typeof f === 'object' &&
    f !== null &&
    typeof f.shared === 'object' &&
    f.shared !== null &&
    Array.isArray(f.shared.frames) &&
    Array.isArray(f.profiles) &&
    f.profiles.every((p) => typeof p === 'object' && p !== null && typeof p.type === 'string')
  );
}

function isSampled(p: SpeedscopeFile['profiles'][number]): p is SampledProfile {
  const s = p as SampledProfile;
  return s.type === 'sampled' && Array.isArray(s.samples) && Array.isArray(s.weights);
}

/** Python code, native code, or one of py-spy's process/thread lines. */
export function pythonFrameKind(f: SpeedscopeFrame): StackFrame['kind'] {
  const file = f.file ?? '';
  if (file === '' && /^(process|thread) (\d+|0x[0-9a-f]+)\b/i.test(f.name)) return 'hidden';
  if (/\.(py|pyw|pyx)$/i.test(file) || /^<.*>$/.test(file)) return 'code';
  return 'native';
}

function toStackFrame(f: SpeedscopeFrame): StackFrame {
  const file = f.file ?? '';
  const line = typeof f.line === 'number' && f.line > 0 ? f.line : 0;
  return { key: `${f.name}\u0000${file}\u0000${line}`, name: f.name, file, line, kind: pythonFrameKind(f) };
}

export function summarizeSpeedscope(file: SpeedscopeFile, opts: SpeedscopeOptions): SpeedscopeDigest {
  const frames = file.shared.frames.map(toStackFrame);
  const stacks: WeightedStack[] = [];
  const pids = new Set<number>();
  let samples = 0;
  let threads = 0;
  let seconds = 0;
  for (const p of file.profiles) {
    if (!isSampled(p)) continue; // py-spy writes sampled profiles only
    const perWeight = p.unit === 'none' ? (opts.rate && opts.rate > 0 ? 1 / opts.rate : 0) : (UNIT_SECONDS[p.unit] ?? 0);
    let kept = 0;
    p.samples.forEach((stack, i) => {
      const w = (p.weights[i] ?? 0) * perWeight;
      const fs = stack.map((k) => frames[k]).filter((f): f is StackFrame => f !== undefined);
      if (!(w > 0) || fs.length === 0) return;
      stacks.push({ frames: fs, weight: w });
      seconds += w;
      kept++;
    });
    if (kept === 0) continue;
    samples += kept;
    threads++;
    const pid = /\bprocess (\d+)/i.exec(p.name ?? '');
    if (pid) pids.add(Number(pid[1]));
  }
  const window = Math.max(0, opts.windowSeconds);
  return {
    samples,
    durationMs: round(window * 1000, 2),
    busyPct: window > 0 ? round((seconds / window) * 100, 2) : 0,
    pids: [...pids].sort((a, b) => a - b),
    threads,
    functions: hotFunctions(stacks, window, opts),
  };
}

/** One file of several (one py-spy per process tree): frames concatenated, profiles kept apart. */
export function mergeSpeedscope(files: SpeedscopeFile[]): SpeedscopeFile {
  if (files.length === 1) return files[0];
  const frames: SpeedscopeFrame[] = [];
  const profiles: SpeedscopeFile['profiles'] = [];
  for (const f of files) {
    const offset = frames.length;
    frames.push(...f.shared.frames);
    for (const p of f.profiles) {
      profiles.push(isSampled(p) ? { ...p, samples: p.samples.map((s) => s.map((k) => k + offset)) } : p);
    }
  }
  return {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames },
    profiles,
    name: files[0]?.name ?? 'merged profile',
    exporter: files[0]?.exporter,
    activeProfileIndex: 0,
  };
}
