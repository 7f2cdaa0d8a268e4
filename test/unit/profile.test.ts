import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfileError, allowedHosts, parseTargetProfile } from '../../common/profile';
import { loadProfileFile } from '../../client/profile-file';
import { ApplicationFailure } from '@temporalio/common';
import { createPrecheckActivities } from '../../activities/precheck';
import type { ActivityDeps } from '../../activities/deps';

const valid = {
  name: 'shop',
  http: { baseUrl: 'http://127.0.0.1:3100', endpoints: [{ name: 'home', path: '/' }] },
  database: { urlEnv: 'SHOP_DATABASE_URL' },
  targets: { p95Ms: 50, p99Ms: 100, throughputRps: 100 },
};

test('a minimal profile gets its defaults', () => {
  const p = parseTargetProfile(valid);
  assert.equal(p.load.concurrency, 16);
  assert.deepEqual(p.scope, ['application', 'database', 'caching']);
  assert.equal(p.http.endpoints[0].method, 'GET');
  assert.deepEqual(allowedHosts(p), ['127.0.0.1']);
});

test('errors name the wrong field and say how to fix it', () => {
  const bad = { ...valid, database: { urlEnv: 'postgres://user:secret@db/shop' }, targets: { p95Ms: -1, p99Ms: 100, throughputRps: 100 } };
  assert.throws(
    () => parseTargetProfile(bad, 'shop.yaml'),
    (err: Error) =>
      err instanceof ProfileError &&
      /shop\.yaml/.test(err.message) &&
      /database\.urlEnv: must be the NAME of an environment variable/.test(err.message) &&
      /targets\.p95Ms/.test(err.message),
  );
});

test('toggles must name known endpoints; endpoint names are unique', () => {
  const p = {
    ...valid,
    http: {
      ...valid.http,
      endpoints: [
        { name: 'a', path: '/a' },
        { name: 'a', path: '/b' },
      ],
    },
    actions: { featureToggles: [{ name: 'cache', fixes: 'uncached_endpoint', endpoints: ['nope'] }] },
  };
  assert.throws(() => parseTargetProfile(p), /endpoint names must be unique[\s\S]*unknown endpoint "nope"/);
});

test('the profile file loader reports unreadable and malformed files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'profile-'));
  assert.throws(() => loadProfileFile(join(dir, 'missing.yaml')), /Cannot read target profile .*no such file/);
  writeFileSync(join(dir, 'bad.yaml'), 'name: [unclosed');
  assert.throws(() => loadProfileFile(join(dir, 'bad.yaml')), /is not valid YAML/);
  writeFileSync(join(dir, 'ok.json'), JSON.stringify(valid));
  assert.equal(loadProfileFile(join(dir, 'ok.json')).name, 'shop');
});

test('the demo profile users copy is valid', () => {
  const p = loadProfileFile(join(__dirname, '../../demo/targets/shop.yaml'));
  assert.equal(p.name, 'shop');
  assert.ok(p.actions.featureToggles.some((t) => t.fixes === 'n_plus_one'));
  assert.ok(p.http.endpoints.some((e) => e.cacheable));
});

