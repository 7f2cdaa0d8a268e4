// The profile's notifiers: syntax, what is refused statically, and the worker operator's policy (hosts, secret variables).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTargetProfile } from '../../common/profile';
import { profileRefusal } from '../helpers/profile-refusal';
import { DEFAULT_OPERATOR_POLICY, parseOperatorPolicy } from '../../common/operator-policy';
import { policyIssues } from '../../common/policy-check';
import { deliveryUrl, notifiersFor, redactedUrl } from '../../common/notify/select';
import { resolveUrlSecrets, urlEnvNames } from '../../common/notify/url-secret';

const base = {
  name: 'shop',
  http: { baseUrl: 'http://127.0.0.1:3100', allowedHosts: ['alerts.internal'], endpoints: [{ name: 'home', path: '/' }] },
  targets: { p95Ms: 50, p99Ms: 100, throughputRps: 100 },
};

const withNotifiers = (notifiers: unknown[]) => ({ ...base, notifiers });

const refusal = profileRefusal;

test('notifiers parse; events default to all three', () => {
  const p = parseTargetProfile(
    withNotifiers([
      { kind: 'webhook', url: 'http://127.0.0.1:4000/hook', secretEnv: 'SHOP_NOTIFY_SECRET' },
      { kind: 'alertmanager', url: 'http://alerts.internal:9093', events: ['rollback'] },
    ]),
  );
  assert.deepEqual(p.notifiers?.[0], {
    kind: 'webhook',
    url: 'http://127.0.0.1:4000/hook',
    secretEnv: 'SHOP_NOTIFY_SECRET',
    events: ['escalation', 'check_failed', 'rollback'],
  });
  assert.deepEqual(
    notifiersFor(p.notifiers, 'rollback').map((x) => x.index),
    [0, 1],
  );
  assert.deepEqual(
    notifiersFor(p.notifiers, 'check_failed').map((x) => x.index),
    [0],
  );
  assert.deepEqual(notifiersFor(undefined, 'rollback'), []);
  assert.equal(deliveryUrl(p.notifiers![1]), 'http://alerts.internal:9093/api/v2/alerts');
  assert.equal(deliveryUrl(p.notifiers![0]), 'http://127.0.0.1:4000/hook');
});

test('unknown keys, kinds and events are refused with the field named', () => {
  const typo = refusal(withNotifiers([{ kind: 'webhook', url: 'http://127.0.0.1:4000/', event: ['rollback'] }]));
  assert.match(typo, /notifiers\.0: unknown key "event": did you mean "events"\? \(known here: kind, url, secretEnv, events\)/);
  const secret = refusal(withNotifiers([{ kind: 'alertmanager', url: 'http://127.0.0.1:9093', secretEnv: 'SHOP_X' }]));
  assert.match(secret, /notifiers\.0\.secretEnv: Alertmanager alerts are not signed: remove secretEnv/, 'Alertmanager takes no secret');
  assert.match(refusal(withNotifiers([{ kind: 'pager', url: 'http://127.0.0.1:4000/' }])), /notifiers\.0\.kind/);
  assert.match(
    refusal(withNotifiers([{ kind: 'alertmanager', url: 'http://127.0.0.1:9093', events: ['deploy'] }])),
    /notifiers\.0\.events\.0/,
  );
  assert.match(
    refusal(withNotifiers([{ kind: 'alertmanager', url: 'http://127.0.0.1:9093', events: [] }])),
    /notifiers\.0\.events: list at least one/,
  );
  assert.match(refusal({ ...base, notifier: [] }), /unknown key "notifier": did you mean "notifiers"\?/);
});

test('bad URLs, credentials in URLs, values instead of variable names and disallowed hosts are refused statically', () => {
  assert.match(refusal(withNotifiers([{ kind: 'webhook', url: 'hooks/x' }])), /notifiers\.0\.url: must be an absolute http\(s\) URL/);
  assert.match(
    refusal(withNotifiers([{ kind: 'webhook', url: 'ftp://127.0.0.1/x' }])),
    /notifiers\.0\.url: must be an absolute http\(s\) URL/,
  );
  assert.match(
    refusal(withNotifiers([{ kind: 'alertmanager', url: 'http://u:p@127.0.0.1:9093' }])),
    /notifiers\.0\.url: must not carry credentials/,
  );
  assert.match(
    refusal(withNotifiers([{ kind: 'webhook', url: 'http://127.0.0.1:4000/', secretEnv: 'hunter2' }])),
    /notifiers\.0\.secretEnv: must be the NAME of an environment variable/,
  );
  assert.match(
    refusal(withNotifiers([{ kind: 'webhook', url: 'https://hooks.example.com/x' }])),
    /notifiers\.0\.url: host hooks\.example\.com is neither http\.baseUrl's host nor in http\.allowedHosts; add it to http\.allowedHosts/,
  );
});

