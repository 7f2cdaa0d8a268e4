// A deterministic corpus of hostile target profiles: each case is a valid profile with one field
// broken (CR/LF/NUL and other control characters, schemes, credentials, huge or non-finite numbers,
// unknown keys, unicode look-alikes) and knows that field, so a test can check the refusal names it.
// Seeded (mulberry32): the same seed gives the same corpus; PERF_FUZZ_SEED picks another.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { parseTargetProfile } from '../../common/profile';
import { printable } from '../../common/printable';
import { mulberry32, type Rng } from '../../common/seeded-random';

export type Category = 'control' | 'scheme' | 'credentials' | 'number' | 'unknown-key' | 'unicode' | 'template';

export interface HostileCase {
  id: string;
  category: Category;
  /** What was done, for assertion messages. */
  what: string;
  /** The dotted path of the broken field, as the error prints it ("load", "http.baseUrl", ...). */
  field: string;
  /** For unknown keys: the key, reported at `field` (its parent; "(root)" at the top). */
  key?: string;
  profile: Record<string, unknown>;
  /** The profile holds NaN or an infinity, which only YAML can write (JSON turns them into null). */
  needsYaml: boolean;
}

export interface CorpusTarget {
  /** A valid, parsed profile to mutate (with its defaults). */
  base: Record<string, unknown>;
  /** host:port of http.baseUrl and of process.inspectorUrl: mutated URLs keep pointing there. */
  http: string;
  inspector: string;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const pickN = <T>(rng: Rng, items: readonly T[], n: number): T[] => {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length) out.push(pool.splice(Math.floor(rng() * pool.length), 1)[0]);
  return out;
};
/** `text` with `ch` inserted at a random position after its first `keep` characters. */
const insert = (rng: Rng, text: string, ch: string, keep = 1): string => {
  const at = keep + Math.floor(rng() * (text.length - keep + 1));
  return text.slice(0, at) + ch + text.slice(at);
};

function setAt(obj: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let o = obj as Record<string | number, unknown>;
  path.slice(0, -1).forEach((k, i) => {
    o[k] ??= typeof path[i + 1] === 'number' ? [] : {};
    o = o[k] as Record<string | number, unknown>;
  });
  Object.defineProperty(o, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
}

// C0 controls but tab, DEL and C1 controls: each would end a header or split a request line somewhere.
const OTHER_CONTROLS = [...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).filter((c) => !'\t\r\n\0'.includes(c))];
// DEL and C1 controls (NEL ends a line for some parsers; CSI starts a terminal escape).
const HIGH_CONTROLS = ['\u007f', '\u0085', '\u009b', '\u0080'];
const SPLITTERS = ['\r', '\n', '\r\n', '\0'];

/** Strings that end up in a request line, a header, a host or an SQL name, with where each goes. */
function stringFields(t: CorpusTarget): { field: (string | number)[]; value: string; keep: number; tabOk?: boolean }[] {
  const b = t.base as { http: { endpoints: { path: string }[] } };
  return [
    { field: ['http', 'baseUrl'], value: `http://${t.http}`, keep: 'http://'.length },
    { field: ['http', 'endpoints', 0, 'path'], value: b.http.endpoints[0].path, keep: 1 },
    { field: ['http', 'endpoints', 1, 'path'], value: b.http.endpoints[1].path, keep: 1 },
    { field: ['http', 'endpoints', 0, 'headers', 'x-fuzz'], value: 'fuzz-value', keep: 0, tabOk: true },
    { field: ['http', 'endpoints', 0, 'variables', 'v', 'list', 0], value: 'item', keep: 0, tabOk: true },
    { field: ['http', 'setup', 0, 'path'], value: '/api/login', keep: 1 },
    { field: ['http', 'setup', 0, 'headers', 'x-fuzz'], value: 'fuzz-value', keep: 0, tabOk: true },
    { field: ['http', 'setup', 0, 'extract', 'token', 'json'], value: '$.user.token', keep: 1 },
    { field: ['http', 'allowedHosts', 0], value: t.http.split(':')[0], keep: 0 },
    { field: ['process', 'inspectorUrl'], value: `http://${t.inspector}`, keep: 'http://'.length },
    { field: ['actions', 'featureToggles', 0, 'url'], value: '/admin/toggles', keep: 1 },
    { field: ['database', 'schemas', 0], value: 'public', keep: 0 },
    { field: ['database', 'advisor', 'includeTables', 0], value: 'products', keep: 0 },
    { field: ['database', 'advisor', 'excludeTables', 0], value: 'orders', keep: 0 },
    { field: ['name'], value: 'fuzz', keep: 0 },
    { field: ['http', 'endpoints', 0, 'name'], value: 'products-by-category', keep: 0 },
    { field: ['actions', 'featureToggles', 0, 'name'], value: 'batchLoading', keep: 0 },
    { field: ['actions', 'featureToggles', 0, 'tokenEnv'], value: 'SHOP_ADMIN_TOKEN', keep: 0 },
    { field: ['database', 'urlEnv'], value: 'SHOP_DATABASE_URL', keep: 0 },
    { field: ['redis', 'urlEnv'], value: 'SHOP_REDIS_URL', keep: 0 },
  ];
}

