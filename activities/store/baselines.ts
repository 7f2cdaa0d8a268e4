// The gate's baseline activities: the baseline a check compares with, read from the store. The
// summary comes without the histograms (they stay in the store): workflow histories stay small.
import { ApplicationFailure } from '@temporalio/common';
import type { StoredBaseline } from '../../common/gate/types';
import type { LoadTestSummary } from '../../common/types';
import type { ActivityDeps } from '../deps';
import { getBaseline, latestPinned, recentPassingChecks } from './queries/baselines';

export function createBaselineActivities({ store }: Pick<ActivityDeps, 'store'>) {
  return {
    /** Baseline `id` (it must be the target's), else the target's latest pinned one; null when it has none. */
    async loadBaseline(req: { target: string; id?: string }): Promise<StoredBaseline | null> {
      if (req.id === undefined) return latestPinned(store, req.target);
      const b = await getBaseline(store, req.id);
      if (!b)
        throw ApplicationFailure.nonRetryable(`baseline ${req.id} is not in the store (see perf-orch baseline list)`, 'BaselineNotFound');
      if (b.target !== req.target) {
        throw ApplicationFailure.nonRetryable(`baseline ${req.id} is of target "${b.target}", not "${req.target}"`, 'BaselineNotFound');
      }
      return b;
    },

    /** The measured summaries of the target's last `n` passing checks, newest first. */
    recentPassingChecks(req: { target: string; n: number }): Promise<LoadTestSummary[]> {
      return recentPassingChecks(store, req.target, req.n);
    },
  };
}
