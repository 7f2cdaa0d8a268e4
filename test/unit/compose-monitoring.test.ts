// The monitoring stack as shipped (Docker does not run here, so these files are checked as files): the
// compose Prometheus's config passes promtool, scrapes services the compose file defines, and scrapes the
// same jobs as the one scripts/prepare-services.sh writes; every file the compose file mounts exists; the
// postgres exporter's custom query exports the metric names the observability skill queries; the worker
// image carries the compose Prometheus's promtool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { postgresQueries } from '../../common/observability/exporters';

const ROOT = join(__dirname, '..', '..');
const read = (f: string): string => readFileSync(join(ROOT, f), 'utf8');
const compose = YAML.parse(read('docker-compose.yml')) as { services: Record<string, { volumes?: string[]; image?: string }> };
type ScrapeConfig = { job_name: string; static_configs: { targets: string[] }[] };
const jobsOf = (config: { scrape_configs: ScrapeConfig[] }) => config.scrape_configs.map((c) => c.job_name).sort();

test("the compose Prometheus's config passes promtool check config and scrapes only compose services", () => {
  try {
    execFileSync('promtool', ['check', 'config', join(ROOT, 'docker/prometheus.yml')], { stdio: 'pipe' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: Buffer; stderr?: Buffer };
    if (e.code === 'ENOENT') assert.fail('promtool is not installed; install it with: bash scripts/prepare-services.sh');
    assert.fail(`promtool check config docker/prometheus.yml: ${e.stdout}${e.stderr}`);
  }
  const config = YAML.parse(read('docker/prometheus.yml')) as { scrape_configs: ScrapeConfig[] };
  for (const c of config.scrape_configs) {
    for (const t of c.static_configs.flatMap((s) => s.targets)) {
      const host = t.split(':')[0];
      assert.ok(host === 'localhost' || host in compose.services, `job ${c.job_name} scrapes ${t}: no compose service ${host}`);
    }
  }
  assert.ok(jobsOf(config).includes('postgres') && jobsOf(config).includes('redis'), 'the database and cache exporters are scraped');
});

test('prepare-services.sh writes the same scrape jobs as the compose config', () => {
  const script = read('scripts/prepare-services.sh');
  const block = /PROM_CONFIG="([\s\S]*?)"\n/.exec(script)?.[1];
  assert.ok(block, 'PROM_CONFIG="..." in scripts/prepare-services.sh');
  const local = YAML.parse(block.replaceAll('$PROM_DIR', '/tmp/x')) as { scrape_configs: ScrapeConfig[] };
  const composed = YAML.parse(read('docker/prometheus.yml')) as { scrape_configs: ScrapeConfig[] };
  assert.deepEqual(jobsOf(local), jobsOf(composed));
});

test('every file the compose file mounts from the repository exists', () => {
  for (const [name, s] of Object.entries(compose.services)) {
    for (const v of s.volumes ?? []) {
      const source = v.split(':')[0];
      if (source.startsWith('./')) assert.ok(existsSync(join(ROOT, source)), `service ${name} mounts ${source}, which is missing`);
    }
  }
});

test("the postgres exporter's custom query exports what the skill queries", () => {
  const queries = YAML.parse(read('docker/postgres-exporter-queries.yaml')) as Record<
    string,
    { metrics: Record<string, { usage: string }>[] }
  >;
  const exported = Object.entries(queries).flatMap(([ns, q]) =>
    q.metrics.flatMap((m) =>
      Object.entries(m)
        .filter(([, v]) => v.usage === 'COUNTER')
        .map(([col]) => `${ns}_${col}`),
    ),
  );
  const q = postgresQueries({ job: 'j', instance: 'i' }, 'd', 10);
  for (const expr of [q.dbSecondsPerSecond, q.statementsPerSecond]) {
    const metric = /rate\((\w+)\{/.exec(expr)![1];
    assert.ok(exported.includes(metric), `${metric} is not exported by docker/postgres-exporter-queries.yaml (${exported.join(', ')})`);
  }
});

test("the worker image's promtool is the compose Prometheus's release", () => {
  const from = /COPY --from=(\S+) \/bin\/promtool /.exec(read('Dockerfile'))?.[1];
  assert.equal(from, compose.services.prometheus.image, 'Dockerfile COPY --from=<image> /bin/promtool');
});