const INT_FIELDS = new Set([
  'concurrency',
  'requestTimeoutMs',
  'shards',
  'port',
  'lockTimeoutMs',
  'statementTimeoutMs',
  'expectStatus',
  'minTableRows',
  'minCalls',
  'partitionMinRows',
]);
const UNSAFE = 2 ** 53 + 1;
const HOSTILE_NUMBERS = [1e308, -1e308, UNSAFE, -UNSAFE, Number.NaN, Infinity, -Infinity, -1];

/** Every number of the profile, with its path (arrays included). */
function numericLeaves(o: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof o === 'number') return [path];
  if (Array.isArray(o)) return o.flatMap((v, i) => numericLeaves(v, [...path, i]));
  if (o && typeof o === 'object') return Object.entries(o).flatMap(([k, v]) => numericLeaves(v, [...path, k]));
  return [];
}

/** Places that are objects with a fixed set of keys, and a key that exists there (for typos). */
const KEY_PLACES: [(string | number)[], string][] = [
  [[], 'targets'],
  [['http'], 'baseUrl'],
  [['http', 'endpoints', 0], 'expectStatus'],
  [['http', 'setup', 0], 'extract'],
  [['actions', 'featureToggles', 0], 'enabledValue'],
  [['actions'], 'createIndexes'],
  [['load'], 'durationSeconds'],
  [['targets'], 'throughputRps'],
  [['database'], 'schemas'],
  [['database', 'advisor'], 'minSavingPct'],
  [['process'], 'inspectorUrl'],
  [['redis'], 'urlEnv'],
];

function typo(rng: Rng, key: string): string {
  const i = 1 + Math.floor(rng() * (key.length - 1));
  return rng() < 0.5 ? key.slice(0, i) + key.slice(i + 1) : key.slice(0, i - 1) + key[i] + key[i - 1] + key.slice(i + 1);
}

/** The corpus seed: PERF_FUZZ_SEED, or the fixed default. */
export const FUZZ_SEED = Number(process.env.PERF_FUZZ_SEED ?? 20261130);

export function hostileCorpus(t: CorpusTarget, seed = FUZZ_SEED): HostileCase[] {
  const rng = mulberry32(seed);
  const cases: HostileCase[] = [];
  const add = (category: Category, what: string, path: (string | number)[], value: unknown, key?: string) => {
    const profile = structuredClone(t.base);
    setAt(profile, key === undefined ? path : [...path, key], value);
    const field = path.length ? path.join('.') : '(root)';
    const needsYaml = typeof value === 'number' && !Number.isFinite(value);
    cases.push({ id: `${String(cases.length).padStart(3, '0')}-${category}`, category, what, field, key, profile, needsYaml });
  };
  controlCases(t, rng, add);
  schemeAndCredentialCases(t, add);
  for (const path of numericLeaves(t.base)) {
    const last = String([...path].reverse().find((p) => typeof p === 'string'));
    const values = pickN(rng, HOSTILE_NUMBERS, 2);
    if (INT_FIELDS.has(last)) values.push(pick(rng, [1.5, 0.000001, 99.99]));
    for (const v of values) add('number', `${path.join('.')} = ${v}`, path, v);
  }
  add('number', 'template bound past 2^53', ['http', 'endpoints', 0, 'path'], `/products/{{int:1:${UNSAFE}}}`);
  add('number', 'variable bound past 2^53', ['http', 'endpoints', 0, 'variables'], { n: { int: [0, UNSAFE] } });
  for (const [path, known] of KEY_PLACES) {
    for (const key of [typo(rng, known), pick(rng, ['__proto__', 'constructor', 'toString']), `x${Math.floor(rng() * 1e6)}`]) {
      add('unknown-key', `unknown key "${printable(key)}" at ${path.join('.') || '(root)'}`, path, 1, key);
    }
  }
  unicodeCases(t, add);
  templateCases(add);
  return cases;
}

