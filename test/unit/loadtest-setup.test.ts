// {{env:NAME}} and setup steps: the profile's checks, the policy, the templating, the extraction, and
// the setup phase against a small local server (logins counted, failures stop at once).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { parseTargetProfile, ProfileError, type TargetProfile } from '../../common/profile';
import { parseJsonPath, valueAt } from '../../common/json-path';
import { envReferences, setupReferences } from '../../common/template-placeholders';
import { parseOperatorPolicy } from '../../common/operator-policy';
import { policyIssues } from '../../common/policy-check';
import { Scenario } from '../../activities/loadtest/scenario';
import { cookieValue, extractAll, extractValue, type SetupAnswer } from '../../activities/loadtest/setup-extract';
import { prepareTraffic, resolveEnvValues, sessionsFor, SETUP_MAX_SECONDS } from '../../activities/loadtest/setup';

const SECRET = 's3cret-Value-42';

function profile(over: { endpoints?: unknown[]; setup?: unknown[]; baseUrl?: string } = {}): Record<string, unknown> {
  return {
    name: 'shop',
    http: {
      baseUrl: over.baseUrl ?? 'http://127.0.0.1:3100',
      endpoints: over.endpoints ?? [{ name: 'me', path: '/api/me', headers: { authorization: 'Bearer {{setup.token}}' } }],
      setup: over.setup ?? [
        {
          name: 'login',
          method: 'POST',
          path: '/api/login',
          body: '{"password": "{{env:SHOP_PASSWORD}}"}',
          extract: { token: { json: '$.user.token' } },
        },
      ],
    },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10 },
  };
}

const refusal = (raw: unknown): string => {
  try {
    parseTargetProfile(raw);
  } catch (err) {
    assert.ok(err instanceof ProfileError, String(err));
    return err.message;
  }
  return assert.fail('the profile was accepted');
};

test('a profile with a setup step and {{env:}} / {{setup.}} placeholders parses; the references are found', () => {
  const p = parseTargetProfile(profile());
  assert.equal(p.http.setup?.[0].method, 'POST');
  assert.deepEqual(p.http.setup?.[0].expectStatus, [200]);
  assert.deepEqual(envReferences(p), [{ path: ['http', 'setup', 0, 'body'], name: 'SHOP_PASSWORD' }]);
  assert.deepEqual(setupReferences(p), [{ path: ['http', 'endpoints', 0, 'headers', 'authorization'], name: 'token' }]);
});

test('the profile refuses wrong setup and env placeholders, naming the field', () => {
  assert.match(
    refusal(profile({ endpoints: [{ name: 'a', path: '/', headers: { x: '{{setup.nope}}' } }] })),
    /http\.endpoints\.0\.headers\.x: \{\{setup\.nope\}\} is not extracted by http\.setup \(it extracts token\)/,
  );
  assert.match(
    refusal({
      ...profile({ endpoints: [{ name: 'a', path: '/{{setup.token}}' }] }),
      http: { baseUrl: 'http://127.0.0.1:1', endpoints: [{ name: 'a', path: '/{{setup.token}}' }] },
    }),
    /http\.endpoints\.0\.path: \{\{setup\.token\}\} needs an http\.setup step that extracts "token"/,
  );
  assert.match(
    refusal(profile({ endpoints: [{ name: 'a', path: '/', body: '{{env:shop_pw}}' }] })),
    /http\.endpoints\.0\.body: \{\{env:shop_pw\}\}: write the NAME/,
  );
  const twoSteps = [
    { path: '/a', headers: { x: '{{setup.b}}' }, extract: { a: { header: 'x-a' } } },
    { path: '/b', extract: { b: { cookie: 'sid' }, a: { json: '$.a' } } },
  ];
  const msg = refusal(profile({ setup: twoSteps, endpoints: [{ name: 'a', path: '/' }] }));
  assert.match(msg, /http\.setup\.0\.headers\.x: \{\{setup\.b\}\} is not extracted by an earlier setup step/);
  assert.match(msg, /http\.setup\.1\.extract\.a: "a" is extracted by an earlier step too/);
  assert.match(
    refusal(profile({ setup: [{ path: '/l', extract: { t: { json: 'user.token' } } }] })),
    /http\.setup\.0\.extract\.t\.json: "user\.token" does not start with \$/,
  );
  assert.match(refusal(profile({ setup: [{ path: '/l', extract: { t: { json: '$..token' } } }] })), /is not understood at "\.\.token"/);
  assert.match(
    refusal(profile({ setup: [{ path: '/l', extract: { t: { cookie: 'sid;x' } } }] })),
    /http\.setup\.0\.extract\.t\.cookie: a cookie name/,
  );
  assert.match(refusal(profile({ setup: [{ path: '/l', headers: { x: 'a\r\nb' } }] })), /http\.setup\.0\.headers\.x: contains CR/);
  assert.match(
    refusal(profile({ setup: [{ path: '/l', extract: { t: { header: 'x token' } } }] })),
    /http\.setup\.0\.extract\.t\.header: "x token" is not a header name/,
  );
});

