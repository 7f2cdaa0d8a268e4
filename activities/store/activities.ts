// Store activities: the durable record of runs and escalations, outside workflow history.
import type { ActivityDeps } from '../deps';
import type { OutputContract } from '../../common/output-contract';
import { OutputContractSchema } from '../../common/output-contract';
import type { EscalationInput, RunInput } from '../../common/run';
import { STORE_SCHEMA } from './schema';
import type { CheckResult } from '../../common/gate/types';
import { recordCheck } from './checks';

export function createStoreActivities({ store }: ActivityDeps) {
  return {
    async recordRunStarted(req: { workflowId: string; runId: string; input: RunInput }): Promise<void> {
      await store.query(
        `INSERT INTO ${STORE_SCHEMA}.runs (workflow_id, run_id, target, status, input) VALUES ($1, $2, $3, 'running', $4)
         ON CONFLICT (workflow_id, run_id) DO NOTHING`,
        [req.workflowId, req.runId, req.input.target.name, JSON.stringify(req.input)],
      );
    },

    /** Validates the result against the output contract before storing it. */
    async recordRunResult(req: { workflowId: string; runId: string; status: string; result: OutputContract }): Promise<void> {
      const parsed = OutputContractSchema.parse(req.result);
      await store.query(
        `UPDATE ${STORE_SCHEMA}.runs SET status = $3, result = $4, finished_at = now() WHERE workflow_id = $1 AND run_id = $2`,
        [req.workflowId, req.runId, req.status, JSON.stringify(parsed)],
      );
    },

    /** A check's result (idempotent: a retried record writes nothing twice). */
    async recordCheck(req: { workflowId: string; runId: string; result: CheckResult }): Promise<void> {
      await recordCheck(store, req);
    },

    async recordEscalation(req: { workflowId: string; input: EscalationInput }): Promise<string> {
      const { rows } = await store.query(
        `INSERT INTO ${STORE_SCHEMA}.escalations (workflow_id, target, reason, details) VALUES ($1, $2, $3, $4) RETURNING id`,
        [req.workflowId, req.input.target, req.input.reason, JSON.stringify({ summary: req.input.summary, ...req.input.details })],
      );
      return String(rows[0].id);
    },

    async updateEscalation(req: { ticketId: string; status: string; note: { at: string; by: string; text: string } }): Promise<void> {
      await store.query(
        `UPDATE ${STORE_SCHEMA}.escalations SET status = $2, notes = notes || $3::jsonb, updated_at = now() WHERE id = $1`,
        [req.ticketId, req.status, JSON.stringify([req.note])],
      );
    },
  };
}