test('CR, LF, NUL and spaces that would split a request are refused in paths, header names and values, variables', () => {
  const withEndpoint = (endpoint: Record<string, unknown>) => ({
    ...valid,
    http: { ...valid.http, endpoints: [{ name: 'x', ...endpoint }] },
  });
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ path: '/ok HTTP/1.1\r\nX-Injected: yes\r\nX-Pad: ' }, /endpoints\.0\.path: contains a space/],
    [{ path: '/ok\r\n\r\nGET /smuggled' }, /endpoints\.0\.path: contains CR, which would split the request line/],
    [{ path: '/a\u0000b' }, /endpoints\.0\.path: contains NUL/],
    [{ path: '/', headers: { 'x-a': 'v\r\nx-injected: yes' } }, /endpoints\.0\.headers\.x-a: contains CR/],
    [{ path: '/', headers: { 'x a': 'v' } }, /endpoints\.0\.headers\.x a: "x a" is not a header name/],
    [
      { path: '/', headers: { 'x-user': '{{who}}' }, variables: { who: { list: ['ann', 'bob\nx-admin: 1'] } } },
      /variables\.who\.list\.1: contains LF/,
    ],
  ];
  for (const [endpoint, message] of refused)
    assert.throws(() => parseTargetProfile(withEndpoint(endpoint)), message, JSON.stringify(endpoint));
  // Placeholders in the path are percent-encoded on the wire; a tab may appear in a header value.
  const ok = parseTargetProfile(withEndpoint({ path: '/search?q={{pick:a b|c}}', headers: { 'x-note': 'a\tb' } }));
  assert.equal(ok.http.endpoints[0].path, '/search?q={{pick:a b|c}}');
});

test('unknown keys are refused with the closest known key; bad URLs, wildcards, credentials and huge bounds too', () => {
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ ...valid, load: { durationSecond: 99999 } }, /load: unknown key "durationSecond": did you mean "durationSeconds"\?/],
    [{ ...valid, databse: {} }, /\(root\): unknown key "databse": did you mean "database"\?/],
    [{ ...valid, http: { ...valid.http, baseUrl: 'ftp://127.0.0.1/' } }, /http\.baseUrl: must be an absolute URL/],
    [{ ...valid, http: { ...valid.http, baseUrl: 'file:///etc/passwd' } }, /http\.baseUrl: must be an absolute URL/],
    [{ ...valid, http: { ...valid.http, baseUrl: 'http:/x' } }, /http\.baseUrl: must be an absolute URL/],
    [{ ...valid, http: { ...valid.http, baseUrl: 'http://user:pw@127.0.0.1:3100' } }, /http\.baseUrl: must not carry credentials/],
    [{ ...valid, http: { ...valid.http, allowedHosts: ['*'] } }, /http\.allowedHosts\.0: a host name or IP address/],
    [{ ...valid, process: { inspectorUrl: 'http://10.9.9.9:9229' } }, /process\.inspectorUrl: host 10\.9\.9\.9 is neither/],
    [
      { ...valid, http: { ...valid.http, endpoints: [{ name: 'x', path: '/p/{{int:1:99999999999999999999}}' }] } },
      /endpoints\.0\.path: \{\{int:1:99999999999999999999\}\}: the bounds must be integers/,
    ],
  ];
  for (const [raw, message] of refused) assert.throws(() => parseTargetProfile(raw), message, JSON.stringify(raw));
  const ok = parseTargetProfile({
    ...valid,
    http: { ...valid.http, allowedHosts: ['toggles.internal:8080', '[::1]'] },
    process: { inspectorUrl: 'ws://[::1]:9229' },
  });
  assert.deepEqual(ok.http.allowedHosts, ['toggles.internal:8080', '[::1]']);
});

test('the worker checks a run profile that skipped the CLI before anything is sent', async () => {
  const { precheck } = createPrecheckActivities({} as ActivityDeps);
  const hostile = { ...parseTargetProfile(valid), load: { ...parseTargetProfile(valid).load, durationSecond: 86_400 } };
  await assert.rejects(precheck(hostile as never), (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure && err.nonRetryable && err.type === 'BadProfile', String(err));
    assert.match(err.message, /load: unknown key "durationSecond"/);
    return true;
  });
});