test("the operator's policy: notifier hosts must be in PERF_TARGET_HOSTS, secretEnv a variable the target may read", () => {
  const p = parseTargetProfile(
    withNotifiers([
      { kind: 'webhook', url: 'http://127.0.0.1:4000/hook', secretEnv: 'BILLING_SECRET' },
      { kind: 'alertmanager', url: 'http://alerts.internal:9093' },
      { kind: 'webhook', url: 'http://127.0.0.1:4000/hook', secretEnv: 'PERF_STORE_URL' },
    ]),
  );
  const issues = policyIssues(p, DEFAULT_OPERATOR_POLICY).filter((i) => i.path[0] === 'notifiers');
  const byPath = Object.fromEntries(issues.map((i) => [i.path.join('.'), i.message]));
  assert.deepEqual(Object.keys(byPath).sort(), ['notifiers.0.secretEnv', 'notifiers.1.url', 'notifiers.2.secretEnv']);
  assert.match(byPath['notifiers.1.url'], /host alerts\.internal is not in this worker's PERF_TARGET_HOSTS/);
  assert.match(byPath['notifiers.0.secretEnv'], /BILLING_SECRET: target shop may read only SHOP_\*/);
  assert.match(byPath['notifiers.2.secretEnv'], /worker's own settings/);
  const policy = parseOperatorPolicy({ PERF_TARGET_HOSTS: '127.0.0.1,alerts.internal', PERF_TARGET_SECRETS: 'shop=BILLING_SECRET' });
  assert.deepEqual(
    policyIssues(p, policy)
      .filter((i) => i.path[0] === 'notifiers')
      .map((i) => i.path.join('.')),
    ['notifiers.2.secretEnv'],
  );
});

test('the stored URL keeps no credentials, query or fragment', () => {
  assert.equal(redactedUrl('https://u:p@hooks.example.com/a/b?token=x#f'), 'https://hooks.example.com/a/b');
  assert.equal(redactedUrl('nope'), '(not a URL)');
});

test('a webhook URL may name its secret part {{env:NAME}} after the host; the policy judges the name; the worker resolves it', () => {
  const slack = 'http://127.0.0.1:4000/services/{{env:SHOP_SLACK_PATH}}?x={{env:SHOP_Q}}';
  const p = parseTargetProfile(withNotifiers([{ kind: 'webhook', url: slack }]));
  assert.equal(p.notifiers?.[0].url, slack, 'kept as written: the name, never the value');
  assert.deepEqual(urlEnvNames(slack), ['SHOP_SLACK_PATH', 'SHOP_Q']);
  assert.equal(redactedUrl(slack), 'http://127.0.0.1:4000/services/{{env:SHOP_SLACK_PATH}}');
  const env: Record<string, string> = { SHOP_SLACK_PATH: 'T0/B0/tok', SHOP_Q: '1' };
  assert.equal(
    resolveUrlSecrets(slack, (n) => env[n]),
    'http://127.0.0.1:4000/services/T0/B0/tok?x=1',
  );
  for (const [url, why] of [
    ['http://{{env:SHOP_HOST}}/hook', /only in its path or query, after the host/],
    ['http://127.0.0.1:4000{{env:SHOP_P}}', /only in its path or query, after the host/],
    ['http://127.0.0.1:4000/{{env:hunter2}}', /write the NAME of an environment variable/],
    ['http://127.0.0.1:4000/{{int:1:9}}', /\{\{int:1:9\}\} is not allowed here: a notifier URL takes only \{\{env:NAME\}\}/],
  ] as const) {
    assert.match(refusal(withNotifiers([{ kind: 'webhook', url }])), why, url);
  }
  assert.match(
    refusal(withNotifiers([{ kind: 'alertmanager', url: 'http://127.0.0.1:9093/{{env:SHOP_A}}' }])),
    /notifiers\.0\.url: Alertmanager's base URL takes no/,
  );
  const named = policyIssues(
    parseTargetProfile(withNotifiers([{ kind: 'webhook', url: 'http://127.0.0.1:4000/{{env:BILLING_PATH}}' }])),
    DEFAULT_OPERATOR_POLICY,
  );
  assert.match(named.find((i) => i.path.join('.') === 'notifiers.0.url')?.message ?? '', /BILLING_PATH: target shop may read only SHOP_\*/);
});
