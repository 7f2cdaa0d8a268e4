// Maintenance checks: bloat, stale planner statistics, sequences near exhaustion and transaction ID wraparound.
import type { Finding } from '../../../../../common/types';
import { round } from '../../../../../common/round';
import { qualifiedName, quoteIdent } from '../../../../postgres/sql-ident';
import type { HealthOptions } from '../options';
import type { HealthSnapshot } from '../snapshot';
import { bytes, count } from './format';
import { manualFinding } from './manual-finding';
import { expectedIndexPages, expectedTablePages } from './page-estimates';
import { settingNumber } from './settings';

export function bloat(s: HealthSnapshot, o: HealthOptions): Finding | null {
  const items: string[] = [];
  const steps: string[] = [];
  let wasted = 0;
  for (const t of s.tables) {
    const expected = expectedTablePages(t, s.blockSize);
    const deadShare = t.liveTuples + t.deadTuples > 0 ? t.deadTuples / (t.liveTuples + t.deadTuples) : 0;
    const vacuumBehind = t.deadTuples >= o.deadTupleMinCount && deadShare >= o.deadTupleMinFraction;
    let tableBloat = false;
    if (expected !== null && t.relpages > 0) {
      const waste = Math.max(0, t.relpages - expected) * s.blockSize;
      if (waste >= o.bloatMinBytes && waste / (t.relpages * s.blockSize) >= o.bloatMinFraction) {
        tableBloat = true;
        wasted += waste;
        items.push(
          `table ${t.schema}.${t.name}: ~${bytes(waste)} of ${bytes(t.relpages * s.blockSize)} is free space ` +
            `(${round((100 * waste) / (t.relpages * s.blockSize), 1)}%), ${count(t.deadTuples)} dead rows`,
        );
      }
    }
    if (vacuumBehind && !tableBloat) {
      items.push(
        `table ${t.schema}.${t.name}: ${count(t.deadTuples)} dead rows (${round(100 * deadShare, 1)}% of its rows), last vacuum ${t.lastVacuum ?? 'never'}`,
      );
    }
    if (vacuumBehind || tableBloat) steps.push(`VACUUM (VERBOSE, ANALYZE) ${qualifiedName(t.schema, t.name)};`);
    if (tableBloat) {
      steps.push(
        `to give the space back to the OS, rewrite ${t.schema}.${t.name} in a maintenance window: ` +
          `pg_repack --table=${quoteIdent(t.schema)}.${quoteIdent(t.name)} (online), ` +
          `or VACUUM FULL ${qualifiedName(t.schema, t.name)}; (locks the table: NOT applied by the tool)`,
      );
    }
  }
  for (const i of s.indexes) {
    if (!i.valid || i.method !== 'btree') continue;
    const expected = expectedIndexPages(i, s.blockSize);
    if (expected === null || i.relpages <= 0) continue;
    const waste = Math.max(0, i.relpages - expected) * s.blockSize;
    if (waste >= o.bloatMinBytes && waste / (i.relpages * s.blockSize) >= o.bloatMinFraction) {
      wasted += waste;
      items.push(
        `index ${i.schema}.${i.name} on ${i.table}: ~${bytes(waste)} of ${bytes(i.sizeBytes)} wasted ` +
          `(${round((100 * waste) / (i.relpages * s.blockSize), 1)}%)`,
      );
      steps.push(`REINDEX INDEX CONCURRENTLY ${qualifiedName(i.schema, i.name)};`);
    }
  }
  if (items.length === 0) return null;
  return manualFinding(
    {
      kind: 'bloat',
      rootCause: 'bloat',
      title: `Bloat: ~${bytes(wasted)} of tables and indexes is dead space, or VACUUM is behind`,
      summary: [
        'estimate from pg_class.relpages against the size the rows need (row widths from pg_stats, fillfactor, headers); ' +
          'for exact figures use the pgstattuple extension',
        `thresholds: at least ${bytes(o.bloatMinBytes)} and ${round(o.bloatMinFraction * 100, 1)}% wasted, ` +
          `or ${count(o.deadTupleMinCount)} dead rows and ${round(o.deadTupleMinFraction * 100, 1)}% of the table`,
      ],
      items,
      steps: [
        ...steps,
        'if autovacuum is behind on a busy table: ALTER TABLE <table> SET (autovacuum_vacuum_scale_factor = 0.02); ' +
          '(and check for long transactions holding back the xmin horizon)',
      ],
      rollback:
        'nothing to undo: VACUUM and REINDEX CONCURRENTLY change no data; ' +
        'reset a per-table autovacuum setting with ALTER TABLE <table> RESET (autovacuum_vacuum_scale_factor);',
      risk: 'low',
      effort: 'vacuum',
    },
    o.maxItems,
  );
}