// Each found by the hostile-profile corpus (test/safety/hostile-profiles-cli.test.ts), accepted before.
test('what the fuzz corpus found: dropped URL characters, look-alike hosts, credentials, SQL names, huge numbers', () => {
  const http = (over: Record<string, unknown>) => ({ ...valid, http: { ...valid.http, ...over } });
  const endpoint = (over: Record<string, unknown>) => http({ endpoints: [{ name: 'x', path: '/', ...over }] });
  const refused: [Record<string, unknown>, RegExp][] = [
    // The URL parser drops a tab, CR or LF, and maps full-width and zero-width characters in a host.
    [http({ baseUrl: 'http://127.0.0.1:3100\r\n' }), /http\.baseUrl: contains CR, which the URL parser would silently drop/],
    [http({ baseUrl: 'http://127.0.0.1:31\t00' }), /http\.baseUrl: contains a tab/],
    [http({ baseUrl: 'http://１２７.0.0.1:3100' }), /http\.baseUrl: contains U\+FF11 \("１"\), which is not ASCII \(a look-alike\?\)/],
    [http({ baseUrl: 'http://127.0.0.1\u200b:3100' }), /http\.baseUrl: contains a zero-width space \(U\+200B\)/],
    [http({ baseUrl: 'http://l\u043ecalhost:3100' }), /http\.baseUrl: contains U\+043E/],
    [{ ...valid, process: { inspectorUrl: 'http://127.0.0.1:92\n29' } }, /process\.inspectorUrl: contains LF/],
    [{ ...valid, process: { inspectorUrl: 'ws://user:secret@127.0.0.1:9229' } }, /process\.inspectorUrl: must not carry credentials/],
    // A broken base URL used to crash the check ("Invalid URL", exit 1) instead of naming the field.
    [
      { ...http({ baseUrl: 'http://127.0.0.1\u0000:3100' }), process: { inspectorUrl: 'http://127.0.0.1:9229' } },
      /http\.baseUrl: contains NUL/,
    ],
    // Inside a placeholder's braces too (found with other seeds: the placeholder's trimmed whitespace was not looked at).
    [endpoint({ path: '/p?c={{int:1:50\r\n}}' }), /endpoints\.0\.path: contains CR/],
    [endpoint({ path: '/p?c={{pick:a\nb|c}}' }), /endpoints\.0\.path: contains LF/],
    [endpoint({ path: '/cat\u202ealog' }), /endpoints\.0\.path: contains a right-to-left override \(U\+202E\)/],
    [endpoint({ path: '/\u043a\u0430\u0442' }), /endpoints\.0\.path: contains U\+043A .*percent-encode it/],
    [endpoint({ headers: { 'x-a': 'a\u2066b' } }), /endpoints\.0\.headers\.x-a: contains the invisible character U\+2066/],
    [endpoint({ headers: { 'x-a': 'a\u0085b' } }), /endpoints\.0\.headers\.x-a: contains control character U\+0085/],
    [
      { ...valid, actions: { featureToggles: [{ name: 't', fixes: 'n_plus_one', url: '/admin\r\n/toggles' }] } },
      /actions\.featureToggles\.0\.url: contains CR/,
    ],
    [{ ...valid, database: { urlEnv: 'DB', schemas: ['public\u0000'] } }, /database\.schemas\.0: contains NUL/],
    [
      { ...valid, database: { urlEnv: 'DB', advisor: { includeTables: ['orders\u200b'] } } },
      /database\.advisor\.includeTables\.0: contains a zero-width/,
    ],
    [endpoint({ weight: 1e308 }), /endpoints\.0\.weight: 1e\+308 is out of range/],
    [{ ...valid, targets: { ...valid.targets, throughputRps: 2 ** 53 + 2 } }, /targets\.throughputRps: 9007199254740994 is out of range/],
  ];
  for (const [raw, message] of refused) assert.throws(() => parseTargetProfile(raw), message, JSON.stringify(raw));
  // A field with its own bound reports that, not also the range.
  assert.throws(
    () => parseTargetProfile({ ...valid, load: { concurrency: 1e308 } }),
    (err: Error) => /load\.concurrency: Too big/.test(err.message) && !/out of range/.test(err.message),
  );
  // Schema names may hold a space; URLs may be percent-encoded.
  const ok = parseTargetProfile({
    ...http({ baseUrl: 'http://127.0.0.1:3100/a%20b' }),
    database: { urlEnv: 'DB', schemas: ['my schema'] },
  });
  assert.deepEqual(ok.database?.schemas, ['my schema']);
});

