// The bench's command line (pure): npm run bench:gate -- [--design alternating|interleaved|simultaneous] [--trials 40]
// [--minutes 45] [--rounds 7] [--block-seconds 1.5] [--window-seconds 13] [--slice-ms 50] [--concurrency 4] [--warmup-seconds 10] [--products 30000]
export type GateDesign = 'alternating' | 'interleaved' | 'simultaneous';
// alternating is the default, as in `perf-orch check --baseline-url`; the other two are the designs measured before it (README).
export const GATE_DESIGNS: readonly GateDesign[] = ['alternating', 'interleaved', 'simultaneous'];

export interface GateBenchOptions extends NumericOptions {
  design: GateDesign;
}

interface NumericOptions {
  trials: number; // trial sets (each gives one trial per condition)
  minutes: number; // the cap on the measuring
  rounds: number; // k: rounds (pairs) per trial
  blockSeconds: number; // interleaved: each block
  windowSeconds: number; // alternating, simultaneous: each condition's window (both shops)
  sliceMs: number; // alternating: each side's turn
  concurrency: number;
  warmupSeconds: number;
  products: number;
}

export const DEFAULT_OPTIONS: GateBenchOptions = {
  design: 'alternating',
  trials: 40,
  minutes: 45,
  rounds: 7,
  blockSeconds: 1.5,
  windowSeconds: 13,
  sliceMs: 50,
  concurrency: 4,
  warmupSeconds: 10,
  products: 30_000,
};

const BOUNDS: Record<keyof NumericOptions, [number, number]> = {
  trials: [2, 1000],
  minutes: [0.5, 600],
  rounds: [2, 50],
  blockSeconds: [1, 60],
  windowSeconds: [5, 300],
  sliceMs: [10, 250],
  concurrency: [1, 256],
  warmupSeconds: [0, 300],
  products: [1000, 1_000_000],
};

const FLAGS: Record<string, keyof NumericOptions> = {
  '--trials': 'trials',
  '--minutes': 'minutes',
  '--rounds': 'rounds',
  '--block-seconds': 'blockSeconds',
  '--window-seconds': 'windowSeconds',
  '--slice-ms': 'sliceMs',
  '--concurrency': 'concurrency',
  '--warmup-seconds': 'warmupSeconds',
  '--products': 'products',
};

export const USAGE = `usage: npm run bench:gate -- [--design ${GATE_DESIGNS.join('|')}] ${Object.entries(FLAGS)
  .map(([f, k]) => `[${f} ${DEFAULT_OPTIONS[k]}]`)
  .join(' ')}`;

/** The options, or an Error naming the flag and its bounds; null for --help. */
export function parseGateBenchArgs(argv: readonly string[]): GateBenchOptions | null {
  const o = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') return null;
    if (flag === '--design') {
      const d = argv[++i];
      if (!GATE_DESIGNS.includes(d as GateDesign))
        throw new Error(`--design must be one of ${GATE_DESIGNS.join(', ')} (got ${JSON.stringify(d ?? null)})`);
      o.design = d as GateDesign;
      continue;
    }
    const key = FLAGS[flag];
    if (!key) throw new Error(`unknown argument ${JSON.stringify(flag)}; ${USAGE}`);
    const raw = argv[++i];
    const v = Number(raw);
    const [lo, hi] = BOUNDS[key];
    const integer = key !== 'minutes' && key !== 'blockSeconds' && key !== 'windowSeconds' && key !== 'warmupSeconds';
    if (raw === undefined || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
      throw new Error(`${flag} must be ${integer ? 'an integer' : 'a number'} from ${lo} to ${hi} (got ${JSON.stringify(raw ?? null)})`);
    }
    o[key] = v;
  }
  return o;
}