/** The {{env:NAME}} and {{setup.name}} placeholders and the setup steps' extraction, written wrong. */
function templateCases(add: Add): void {
  const header = ['http', 'endpoints', 0, 'headers', 'x-fuzz'];
  add('template', 'lower-case env name', ['http', 'setup', 0, 'body'], '{"password": "{{env:shop_demo_password}}"}');
  add('template', 'a value instead of an env name', header, '{{env:postgres://u:p@db/x}}');
  add('template', 'empty env name', header, 'Bearer {{env:}}');
  add('template', 'CR LF inside an env placeholder', header, '{{env:SHOP_\r\nX}}');
  add('template', 'setup value no step extracts', header, 'Bearer {{setup.nope}}');
  add('template', 'setup value used before it is extracted', ['http', 'setup', 0, 'path'], '/api/login?t={{setup.token}}');
  add('template', 'setup name with a space', header, '{{setup.to ken}}');
  for (const p of ['$..token', 'user.token', '$.user[99999999]', '$["token"]', '$.a; DROP TABLE x', '$.*']) {
    add('template', `JSON path ${p}`, ['http', 'setup', 0, 'extract', 'token', 'json'], p);
  }
  for (const c of ['sid=1', 'sid; Path=/', 'sid\r\nx', ''])
    add('template', `cookie name ${printable(c)}`, ['http', 'setup', 0, 'extract', 'token'], { cookie: c });
  for (const h of ['x-token\r\nx: y', 'x token', ''])
    add('template', `extracted header ${printable(h)}`, ['http', 'setup', 0, 'extract', 'token'], { header: h });
  add('template', 'two sources for one value', ['http', 'setup', 0, 'extract', 'token'], { json: '$.a', header: 'x-a' });
  add('template', 'CR LF in an extracted value name', ['http', 'setup', 0, 'extract', 'to\r\nken'], { json: '$.a' });
  add(
    'template',
    'eleven setup steps',
    ['http', 'setup'],
    Array.from({ length: 11 }, () => ({ path: '/api/login' })),
  );
}

type Add = (category: Category, what: string, path: (string | number)[], value: unknown, key?: string) => void;

function controlCases(t: CorpusTarget, rng: Rng, add: Add): void {
  for (const f of stringFields(t)) {
    const chars = [...SPLITTERS, pick(rng, OTHER_CONTROLS), pick(rng, HIGH_CONTROLS)];
    if (!f.tabOk) chars.push('\t');
    for (const ch of chars) add('control', `${printable(ch)} in ${f.field.join('.')}`, f.field, insert(rng, f.value, ch, f.keep));
  }
  // A header name is a field too: the record key carries the character.
  for (const ch of SPLITTERS) {
    const name = insert(rng, 'x-fuzz', ch);
    add('control', `${printable(ch)} in a header name`, ['http', 'endpoints', 0, 'headers', name], 'v');
  }
}

function schemeAndCredentialCases(t: CorpusTarget, add: Add): void {
  const [host, port] = t.http.split(':');
  const schemes = [
    `ftp://${t.http}/`,
    'file:///etc/passwd',
    'javascript:alert(1)',
    `http:/${t.http}`,
    `http:${t.http}`,
    `//${t.http}`,
    'data:text/plain,hello',
    `gopher://${t.http}/`,
    `ws://${t.http}`,
    t.http,
  ];
  for (const u of schemes) add('scheme', `baseUrl ${u}`, ['http', 'baseUrl'], u);
  for (const u of [`file:///${t.inspector}`, 'javascript:alert(1)', `ftp://${t.inspector}`, `data:,${t.inspector}`]) {
    add('scheme', `inspectorUrl ${u}`, ['process', 'inspectorUrl'], u);
  }
  for (const u of ['javascript:alert(1)', `http://${t.http}/admin/toggles`, 'admin/toggles']) {
    add('scheme', `toggle url ${u}`, ['actions', 'featureToggles', 0, 'url'], u);
  }
  add('scheme', 'absolute URL as an endpoint path', ['http', 'endpoints', 0, 'path'], `http://${t.http}/products`);
  add('scheme', 'wildcard allowed host', ['http', 'allowedHosts', 0], '*');
  add('scheme', 'URL as an allowed host', ['http', 'allowedHosts', 0], `http://${t.http}`);
  for (const creds of ['user:secret@', 'user@', ':secret@', 'us%40er:p%3Aw@']) {
    add('credentials', `baseUrl with ${creds}`, ['http', 'baseUrl'], `http://${creds}${t.http}`);
    add('credentials', `inspectorUrl with ${creds}`, ['process', 'inspectorUrl'], `ws://${creds}${t.inspector}`);
  }
  add('credentials', 'allowed host with credentials', ['http', 'allowedHosts', 0], `user:pw@${host}`);
  add('credentials', 'credentials in the host part', ['http', 'baseUrl'], `http://${host}:${port}@evil.invalid:${port}`);
}

