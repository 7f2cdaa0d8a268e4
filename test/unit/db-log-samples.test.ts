// Real parameter values from the PostgreSQL log: log line prefixes, the entries' statements and
// parameters, binding them into literal texts, and the harvest by fingerprint. The fixture is a real
// PostgreSQL 15 log (Debian's prefix `%m [%p] %q%u@%d `, log_min_duration_statement = 0 on two
// databases, node-postgres with the extended protocol, auto_explain in text and JSON format).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { autoExplainStatement, loggedStatements, parseParameters } from '../../activities/postgres/log-entries';
import { logLinePattern, prefixHasDatabase } from '../../activities/postgres/log-prefix';
import { bindParameters, harvestLogSamples, literalShape } from '../../activities/postgres/log-samples';
import { ensureParser } from '../../activities/postgres/sql-parse';

const LOG = readFileSync(join(__dirname, '../fixtures/postgresql-15-logparams.log.txt'), 'utf8');
const DEBIAN = '%m [%p] %q%u@%d ';
const PROBE = 'perf_test_logparams_probe';

before(async () => {
  assert.equal(await ensureParser(), true);
});

test('log_line_prefix -> line pattern: default and Debian prefixes, %q optional, %d and %p captured', () => {
  const debian = logLinePattern(DEBIAN);
  const g = debian.exec('2026-11-30 12:47:54.880 UTC [11747] postgres@shop db LOG:  duration: 0.1 ms  statement: SELECT 1')!.groups!;
  assert.deepEqual([g.pid, g.db, g.sev, g.msg], ['11747', 'shop db', 'LOG', 'duration: 0.1 ms  statement: SELECT 1']);
  const bg = debian.exec('2026-11-30 12:44:53.531 UTC [5458] LOG:  listening on IPv4 address "127.0.0.1", port 5432')!.groups!;
  assert.deepEqual([bg.pid, bg.db, bg.sev], ['5458', undefined, 'LOG']);
  const plain = logLinePattern('%m [%p] ').exec('2026-11-30 12:47:54.880 UTC [11747] DETAIL:  parameters: $1 = NULL')!.groups!;
  assert.deepEqual([plain.pid, plain.db, plain.sev], ['11747', undefined, 'DETAIL']);
  const custom = logLinePattern('%t [%p-%l] %q%u@%d,app=%a %%x ');
  assert.equal(custom.exec('2026-11-30 12:47:54 CET [7-3] u@db1,app=psql %x LOG:  statement: SELECT 1')?.groups?.db, 'db1');
  assert.equal(logLinePattern(DEBIAN).test('\tFROM t'), false, 'a continuation line is no log line');
  assert.equal(logLinePattern(DEBIAN).test('root:x:0:0:root:/root:/bin/bash'), false);
  assert.equal(logLinePattern('%d %d ').exec('a a LOG:  x')?.groups?.db, 'a', 'a repeated escape is captured once');
  assert.equal(prefixHasDatabase(DEBIAN), true);
  assert.equal(prefixHasDatabase('%m [%p] '), false);
  assert.equal(prefixHasDatabase('%m %%d '), false);
});

test('parameters: quoted values with doubled quotes and newlines, NULL; truncated or incomplete lists are refused', () => {
  assert.deepEqual(parseParameters(`$1 = '42', $2 = 'it''s "x"\nnext line'`), ["'42'", `'it''s "x"\nnext line'`]);
  assert.deepEqual(parseParameters('$1 = NULL'), ['NULL']);
  assert.deepEqual(parseParameters("$2 = 'b', $1 = 'a'"), ["'a'", "'b'"]);
  assert.equal(parseParameters("$1 = 'abcd...'"), null, 'cut by log_parameter_max_length: not the value sent');
  assert.equal(parseParameters("$2 = 'b'"), null, '$1 missing');
  assert.equal(parseParameters("$1 = 'open"), null);
  assert.equal(parseParameters("$1 = 'a' $2 = 'b'"), null);
  assert.equal(parseParameters('$1 = 42'), null);
});