test('the operator policy checks every {{env:}} name, naming the field and the fix', () => {
  const p = parseTargetProfile(
    profile({ endpoints: [{ name: 'a', path: '/', headers: { 'x-key': '{{env:BILLING_KEY}}', 'x-own': '{{env:PERF_STORE_URL}}' } }] }),
  );
  const issues = policyIssues(p, parseOperatorPolicy({}));
  const text = issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
  assert.match(text, /http\.endpoints\.0\.headers\.x-key: BILLING_KEY: target shop may read only SHOP_\*.*rename the variable to SHOP_/);
  assert.match(text, /http\.endpoints\.0\.headers\.x-own: PERF_STORE_URL: .*worker's own settings/);
  assert.ok(!/SHOP_PASSWORD/.test(text), 'SHOP_PASSWORD is the target prefix: allowed');
  assert.equal(policyIssues(p, parseOperatorPolicy({ PERF_TARGET_SECRETS: 'shop=SHOP_*,BILLING_KEY' })).length, 1);
});

test('a JSON path is $ then .name and [index] steps', () => {
  assert.deepEqual(parseJsonPath('$.items[0].id'), ['items', 0, 'id']);
  assert.deepEqual(parseJsonPath('$'), []);
  assert.match(parseJsonPath('$.a[x]') as string, /not understood at "\[x\]"/);
  assert.match(parseJsonPath('$.a[1234567]') as string, /not understood/);
  const doc = { items: [{ id: 7 }], user: { token: 't' } };
  assert.equal(valueAt(doc, ['items', 0, 'id']), 7);
  assert.equal(valueAt(doc, ['items', 1, 'id']), undefined);
  assert.equal(valueAt(doc, ['user', 'toString']), undefined, 'own properties only');
  assert.equal(valueAt(doc, ['__proto__']), undefined);
});

const answer = (over: Partial<SetupAnswer> = {}): SetupAnswer => ({ status: 200, headers: {}, body: '', ...over });

test('extraction from JSON, a header or a cookie; problems name where, never the value', () => {
  const a = answer({
    headers: { 'x-token': 'h-1', 'set-cookie': ['theme=dark; Path=/', 'sid="c-2"; HttpOnly'], 'content-type': 'application/json' },
    body: JSON.stringify({ user: { token: 'j-3', id: 5, roles: ['a'], none: null } }),
  });
  assert.deepEqual(
    extractAll(a, { t: { json: '$.user.token' }, id: { json: '$.user.id' }, h: { header: 'X-Token' }, c: { cookie: 'sid' } }),
    {
      values: { t: 'j-3', id: '5', h: 'h-1', c: 'c-2' },
    },
  );
  assert.equal(cookieValue('a=1', 'b'), undefined);
  const problem = (e: Parameters<typeof extractValue>[1], ans = a) => (extractValue(ans, e, {}) as { problem: string }).problem;
  assert.match(problem({ json: '$.user.roles' }), /is an array, not a string or number/);
  assert.match(problem({ json: '$.user.none' }), /is null/);
  assert.match(problem({ json: '$.user.missing' }), /\$\.user\.missing is not in the answer/);
  assert.match(problem({ json: '$.x' }, answer({ body: '<html>' })), /the answer is not JSON/);
  assert.match(problem({ header: 'x-other' }), /no x-other header/);
  assert.match(problem({ cookie: 'nope' }), /sets no cookie nope/);
  assert.match(problem({ json: '$.t' }, answer({ body: '{"t": ""}' })), /is empty/);
  for (const bad of [`${SECRET}\r\nX-Injected: 1`, `${SECRET}\n`, `${SECRET}\u0000`, `${SECRET}\u202e`]) {
    const msg = problem({ json: '$.t' }, answer({ body: JSON.stringify({ t: bad }) }));
    assert.match(msg, /the value at JSON path \$\.t contains .*: refused/);
    assert.ok(!msg.includes(SECRET), msg);
  }
  const failed = extractAll(answer({ headers: { 'x-t': `a\rb` } }), { tok: { header: 'x-t' } });
  assert.deepEqual(failed, {
    failed: { name: 'tok', problem: 'the value at header x-t contains CR, which would end the header (request splitting): refused' },
  });
});

test('scenario: {{env:}} values are compiled in (still a ready-made buffer), setup values per virtual user', () => {
  const p = parseTargetProfile(
    profile({
      endpoints: [
        {
          name: 'me',
          path: '/u/{{setup.token}}?k={{env:SHOP_KEY}}',
          headers: { authorization: 'Bearer {{setup.token}}', 'x-key': '{{env:SHOP_KEY}}' },
        },
      ],
    }),
  );
  const ctx = { env: { SHOP_KEY: 'k 1', SHOP_PASSWORD: 'pw' }, setupNames: ['token'], sessions: [{ token: 'a/1' }, { token: 'b2' }] };
  const s = new Scenario(p.http.endpoints, '', Math.random, 'h', ctx);
  const wire = (k: number) => s.nextWire(k).data.toString();
  assert.equal(wire(0), 'GET /u/a%2F1?k=k%201 HTTP/1.1\r\nhost: h\r\nauthorization: Bearer a/1\r\nx-key: k 1\r\n\r\n');
  assert.match(wire(1), /^GET \/u\/b2\?k=k%201 .*authorization: Bearer b2\r\n/s);
  assert.equal(s.nextWire(2).data, s.nextWire(0).data, 'round robin over the sessions, one buffer each');
  assert.equal(s.next(1).headers.authorization, 'Bearer b2');
  assert.throws(() => new Scenario(p.http.endpoints, '', Math.random, 'h'), /\{\{setup\.token\}\} is not extracted by http\.setup/);
  const noEnv = { env: {}, setupNames: ['token'], sessions: [] };
  assert.throws(() => new Scenario(p.http.endpoints, '', Math.random, 'h', noEnv), /\{\{env:SHOP_KEY\}\} has no value here/);
});

test('{{env:}} values: a value that would break a header is refused naming the variable, not the value', () => {
  const p = parseTargetProfile(profile());
  assert.deepEqual(
    resolveEnvValues(p, () => SECRET),
    { SHOP_PASSWORD: SECRET },
  );
  for (const bad of [`${SECRET}\r\n`, `a\nb${SECRET}`, `${SECRET}\u0085`]) {
    assert.throws(
      () => resolveEnvValues(p, () => bad),
      (err: unknown) =>
        err instanceof ApplicationFailure &&
        err.type === 'BadSecretValue' &&
        err.nonRetryable &&
        /http\.setup\.0\.body: the value of SHOP_PASSWORD \(on the worker\) contains/.test(err.message) &&
        !err.message.includes(SECRET),
    );
  }
  assert.throws(() => resolveEnvValues(p, undefined), /\{\{env:SHOP_PASSWORD\}\} is read on the worker/);
  assert.equal(sessionsFor('closed', 16), 16);
  assert.equal(sessionsFor('open', 16, 1000), 32);
  assert.equal(sessionsFor('open', 16, 4), 4);
});

// ---- the setup phase against a local server --------------------------------------------------

let server: http.Server;
let baseUrl: string;
const seen = { logins: 0, bodies: [] as string[] };

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url === '/api/login') {
        seen.logins++;
        seen.bodies.push(body);
        const ok = JSON.parse(body).password === SECRET;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json', 'set-cookie': `sid=c${seen.logins}; Path=/` });
        return res.end(ok ? JSON.stringify({ user: { token: `t${seen.logins}` } }) : '{"error":"wrong password"}');
      }
      if (req.url === '/api/csrf') return res.writeHead(200, { 'x-csrf': `x-${req.headers.cookie}` }).end();
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