const FULL_WIDTH = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const CYRILLIC: Record<string, string> = { a: '\u0430', e: '\u0435', o: '\u043e', p: '\u0440', c: '\u0441', x: '\u0445' };
const cyrillic = (s: string) => s.replace(/[aeopcx]/, (c) => CYRILLIC[c]);
const INVISIBLE = ['\u200b', '\u200d', '\u2060', '\u202e', '\u2066', '\u061c', '\u00ad'];

function unicodeCases(t: CorpusTarget, add: Add): void {
  const [host, port] = t.http.split(':');
  const [ihost, iport] = t.inspector.split(':');
  add('unicode', 'full-width host', ['http', 'baseUrl'], `http://${FULL_WIDTH(host)}:${port}`);
  add('unicode', 'full-width dot in the host', ['http', 'baseUrl'], `http://${host.replace('.', '\uff0e')}:${port}`);
  add('unicode', 'zero-width space in the host', ['http', 'baseUrl'], `http://${host}\u200b:${port}`);
  add('unicode', 'Cyrillic host', ['http', 'baseUrl'], `http://${cyrillic('localhost')}:${port}`);
  add('unicode', 'right-to-left override in the base path', ['http', 'baseUrl'], `http://${t.http}/\u202egnp.exe`);
  add('unicode', 'full-width inspector host', ['process', 'inspectorUrl'], `http://${FULL_WIDTH(ihost)}:${iport}`);
  add('unicode', 'Cyrillic allowed host', ['http', 'allowedHosts', 0], cyrillic('localhost'));
  add('unicode', 'full-width allowed host', ['http', 'allowedHosts', 0], FULL_WIDTH(host));
  for (const ch of INVISIBLE) {
    const name = `U+${ch.charCodeAt(0).toString(16).toUpperCase()}`;
    add('unicode', `${name} in a path`, ['http', 'endpoints', 1, 'path'], `/cat${ch}alog`);
    add('unicode', `${name} in a header value`, ['http', 'endpoints', 0, 'headers', 'x-fuzz'], `a${ch}b`);
    add('unicode', `${name} in a toggle url`, ['actions', 'featureToggles', 0, 'url'], `/admin/${ch}toggles`);
    add('unicode', `${name} in a schema`, ['database', 'schemas', 0], `pub${ch}lic`);
    add('unicode', `${name} in a key`, ['load'], 1, `duration${ch}Seconds`);
  }
  add('unicode', 'Cyrillic path', ['http', 'endpoints', 1, 'path'], `/${cyrillic('catalog')}`);
  add('unicode', 'Cyrillic key at the root', [], 'x', cyrillic('scope'));
  add('unicode', 'Cyrillic key in http', ['http'], [], cyrillic('allowedHosts'));
  add('unicode', 'full-width key', ['load'], 1, FULL_WIDTH('shards'));
  add('unicode', 'Cyrillic target name', ['name'], cyrillic('shop'));
  add('unicode', 'full-width endpoint name', ['http', 'endpoints', 0, 'name'], FULL_WIDTH('catalog'));
  add('unicode', 'Cyrillic toggle name', ['actions', 'featureToggles', 0, 'name'], cyrillic('batchLoading'));
  add('unicode', 'Cyrillic env name', ['database', 'urlEnv'], 'SHOP_DATAB\u0410SE_URL');
}

/** The demo shop's profile (with its defaults), its base URL and inspector pointed at the given ports. */
export function corpusTarget(httpPort: number, inspectorPort: number): CorpusTarget {
  const raw = YAML.parse(readFileSync(join(__dirname, '../../demo/targets/shop.yaml'), 'utf8'));
  raw.http.baseUrl = `http://127.0.0.1:${httpPort}`;
  raw.process.inspectorUrl = `http://127.0.0.1:${inspectorPort}`;
  const base = parseTargetProfile(raw) as unknown as Record<string, unknown>;
  return { base, http: `127.0.0.1:${httpPort}`, inspector: `127.0.0.1:${inspectorPort}` };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a refusal message has a line for the case's field (an unknown key: the key at its parent). */
export function refusalNamesField(message: string, c: HostileCase): boolean {
  const line =
    c.key === undefined
      ? `^  - ${escapeRe(printable(c.field))}[.:]`
      : `^  - ${escapeRe(printable(c.field))}: unknown key "${escapeRe(printable(c.key))}"`;
  return new RegExp(line, 'm').test(message);
}

/** The first control or invisible character of `text` (other than the line breaks between issues), or null. */
export function unprintable(text: string): string | null {
  return /[\p{Cc}\p{Cf}\u2028\u2029]/u.exec(text.replace(/\n/g, ''))?.[0] ?? null;
}
