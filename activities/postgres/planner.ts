// Generic plans in bulk, for the workload-wide advisor: one dedicated connection, short READ ONLY
// transactions (restarted every few statements so no lock on a planned table is held for long) with
// statement_timeout, lock_timeout and plan_cache_mode = force_generic_plan set locally. Each statement
// is PREPAREd and EXPLAINed with NULL arguments (the generic plan does not depend on them) in ONE round
// trip; the text was checked by the SQL parser to be exactly one statement, so the composite query
// cannot run anything else. Nothing is executed, only planned. Hypothetical indexes (hypopg) live in
// this backend only and are reset when the planner closes.
import type { Pool, PoolClient } from 'pg';
import { indexBody, qualifiedName, quoteIdent } from './sql-ident';
import type { Candidate } from './index-model';
import { planRoot, type PlanNode } from './plan-walk';

const STATEMENT = 'perf_orch_gp';

export interface PlannerOptions {
  statementTimeout: string; // e.g. '5s'
  lockTimeout: string; // e.g. '1s'
  /** Statements per transaction before it is ended and a new one begun. */
  statementsPerTransaction: number;
  /** Milliseconds a transaction may stay open. */
  transactionMaxMs: number;
}

export const DEFAULT_PLANNER_OPTIONS: PlannerOptions = {
  statementTimeout: '5s',
  lockTimeout: '1s',
  statementsPerTransaction: 100,
  transactionMaxMs: 500,
};

export interface PlannerStats {
  explains: number;
  explainMs: number;
  hypoExplains: number;
  hypoExplainMs: number;
  hypoCalls: number; // create/drop of hypothetical indexes
  hypoCallMs: number;
  errors: number;
}

export function emptyPlannerStats(): PlannerStats {
  return { explains: 0, explainMs: 0, hypoExplains: 0, hypoExplainMs: 0, hypoCalls: 0, hypoCallMs: 0, errors: 0 };
}

export function addPlannerStats(into: PlannerStats, s: PlannerStats): void {
  for (const k of Object.keys(into) as (keyof PlannerStats)[]) into[k] += s[k];
}

const DURATION = /^\d+(ms|s|min)?$/;

export interface HypotheticalIndex {
  oid: number;
  name: string;
}

export class GenericPlanner {
  readonly stats: PlannerStats = emptyPlannerStats();
  private inTx = false;
  private txStatements = 0;
  private txStarted = 0;
  private hypothetical = new Set<number>();
  private broken: Error | undefined;

  private constructor(
    private readonly client: PoolClient,
    private readonly opts: PlannerOptions,
    private readonly hypopgSchema: string | null,
  ) {}

  static async open(pool: Pool, hypopgSchema: string | null, opts: Partial<PlannerOptions> = {}): Promise<GenericPlanner> {
    const o = { ...DEFAULT_PLANNER_OPTIONS, ...opts };
    if (!DURATION.test(o.statementTimeout)) throw new Error(`bad statement timeout ${o.statementTimeout}`);
    if (!DURATION.test(o.lockTimeout)) throw new Error(`bad lock timeout ${o.lockTimeout}`);
    const client = await pool.connect();
    return new GenericPlanner(client, o, hypopgSchema);
  }

  private async begin(): Promise<void> {
    await this.client.query(
      `BEGIN READ ONLY; SET LOCAL statement_timeout = '${this.opts.statementTimeout}'; ` +
        `SET LOCAL lock_timeout = '${this.opts.lockTimeout}'; SET LOCAL plan_cache_mode = force_generic_plan`,
    );
    this.inTx = true;
    this.txStatements = 0;
    this.txStarted = Date.now();
  }

  private async ensureTx(): Promise<void> {
    if (
      this.inTx &&
      (this.txStatements >= this.opts.statementsPerTransaction || Date.now() - this.txStarted > this.opts.transactionMaxMs)
    ) {
      await this.client.query('ROLLBACK');
      this.inTx = false;
    }
    if (!this.inTx) await this.begin();
    this.txStatements++;
  }

  /** After an error the transaction is aborted and the statement may still be prepared. */
  private async recover(): Promise<void> {
    try {
      await this.client.query('ROLLBACK; DEALLOCATE ALL');
      this.inTx = false;
    } catch (err) {
      this.broken = err as Error;
      throw err;
    }
  }

