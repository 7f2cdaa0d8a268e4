// Index checks: duplicate indexes (one approvable drop per index; the unused ones are in unused-indexes.ts) and INVALID indexes.
import type { Finding } from '../../../../../common/types';
import { concurrentDefinition } from '../../../../../common/index-definition';
import { qualifiedName, safeToken, shortHash } from '../../../../postgres/sql-ident';
import type { HealthOptions } from '../options';
import type { HealthIndex, HealthSnapshot } from '../snapshot';
import { bytes, count } from './format';
import { counterAge, counterAgeEvidence } from './counter-age';
import { HEALTH_SOURCE, manualFinding } from './manual-finding';
import { effortDays } from '../../../../../common/rules/effort';

/**
 * One finding per droppable index (largest first, at most maxItems per kind): an approvable
 * `drop_index` action, applied only when its item id is approved explicitly, with the CREATE INDEX
 * CONCURRENTLY statement as its rollback.
 */
export function dropFindings(
  kind: 'unused' | 'duplicate',
  list: { index: HealthIndex; title: string; evidence: string[] }[],
  summary: string[],
  o: HealthOptions,
): Finding[] {
  const shown = list.slice(0, o.maxItems);
  return shown.map(({ index: i, title, evidence }) => ({
    id: `db-${kind}-index-${safeToken(i.schema)}-${safeToken(i.name)}${safeToken(i.name) === i.name ? '' : `-${shortHash(i.name)}`}`,
    layer: 'database',
    rootCause: kind === 'unused' ? 'unused_index' : 'duplicate_index',
    title,
    evidence: [
      ...evidence,
      ...summary,
      ...(list.length > shown.length ? [`one of ${list.length} ${kind} indexes; the ${shown.length} largest are in the plan`] : []),
      'the tool drops it only when this item is approved by its id (never by a plain or automatic approval)',
    ],
    estimatedLatencyReductionMs: 0,
    effortDays: effortDays('drop_index'),
    risk: kind === 'unused' ? 'medium' : 'low',
    action: { type: 'drop_index', schema: i.schema, table: i.table, indexName: i.name, definition: i.definition },
    rollback: `${concurrentDefinition(i.definition)};`,
    source: HEALTH_SOURCE,
  }));
}

/** Same operator class and collation at key position i (unknown in older snapshots: taken as the same). */
function sameKeySemantics(a: HealthIndex, b: HealthIndex, i: number): boolean {
  const same = (x?: string[], y?: string[]) => !x || !y || x[i] === y[i];
  return same(a.keyOpclasses, b.keyOpclasses) && same(a.keyCollations, b.keyCollations);
}

/** Index `a` is made redundant by `b`: same table/method/predicate, a's keys a prefix of b's, a enforces nothing b does not. */
function redundantTo(a: HealthIndex, b: HealthIndex): boolean {
  if (a === b || a.schema !== b.schema || a.table !== b.table || a.method !== b.method || a.method !== 'btree') return false;
  if (!a.valid || !b.valid || (a.predicate ?? '') !== (b.predicate ?? '')) return false;
  if (a.primary || a.constraint) return false;
  if (a.keys.length > b.keys.length) return false;
  for (let i = 0; i < a.keys.length; i++) if (a.keys[i] !== b.keys[i] || !sameKeySemantics(a, b, i)) return false;
  if (a.unique) return b.unique && a.keys.length === b.keys.length; // uniqueness on fewer columns is a different constraint
  const bCols = new Set([...b.keys, ...b.include]);
  if (!a.include.every((c) => bCols.has(c))) return false;
  if (a.keys.length === b.keys.length && a.include.length === b.include.length) return a.name > b.name; // exact twins: keep one
  return true;
}

export function duplicatePairs(s: HealthSnapshot): { dup: HealthIndex; by: HealthIndex }[] {
  const pairs: { dup: HealthIndex; by: HealthIndex }[] = [];
  for (const a of s.indexes) {
    const by = s.indexes.find((b) => redundantTo(a, b));
    if (by && !pairs.some((p) => p.dup === by && p.by === a)) pairs.push({ dup: a, by });
  }
  return pairs;
}

export function duplicateIndexes(s: HealthSnapshot, o: HealthOptions): Finding[] {
  const pairs = duplicatePairs(s).sort((a, b) => b.dup.sizeBytes - a.dup.sizeBytes);
  return dropFindings(
    'duplicate',
    pairs.map((p) => ({
      index: p.dup,
      title: `duplicate index ${p.dup.schema}.${p.dup.name} (${bytes(p.dup.sizeBytes)}): ${p.by.name} starts with the same columns`,
      evidence: [
        `${p.dup.schema}.${p.dup.name} (${p.dup.keys.join(', ')}, ${bytes(p.dup.sizeBytes)}, ` +
          `${count(p.dup.scans)} scans) is covered by ${p.by.name} ` +
          `(${p.by.keys.join(', ')}${p.by.include.length ? ` INCLUDE ${p.by.include.join(', ')}` : ''})`,
      ],
    })),
    [
      'an index whose key columns are a prefix of another index on the same table (same method and predicate) serves no statement the longer one cannot',
      // Unlike the unused check, nothing here rests on idx_scan: the minimum counter age (minCounterAgeDays) does not apply.
      `a duplicate by its definition, not by its scan counts: ${counterAgeEvidence(counterAge(s))}, which does not change this`,
    ],
    o,
  );
}

export function invalidIndexes(s: HealthSnapshot, o: HealthOptions): Finding | null {
  const list = s.indexes.filter((i) => !i.valid && !i.building);
  if (list.length === 0) return null;
  return manualFinding(
    {
      kind: 'invalid-indexes',
      rootCause: 'invalid_index',
      title: `${list.length} INVALID index${list.length > 1 ? 'es' : ''}: left by a failed CREATE INDEX CONCURRENTLY, maintained on every write but never used`,
      summary: ['pg_index.indisvalid is false and no build is in progress (pg_stat_progress_create_index)'],
      items: list.map((i) => `${i.schema}.${i.name} on ${i.table} (${i.keys.join(', ')}), ${bytes(i.sizeBytes)}`),
      steps: list.flatMap((i) => [
        `DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(i.schema, i.name)};`,
        `${concurrentDefinition(i.definition)}; -- only if the index is still wanted`,
      ]),
      rollback: 'nothing to undo: an INVALID index serves no query',
      risk: 'low',
      effort: 'rebuild_index',
    },
    o.maxItems,
  );
}
