// The engine's steady warm-up: the warm-up's per-interval throughput and p95, and the rule
// (common/warmup.ts) that says when they are steady enough to start measuring, or the cap is reached.
import { warmupOver, type SteadyWarmup } from '../../common/warmup';

export class SteadyWarmupCheck {
  private readonly rps: number[] = [];
  private readonly p95Ms: number[] = [];

  constructor(
    private readonly rule: SteadyWarmup,
    private readonly minSeconds: number,
    private readonly intervalSeconds: number,
  ) {}

  /** Adds a warm-up point; 'steady' or 'capped' when the warm-up is over. */
  add(point: { currentRps: number; p95Ms: number }, elapsedSeconds: number): 'steady' | 'capped' | null {
    this.rps.push(point.currentRps);
    this.p95Ms.push(point.p95Ms);
    return warmupOver(this.rps, this.p95Ms, elapsedSeconds, {
      ...this.rule,
      minSeconds: this.minSeconds,
      intervalSeconds: this.intervalSeconds,
    });
  }
}