test('the real PostgreSQL 15 log: extended protocol with its DETAIL line, simple protocol, auto_explain; only the database asked for', () => {
  const got = loggedStatements(LOG, { logLinePrefix: DEBIAN, database: PROBE });
  const texts = got.map((s) => `${s.text.replace(/\n/g, '\\n')} | ${s.params.join(', ')}`);
  assert.ok(texts.includes(`SELECT id FROM t WHERE id = $1 AND s = $2 | '42', 'it''s "x"\nnext line'`), texts.join('\n'));
  assert.ok(texts.includes('SELECT id\\nFROM t\\n\tWHERE s = $1 OR s IS NULL | NULL'), 'a named statement, its text over three lines');
  assert.ok(texts.includes("SELECT id FROM t WHERE s = 'lit' AND id = 7 | "), 'simple protocol: the literal text');
  assert.ok(texts.includes("SELECT id FROM t WHERE id = ANY($1) LIMIT $2 | '{1,2,3}', '10'"));
  assert.ok(texts.includes("SELECT id FROM t WHERE s = $1 AND d > $2 | 'Zoë ünïcode', '2024-01-02'"));
  assert.equal(
    texts.filter((t) => t === "SELECT id\\nFROM t WHERE s = 'multi'\\n AND id = 3 | ").length,
    2,
    'auto_explain text + the statement line',
  );
  assert.ok(texts.includes('SELECT id FROM t WHERE id = $1 | '), 'auto_explain JSON (PostgreSQL 15: no parameters)');
  assert.ok(!texts.some((t) => t.includes('abcd')), 'the truncated value is dropped');
  assert.ok(!texts.some((t) => t.includes('other db')), 'the other database is left out');
  assert.ok(!texts.some((t) => t.startsWith('parse ') || t.includes('checkpoint')));
  const all = loggedStatements(LOG, { logLinePrefix: DEBIAN });
  assert.ok(
    all.some((s) => s.params.includes("'other db'")),
    'without a database every entry is read',
  );
  // The default prefix (no %d): the same lines without `user@db `.
  const plain = LOG.replace(/\] postgres@perf_test_logparams_\w+ /g, '] ');
  assert.equal(loggedStatements(plain, { logLinePrefix: '%m [%p] ', database: PROBE }).length, all.length);
});

test('interleaved backends: each DETAIL goes to its own backend LOG line; a LOG line without its DETAIL gives nothing', () => {
  const l = (pid: number, rest: string) => `2026-11-30 12:00:00.000 UTC [${pid}] u@db ${rest}`;
  const log = [
    l(1, 'LOG:  duration: 1.0 ms  execute <unnamed>: SELECT a FROM t WHERE a = $1'),
    l(2, 'LOG:  duration: 1.0 ms  execute S_2: SELECT b FROM t WHERE b = $1'),
    l(1, "DETAIL:  parameters: $1 = '1'"),
    l(2, 'LOG:  duration: 1.0 ms  statement: SELECT 2'),
    l(2, "DETAIL:  parameters: $1 = '2'"),
    'garbage that is no log line',
    '\tnor is its continuation',
  ].join('\n');
  assert.deepEqual(loggedStatements(log, { logLinePrefix: DEBIAN }), [
    { text: 'SELECT a FROM t WHERE a = $1', params: ["'1'"] },
    { text: 'SELECT 2', params: [] },
  ]);
});