test('refusals show what the file holds, escaped: a CR or an escape sequence cannot rewrite the terminal', () => {
  const raw = { ...valid, http: { ...valid.http, endpoints: [{ name: 'x', path: '/', headers: { 'x-a\r\u001b[2K': 'v' } }] } };
  assert.throws(
    () => parseTargetProfile(raw),
    (err: Error) =>
      err.message.includes('endpoints.0.headers.x-a\\r\\u001B[2K: "x-a\\r\\u001B[2K" is not a header name') &&
      !err.message.includes('\r') &&
      !err.message.includes('\u001b'),
  );
});

test('a profile check that throws fails the run for good (BadProfile), never a retried pre-check that sends', async () => {
  const { precheck } = createPrecheckActivities({} as ActivityDeps);
  const throwing = Object.defineProperty({ ...parseTargetProfile(valid) }, 'http', {
    enumerable: true,
    get: () => {
      throw new TypeError('Invalid URL');
    },
  });
  await assert.rejects(precheck(throwing as never), (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure && err.nonRetryable && err.type === 'BadProfile', String(err));
    assert.match(err.message, /could not be checked: Invalid URL/);
    return true;
  });
});

test('load.attribution is optional, strict and bounded', () => {
  assert.equal(parseTargetProfile(valid).load.attribution, undefined, 'absent: the defaults apply in the activity');
  const a = parseTargetProfile({ ...valid, load: { attribution: {} } }).load.attribution;
  assert.deepEqual(a, { enabled: true, requests: 30, maxSecondsPerEndpoint: 30 });
  assert.throws(() => parseTargetProfile({ ...valid, load: { attribution: { requests: 5000 } } }), /load\.attribution\.requests: Too big/);
  assert.throws(() => parseTargetProfile({ ...valid, load: { attribution: { requests: 1 } } }), /load\.attribution\.requests/);
  assert.throws(
    () => parseTargetProfile({ ...valid, load: { attribution: { maxSecs: 3 } } }),
    /load\.attribution: unknown key "maxSecs" \(known here: enabled, requests, maxSecondsPerEndpoint\)/,
  );
});

test('process.pySpy: defaults, bounds, a local process, and not beside an inspector', () => {
  assert.deepEqual(parseTargetProfile({ ...valid, process: { pySpy: {} } }).process.pySpy, { rate: 100 });
  assert.deepEqual(parseTargetProfile({ ...valid, process: { port: 8000, pySpy: { rate: 250 } } }).process, {
    port: 8000,
    pySpy: { rate: 250 },
  });
  // Another host is fine when process.port says where the process listens on this one.
  const remote = { ...valid, http: { ...valid.http, baseUrl: 'http://shop.internal:8000' } };
  assert.equal(parseTargetProfile({ ...remote, process: { port: 8000, pySpy: {} } }).process.pySpy?.rate, 100);
  const refused: [unknown, RegExp][] = [
    [{ ...valid, process: { pySpy: { rate: 0 } } }, /process\.pySpy\.rate/],
    [{ ...valid, process: { pySpy: { rate: 5000 } } }, /process\.pySpy\.rate/],
    [{ ...valid, process: { pySpy: { rate: 100, native: true } } }, /process\.pySpy: unknown key "native"/],
    [{ ...valid, process: { pySpy: true } }, /process\.pySpy/],
    [
      { ...valid, process: { pySpy: {}, inspectorUrl: 'http://127.0.0.1:9229' } },
      /process\.pySpy: profile a target either through the Node\.js inspector/,
    ],
    [
      { ...remote, process: { pySpy: {} } },
      /process\.pySpy: py-spy attaches to the target's processes on the worker's host.*set process\.port/,
    ],
  ];
  for (const [raw, message] of refused) assert.throws(() => parseTargetProfile(raw), message, JSON.stringify(raw));
});