export function staleStatistics(s: HealthSnapshot, o: HealthOptions): Finding | null {
  const threshold = settingNumber(s, 'autovacuum_analyze_threshold', 50);
  const scale = settingNumber(s, 'autovacuum_analyze_scale_factor', 0.1);
  const list = s.tables
    .map((t) => {
      const base = Math.max(t.reltuples, t.liveTuples);
      const trigger = threshold + scale * base;
      const never = t.lastAnalyze === null && t.liveTuples >= o.staleStatsMinRows;
      const stale = t.modsSinceAnalyze >= Math.max(o.staleStatsMinRows, trigger * o.staleStatsFactor);
      return { t, trigger, never, stale };
    })
    .filter((x) => x.never || x.stale)
    .sort((a, b) => b.t.modsSinceAnalyze - a.t.modsSinceAnalyze);
  if (list.length === 0) return null;
  return manualFinding(
    {
      kind: 'stale-statistics',
      rootCause: 'stale_statistics',
      title: `Stale planner statistics on ${list.length} table${list.length > 1 ? 's' : ''}: plans are chosen on wrong row counts`,
      summary: [
        `tables never analyzed, or modified more than ${o.staleStatsFactor} x autovacuum's analyze trigger ` +
          `(autovacuum_analyze_threshold ${threshold} + scale factor ${scale} x rows) since the last ANALYZE`,
      ],
      items: list.map(
        (x) =>
          `${x.t.schema}.${x.t.name}: ${count(x.t.modsSinceAnalyze)} rows modified since the last analyze ` +
          `(${x.t.lastAnalyze ?? 'never'}), trigger ${count(x.trigger)}`,
      ),
      steps: [
        ...list.map((x) => `ANALYZE ${qualifiedName(x.t.schema, x.t.name)};`),
        'if it recurs on a busy table: ALTER TABLE <table> SET (autovacuum_analyze_scale_factor = 0.02);',
      ],
      rollback:
        'nothing to undo (ANALYZE only refreshes statistics); reset a per-table setting with ALTER TABLE <table> RESET (autovacuum_analyze_scale_factor);',
      risk: 'low',
      effort: 'statistics',
    },
    o.maxItems,
  );
}

export function sequences(s: HealthSnapshot, o: HealthOptions): Finding | null {
  const list = s.sequences
    .filter((q) => q.lastValue !== null && !q.cycle && q.increment > 0)
    .map((q) => {
      const limit = Math.min(q.maxValue, q.column?.max ?? q.maxValue);
      return { q, limit, used: q.lastValue! / limit };
    })
    .filter((x) => x.used >= o.sequenceMaxFraction)
    .sort((a, b) => b.used - a.used);
  if (list.length === 0) return null;
  return manualFinding(
    {
      kind: 'sequences',
      rootCause: 'sequence_exhaustion',
      title: `${list.length} sequence${list.length > 1 ? 's' : ''} near exhaustion (up to ${round(list[0].used * 100, 1)}% used): inserts will fail`,
      summary: [
        `sequences whose last value is at least ${round(o.sequenceMaxFraction * 100, 1)}% of their maximum or of the type of the column they feed`,
      ],
      items: list.map(
        (x) =>
          `${x.q.schema}.${x.q.name}: ${count(x.q.lastValue!)} of ${count(x.limit)} (${round(x.used * 100, 2)}%)` +
          `${x.q.column ? ` feeding ${x.q.column.schema}.${x.q.column.table}.${x.q.column.name} (${x.q.column.type})` : ''}`,
      ),
      steps: list.flatMap((x) => {
        const seq = qualifiedName(x.q.schema, x.q.name);
        if (x.q.column && x.q.column.type !== 'bigint') {
          return [
            `${x.q.column.schema}.${x.q.column.table}.${x.q.column.name} is ${x.q.column.type}: ` +
              `widen it in a maintenance window (rewrites and locks the table: NOT applied by the tool; ` +
              `online alternative: add a bigint column, backfill in batches, swap): ` +
              `ALTER TABLE ${qualifiedName(x.q.column.schema, x.q.column.table)} ALTER COLUMN ${quoteIdent(x.q.column.name)} TYPE bigint;`,
            `ALTER SEQUENCE ${seq} AS bigint;`,
          ];
        }
        // The exact bigint maximum: the number type would print 9223372036854776000, which PostgreSQL refuses.
        return [`ALTER SEQUENCE ${seq} AS bigint MAXVALUE 9223372036854775807;`];
      }),
      rollback: 'a widened column or sequence is not narrowed back (the values may no longer fit); take a backup before the change',
      risk: 'high',
      effort: 'column_type',
    },
    o.maxItems,
  );
}

