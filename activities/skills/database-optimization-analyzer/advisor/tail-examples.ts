// A tail saving's examples: the heaviest statements it serves, at most EXAMPLES.
import type { TailSaving } from './tail-batches';
import type { ServedStatement } from './types';

export const EXAMPLES = 3;

export function addExample(into: TailSaving, s: ServedStatement): void {
  into.examples.push(s);
  into.examples.sort((a, b) => b.totalMs - a.totalMs);
  if (into.examples.length > EXAMPLES) into.examples.length = EXAMPLES;
}

/** Whether a statement would enter a saving's examples (to compute plan excerpts only for those). */
export function wouldEnter(into: TailSaving | undefined, totalMs: number): boolean {
  return !into || into.examples.length < EXAMPLES || totalMs > into.examples[into.examples.length - 1].totalMs;
}