  /**
   * The generic plan of one statement. `text` must be a single statement (checked with the parser)
   * with parameters $1..$nParams.
   */
  async explain(text: string, nParams: number, opts: { verbose?: boolean; paramTypes?: string[] } = {}): Promise<PlanNode> {
    if (this.broken) throw this.broken;
    await this.ensureTx();
    const args = nParams > 0 ? `(${Array.from({ length: nParams }, () => 'NULL').join(', ')})` : '';
    const types = opts.paramTypes ?? [];
    if (types.length !== 0 && (types.length !== nParams || !types.every((x) => x === 'unknown' || x === 'int8')))
      throw new Error(`bad parameter types ${types.join(', ')}: expected ${nParams} of unknown/int8`);
    const sql =
      `PREPARE ${STATEMENT}${types.length ? `(${types.join(', ')})` : ''} AS ${text}\n;` +
      `EXPLAIN (FORMAT JSON${opts.verbose ? ', VERBOSE' : ''}) EXECUTE ${STATEMENT}${args};` +
      `DEALLOCATE ${STATEMENT}`;
    const t0 = performance.now();
    const hypo = this.hypothetical.size > 0;
    try {
      const res = (await this.client.query(sql)) as unknown as { rows: Record<string, unknown>[] }[];
      if (!Array.isArray(res) || res.length !== 3) throw new Error('unexpected reply to the planning query');
      return planRoot(res[1].rows[0]['QUERY PLAN']);
    } catch (err) {
      this.stats.errors++;
      await this.recover();
      throw err;
    } finally {
      const ms = performance.now() - t0;
      if (hypo) {
        this.stats.hypoExplains++;
        this.stats.hypoExplainMs += ms;
      } else {
        this.stats.explains++;
        this.stats.explainMs += ms;
      }
    }
  }

  /** Creates a hypothetical btree index in this backend (nothing is built). */
  async createHypothetical(c: Pick<Candidate, 'schema' | 'table' | 'keys' | 'include' | 'method'>): Promise<HypotheticalIndex> {
    if (!this.hypopgSchema) throw new Error('hypopg is not available');
    if (c.method && c.method !== 'btree') throw new Error(`hypopg cannot model a ${c.method} index`);
    const ddl = `CREATE INDEX ON ${qualifiedName(c.schema, c.table)} ${indexBody(c.method, c.keys, c.include)}`;
    const schema = this.hypopgSchema;
    return this.hypopgCall(async () => {
      const { rows } = await this.client.query(
        `SELECT indexrelid::int8 AS oid, indexname FROM ${quoteIdent(schema)}.hypopg_create_index($1)`,
        [ddl],
      );
      if (rows.length === 0) throw new Error(`hypopg refused ${ddl}`);
      const h = { oid: Number(rows[0].oid), name: String(rows[0].indexname) };
      this.hypothetical.add(h.oid);
      return h;
    });
  }

  async dropHypothetical(h: HypotheticalIndex): Promise<void> {
    if (!this.hypopgSchema) return;
    const schema = this.hypopgSchema;
    await this.hypopgCall(async () => {
      await this.client.query(`SELECT ${quoteIdent(schema)}.hypopg_drop_index($1)`, [h.oid]);
      this.hypothetical.delete(h.oid);
    });
  }

  /** One hypopg call in the session's transaction: timed for the benchmark, the session recovered on error. */
  private async hypopgCall<T>(call: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      await this.ensureTx();
      return await call();
    } catch (err) {
      this.stats.errors++;
      await this.recover();
      throw err;
    } finally {
      this.stats.hypoCalls++;
      this.stats.hypoCallMs += performance.now() - t0;
    }
  }

  /** Ends the transaction, forgets prepared statements and hypothetical indexes; returns the client to the pool. */
  async close(): Promise<void> {
    let broken = this.broken;
    try {
      await this.client.query('ROLLBACK; DEALLOCATE ALL');
      if (this.hypopgSchema) await this.client.query(`SELECT ${quoteIdent(this.hypopgSchema)}.hypopg_reset()`);
    } catch (err) {
      broken = err as Error;
    }
    this.client.release(broken);
  }
}