export function wraparound(s: HealthSnapshot, o: HealthOptions): Finding | null {
  const freezeMax = settingNumber(s, 'autovacuum_freeze_max_age', 200_000_000);
  const limit = Math.min(o.xidAgeWarn, freezeMax * o.xidAgeFreezeFactor);
  const mxFreezeMax = settingNumber(s, 'autovacuum_multixact_freeze_max_age', 400_000_000);
  const dbOld = s.database.xidAge >= limit;
  const mxOld = s.database.mxidAge >= Math.min(o.xidAgeWarn, mxFreezeMax * o.xidAgeFreezeFactor);
  const tables = s.tables.filter((t) => t.xidAge >= limit).sort((a, b) => b.xidAge - a.xidAge);
  if (!dbOld && !mxOld && tables.length === 0) return null;
  const remaining = 2 ** 31 - 3_000_000 - s.database.xidAge;
  const holders = [
    ...s.preparedXacts.map(
      (p) => `prepared transaction ${p.gid} open for ${round(p.ageMs / 3_600_000, 1)} h: COMMIT PREPARED or ROLLBACK PREPARED '${p.gid}';`,
    ),
    ...s.replicationSlots
      .filter((r) => r.xminAge !== null && r.xminAge > freezeMax)
      .map(
        (r) =>
          `replication slot ${r.name} (${r.active ? 'active' : 'inactive'}) holds xmin ${count(r.xminAge!)} old: ` +
          `SELECT pg_drop_replication_slot('${r.name}'); if it is abandoned`,
      ),
  ];
  return manualFinding(
    {
      kind: 'wraparound',
      rootCause: 'wraparound_risk',
      title:
        `Transaction ID wraparound risk: database ${s.database.name} is ${count(s.database.xidAge)} transactions old ` +
        `(${count(Math.max(0, remaining))} left before PostgreSQL stops writes)`,
      summary: [
        `age(datfrozenxid) ${count(s.database.xidAge)}, mxid_age(datminmxid) ${count(s.database.mxidAge)}; ` +
          `warning above ${count(limit)} ` +
          `(the lower of ${count(o.xidAgeWarn)} and ${o.xidAgeFreezeFactor} x autovacuum_freeze_max_age ${count(freezeMax)})`,
      ],
      items: [...tables.map((t) => `${t.schema}.${t.name}: age(relfrozenxid) ${count(t.xidAge)}, ${bytes(t.sizeBytes)}`), ...holders],
      steps: [
        ...tables.map((t) => `VACUUM (FREEZE, VERBOSE) ${qualifiedName(t.schema, t.name)};`),
        'find what holds the xmin horizon back: long transactions (pg_stat_activity.backend_xmin), ' +
          'prepared transactions (pg_prepared_xacts), replication slots (pg_replication_slots.xmin)',
        ...holders,
      ],
      rollback: 'nothing to undo: VACUUM FREEZE changes no data',
      risk: 'high',
      effort: 'vacuum',
    },
    o.maxItems,
  );
}