test('scenario: values inside a JSON body string are JSON-escaped; outside quotes, in plain bodies and headers, as they are', () => {
  const p = parseTargetProfile(
    profile({
      endpoints: [
        {
          name: 'login',
          method: 'POST',
          path: '/l',
          body: '{"u": "{{setup.token}}", "p": "{{env:PW}}", "n": {{env:NUM}}, "k": "a\\"{{env:PW}}"}',
        },
        { name: 'whole', method: 'POST', path: '/w', body: '{{env:BODY}}' },
        {
          name: 'form',
          method: 'POST',
          path: '/f',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'p={{env:PW}}',
        },
      ],
    }),
  );
  const pw = 'a"b\\c\nd';
  const ctx = { env: { PW: pw, NUM: '7', BODY: '{"x": "y"}' }, setupNames: ['token'], sessions: [{ token: `o"neil` }] };
  const s = new Scenario(p.http.endpoints, '', Math.random, 'h', ctx);
  const bodyOf = (name: string): string => {
    for (let i = 0; i < 500; i++) {
      const r = s.next(0);
      if (p.http.endpoints[r.endpointIndex].name === name) return r.body!;
    }
    throw new Error(`no ${name} request drawn`);
  };
  const login = JSON.parse(bodyOf('login')) as Record<string, unknown>;
  assert.deepEqual(login, { u: 'o"neil', p: pw, n: 7, k: 'a"' + pw }, 'a valid JSON body holding the exact values');
  assert.equal(bodyOf('whole'), '{"x": "y"}', 'a whole body from {{env:}} is not escaped');
  assert.equal(bodyOf('form'), `p=${pw}`, 'a non-JSON body gets the value as it is');
});