test('auto_explain: text with Query Parameters (PostgreSQL 16+ format), JSON, and a text without a plan', () => {
  const text =
    "Query Text: SELECT id FROM t\nWHERE s = $1\nQuery Parameters: $1 = 'a\nb'\nSeq Scan on t  (cost=0.00..25.00 rows=6 width=4)\n  Filter: (s = 'x')";
  assert.deepEqual(autoExplainStatement(text), { text: 'SELECT id FROM t\nWHERE s = $1', params: ["'a\nb'"] });
  const json = JSON.stringify({ 'Query Text': 'SELECT id FROM t WHERE id = $1', 'Query Parameters': "$1 = '6'", Plan: {} });
  assert.deepEqual(autoExplainStatement(json), { text: 'SELECT id FROM t WHERE id = $1', params: ["'6'"] });
  assert.equal(autoExplainStatement('Query Text: SELECT 1\nno plan here'), null);
  assert.equal(autoExplainStatement('{ broken'), null);
});

test('binding: $n tokens only (not in strings or comments), byte offsets past multibyte text, $10 is not $1', () => {
  assert.equal(bindParameters("SELECT 'Zoë', $1 -- $2\n", ["'x'"]), "SELECT 'Zoë', 'x' -- $2\n");
  const ten = Array.from({ length: 10 }, (_, i) => `'${i + 1}'`);
  assert.equal(bindParameters('SELECT $10, $1', ten), "SELECT '10', '1'");
  assert.equal(bindParameters('SELECT $2', ["'1'"]), null);
  assert.equal(bindParameters("SELECT '$1' || $1::int", ['NULL']), "SELECT '$1' || NULL::int");
});

test('harvest from the log: matched by fingerprint to the window statements, values written in, a few per statement', () => {
  const logged = loggedStatements(LOG, { logLinePrefix: DEBIAN, database: PROBE });
  const statements = [
    { queryid: 'a', query: 'SELECT id FROM t WHERE id = $1 AND s = $2' },
    { queryid: 'b', query: 'SELECT id FROM t WHERE id = ANY($1) LIMIT $2' },
    { queryid: 'd', query: 'SELECT id FROM t WHERE id = $1' },
    { queryid: 'e', query: 'SELECT id FROM t WHERE s = $1' },
  ];
  const m = harvestLogSamples(logged, statements);
  // pg_query's fingerprint takes `s = 'lit' AND id = 7` for the same statement (AND's operands in either order).
  assert.deepEqual(m.get('a'), [
    `SELECT id FROM t WHERE id = '42' AND s = 'it''s "x"\nnext line'`,
    "SELECT id FROM t WHERE s = 'lit' AND id = 7",
    "SELECT id\nFROM t WHERE s = 'multi'\n AND id = 3",
  ]);
  assert.deepEqual(m.get('b'), ["SELECT id FROM t WHERE id = ANY('{1,2,3}') LIMIT '10'"]);
  assert.deepEqual(m.get('d'), ["SELECT id FROM t WHERE id = '6'"], "the execute's DETAIL line; auto_explain has no value");
  assert.equal(m.has('e'), false, 'only a truncated value: none');
  const many = Array.from({ length: 6 }, (_, i) => ({ text: 'SELECT id FROM t WHERE id = $1', params: [`'${i}'`] }));
  assert.equal(harvestLogSamples(many, statements).get('d')?.length, 3);
  // Simple-protocol calls differ only in their literals: one shape, fingerprinted once.
  assert.equal(literalShape("SELECT a1 FROM t WHERE s = 'it''s' AND n = -4.5e3"), "SELECT a1 FROM t WHERE s = '?' AND n = ?");
  const simple = Array.from({ length: 5 }, (_, i) => ({ text: `SELECT id FROM t WHERE id = ${i}`, params: [] }));
  assert.deepEqual(harvestLogSamples(simple, statements).get('d'), [
    'SELECT id FROM t WHERE id = 0',
    'SELECT id FROM t WHERE id = 1',
    'SELECT id FROM t WHERE id = 2',
  ]);
  const noValues = [...Array.from({ length: 5 }, () => ({ text: 'SELECT id FROM t WHERE id = $1', params: [] })), many[0]];
  assert.deepEqual(
    harvestLogSamples(noValues, statements).get('d'),
    ["SELECT id FROM t WHERE id = '0'"],
    'entries without values take no place',
  );
});
