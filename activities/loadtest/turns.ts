// Two load engines taking turns in short slices: the baseline deployment and the candidate are loaded
// one at a time, switching every few hundred milliseconds, so whatever the host does in a given second
// hits both sides within that second, and neither competes with the other for the cores. The order of
// each pair of slices is drawn at random (a periodic disturbance, a timer every second, would
// otherwise always land on the same side: strict alternation read one side 1.4-6% faster in an A/A).
//
// A closed-model virtual user whose side is not on turn waits at the gate (engine.ts: issueClosed) and
// sends when its side's turn comes; requests already in flight finish in the other side's turn.
import type { Rng } from './scenario';

export type Side = 'baseline' | 'candidate';

/** What one engine sees of the turns. */
export interface TurnGate {
  isOpen(): boolean;
  /** Calls `send` when the side's turn comes (at once when it is its turn). */
  wait(send: () => void): void;
}

/** The order of one pair of slices: baseline first or candidate first, at random. */
export function pairOrder(rng: Rng): [Side, Side] {
  return rng() < 0.5 ? ['baseline', 'candidate'] : ['candidate', 'baseline'];
}

export class Turns {
  private current: Side | 'both' = 'both';
  private readonly waiting: Record<Side, (() => void)[]> = { baseline: [], candidate: [] };
  private readonly openMs: Record<Side, number> = { baseline: 0, candidate: 0 };
  private since = 0;
  private queue: Side[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private nextAt = 0;

  constructor(
    private readonly sliceMs: number,
    private readonly rng: Rng,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(sliceMs >= 10) || sliceMs > 60_000) throw new RangeError(`sliceMs must be in [10, 60000], got ${sliceMs}`);
  }

  /** Starts taking turns. */
  start(): void {
    this.nextAt = this.now();
    this.advance();
  }

  /** Ends the turns: both sides open, every waiting user released. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.switchTo('both');
  }

  /** Milliseconds each side has had its turn so far (both count while stopped). */
  turnMs(side: Side): number {
    return this.openMs[side] + (this.current === side || this.current === 'both' ? this.now() - this.since : 0);
  }

  gate(side: Side): TurnGate {
    return {
      isOpen: () => this.current === side || this.current === 'both',
      wait: (send) => {
        if (this.current === side || this.current === 'both') send();
        else this.waiting[side].push(send);
      },
    };
  }

  private advance(): void {
    if (this.queue.length === 0) this.queue = pairOrder(this.rng);
    this.switchTo(this.queue.shift()!);
    // Scheduled on absolute times: a late timer does not stretch every later slice.
    this.nextAt += this.sliceMs;
    this.timer = setTimeout(() => this.advance(), Math.max(0, this.nextAt - this.now()));
  }

  private switchTo(next: Side | 'both'): void {
    const t = this.now();
    if (this.current === 'both') {
      if (this.since > 0) for (const s of ['baseline', 'candidate'] as const) this.openMs[s] += t - this.since;
    } else this.openMs[this.current] += t - this.since;
    this.current = next;
    this.since = t;
    const release = next === 'both' ? (['baseline', 'candidate'] as const) : [next];
    for (const s of release) {
      const list = this.waiting[s];
      this.waiting[s] = [];
      for (const send of list) send();
    }
  }
}

/** Resolves once `n` callers have arrived. */
function barrier(n: number, onAll: () => void): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const all = new Promise<void>((r) => (open = r));
  return () => {
    if (++arrived === n) {
      onAll();
      open();
    }
    return all;
  };
}

/** What each side's run gets: its gate, and a wait to call right before its load starts (both start together). */
export interface SideHooks {
  turn: TurnGate;
  beforeLoad: () => Promise<void>;
}

/**
 * Runs both sides at once, taking turns every sliceMs from when both are ready; the share of the
 * time each had its turn (about a half) comes back with their results.
 */
export async function takeTurns<R>(
  sliceMs: number,
  rng: Rng,
  runSide: (side: Side, hooks: SideHooks) => Promise<R>,
): Promise<{ baseline: R; candidate: R; share: Record<Side, number> }> {
  const turns = new Turns(sliceMs, rng);
  const beforeLoad = barrier(2, () => turns.start());
  let results: [R, R];
  try {
    results = await Promise.all([
      runSide('baseline', { turn: turns.gate('baseline'), beforeLoad }),
      runSide('candidate', { turn: turns.gate('candidate'), beforeLoad }),
    ]);
  } finally {
    turns.stop();
  }
  const total = turns.turnMs('baseline') + turns.turnMs('candidate');
  const share = (s: Side): number => (total > 0 ? Math.round((turns.turnMs(s) / total) * 1000) / 1000 : 0.5);
  return { baseline: results[0], candidate: results[1], share: { baseline: share('baseline'), candidate: share('candidate') } };
}
