// Unused indexes: an approvable drop per index once the scan counters have run long enough (minCounterAgeDays);
// before that, one piece of advice to re-check. An index serving a foreign key is never offered for dropping:
// its finding says what would scan the table without it.
import type { Finding } from '../../../../../common/types';
import { concurrentDefinition } from '../../../../../common/index-definition';
import { qualifiedName } from '../../../../postgres/sql-ident';
import type { HealthOptions } from '../options';
import type { HealthIndex, HealthSnapshot } from '../snapshot';
import { bytes, count, since } from './format';
import { manualFinding } from './manual-finding';
import { dropFindings } from './indexes';
import { ageText, counterAge, counterAgeEvidence, countersOldEnough, recheckAfter, type CounterAge } from './counter-age';
import { fkScanText } from './foreign-key-index';

const describe = (i: HealthIndex) =>
  `${i.schema}.${i.name} on ${i.table} (${i.keys.join(', ')}): ${count(i.scans)} scans, ${bytes(i.sizeBytes)}`;

/** The index's foreign key and what would scan its table without it (an older snapshot only knows the key's name). */
function fkText(s: HealthSnapshot, i: HealthIndex): string {
  const fk = (s.foreignKeys ?? []).find((f) => f.schema === i.schema && f.table === i.table && f.name === i.foreignKey);
  if (!fk) return `it serves foreign key ${i.foreignKey}: deletes and key updates of the referenced rows look it up`;
  const rows = s.tables.find((t) => t.schema === i.schema && t.name === i.table)?.reltuples ?? i.reltuples;
  return fkScanText(fk, rows);
}

const item = (s: HealthSnapshot, i: HealthIndex) => (i.foreignKey ? `${describe(i)}; ${fkText(s, i)}` : describe(i));

export function unusedIndexes(s: HealthSnapshot, o: HealthOptions, except: Set<HealthIndex> = new Set()): Finding[] {
  const list = s.indexes
    .filter((i) => i.valid && !i.unique && !i.primary && !i.constraint && i.scans <= o.unusedIndexMaxScans && !except.has(i))
    .sort((a, b) => b.sizeBytes - a.sizeBytes);
  if (list.length === 0) return [];
  const age = counterAge(s);
  if (!countersOldEnough(age, o.minCounterAgeDays)) return [youngCounters(s, o, list, age)];
  const plain = list.filter((i) => !i.foreignKey);
  const fks = list.filter((i) => i.foreignKey);
  return [...dropUnused(s, o, plain, age), ...(fks.length ? [foreignKeyIndexes(s, o, fks, age)] : [])];
}

function dropUnused(s: HealthSnapshot, o: HealthOptions, list: HealthIndex[], age: CounterAge | null): Finding[] {
  return dropFindings(
    'unused',
    list.map((i) => ({
      index: i,
      title: `unused index ${i.schema}.${i.name} (${bytes(i.sizeBytes)}) slows down every write to ${i.table}`,
      evidence: [describe(i)],
    })),
    [
      `indexes scanned at most ${o.unusedIndexMaxScans} times ${since(s)} (pg_stat_user_indexes.idx_scan); ` +
        'unique, constraint and foreign-key indexes excluded',
      `${counterAgeEvidence(age)}; at least ${o.minCounterAgeDays} days are required (minCounterAgeDays)`,
      'scans on replicas are not counted here: check them before dropping; drop only after a full business cycle (month-end jobs, reports)',
    ],
    o,
  );
}

/** Counters younger than the minimum: no drop, the indexes listed with the date to re-check them. */
function youngCounters(s: HealthSnapshot, o: HealthOptions, list: HealthIndex[], age: CounterAge | null): Finding {
  const after = recheckAfter(age, o.minCounterAgeDays, s.takenAt);
  const n = list.length;
  return manualFinding(
    {
      kind: 'unused-indexes-young-counters',
      rootCause: 'unused_index',
      title:
        `${n} index${n > 1 ? 'es' : ''} scanned at most ${o.unusedIndexMaxScans} times, but the scan counters have run only ` +
        `${age ? ageText(age.hours) : 'an unknown time'} (minimum ${o.minCounterAgeDays} days): no drop proposed, re-check after ${after}`,
      summary: [
        counterAgeEvidence(age),
        `below the minimum of ${o.minCounterAgeDays} days (health option minCounterAgeDays, database.advisor.minCounterAgeDays in the profile): ` +
          'a weekly or monthly job may not have run yet, so no index is proposed for dropping',
      ],
      items: list.map((i) => item(s, i)),
      steps: [
        `re-run the analysis after ${after}: the counters will then have run ${o.minCounterAgeDays} days`,
        ...list.map(
          (i) =>
            `SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelid = '${qualifiedName(i.schema, i.name).replace(/'/g, "''")}'::regclass;`,
        ),
      ],
      rollback: 'nothing to undo: nothing is changed',
      risk: 'low',
      effort: 'drop_index',
    },
    o.maxItems,
  );
}

/** Indexes that serve a foreign key: advice only, saying what would scan the referencing table without them. */
function foreignKeyIndexes(s: HealthSnapshot, o: HealthOptions, list: HealthIndex[], age: CounterAge | null): Finding {
  const n = list.length;
  return manualFinding(
    {
      kind: 'foreign-key-indexes',
      rootCause: 'unused_index',
      title:
        `${n} index${n > 1 ? 'es' : ''} on foreign-key columns scanned at most ${o.unusedIndexMaxScans} times: kept, ` +
        'ON DELETE/UPDATE of the referenced rows would scan the table without them',
      summary: [
        `scanned at most ${o.unusedIndexMaxScans} times ${since(s)}; ${counterAgeEvidence(age)}`,
        'each leads with the referencing columns of a foreign key: the checks and cascades of deletes and key updates of the ' +
          'referenced rows use it, which the scan counters may not show (a month-end purge); not proposed for dropping',
      ],
      items: list.map((i) => item(s, i)),
      steps: list.flatMap((i) => [
        `${qualifiedName(i.schema, i.name)}: drop it only if no DELETE of the referenced rows nor UPDATE of their key runs ` +
          '(pg_stat_statements, over a full business cycle), then: ' +
          `DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(i.schema, i.name)}; (NOT applied by the tool)`,
      ]),
      rollback: list.map((i) => `${concurrentDefinition(i.definition)};`).join(' '),
      risk: 'medium',
      effort: 'drop_index',
    },
    o.maxItems,
  );
}