function target(setup?: unknown[]): TargetProfile {
  return parseTargetProfile(profile({ baseUrl, ...(setup ? { setup } : {}) }));
}

test('setup: each virtual user logs in once, in order through the steps; the values feed later steps', async () => {
  seen.logins = 0;
  seen.bodies = [];
  const steps = [
    {
      name: 'login',
      method: 'POST',
      path: '/api/login',
      body: '{"password": "{{env:SHOP_PASSWORD}}"}',
      extract: { sid: { cookie: 'sid' }, token: { json: '$.user.token' } },
    },
    { name: 'csrf', path: '/api/csrf', headers: { cookie: 'sid={{setup.sid}}' }, extract: { csrf: { header: 'x-csrf' } } },
  ];
  const progress: number[] = [];
  const ctx = await prepareTraffic(target(steps), {
    resolveEnv: () => SECRET,
    base: new URL(baseUrl),
    sessions: 5,
    requestTimeoutMs: 2000,
    onSession: (done) => progress.push(done),
  });
  assert.equal(seen.logins, 5);
  assert.deepEqual(progress, [1, 2, 3, 4, 5]);
  assert.ok(seen.bodies.every((b) => b === `{"password": "${SECRET}"}`));
  assert.deepEqual(ctx.setupNames, ['sid', 'token', 'csrf']);
  const tokens = ctx.sessions.map((s) => s.token).sort();
  assert.deepEqual(tokens, ['t1', 't2', 't3', 't4', 't5']);
  for (const s of ctx.sessions) assert.equal(s.csrf, `x-sid=${s.sid}`);
});

test('setup: a failing step stops the test with the status and the step, without retrying or looping', async () => {
  seen.logins = 0;
  const err = await prepareTraffic(target(), {
    resolveEnv: () => 'wrong',
    base: new URL(baseUrl),
    sessions: 200,
    requestTimeoutMs: 2000,
  }).then(
    () => assert.fail('the setup succeeded'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApplicationFailure && err.nonRetryable && err.type === 'SetupFailed', String(err));
  assert.match(
    err.message,
    /^setup step 1 \(login\) \(virtual user \d+ of 200\): POST \/api\/login answered 401 \(expected 200\); the load test did not start$/,
  );
  assert.ok(seen.logins <= 8 * 2, `the first failure stops the others (${seen.logins} logins)`);
  const noToken = await prepareTraffic(target([{ path: '/api/csrf', extract: { token: { json: '$.token' } } }]), {
    base: new URL(baseUrl),
    sessions: 1,
    requestTimeoutMs: 2000,
  }).catch((e: Error) => e);
  assert.match(String(noToken), /setup step 1 \(virtual user 1 of 1\): cannot extract token: the answer is not JSON/);
  assert.ok(SETUP_MAX_SECONDS <= 60, 'the setup phase is bounded');
});
