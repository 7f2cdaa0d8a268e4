// Targets of the load-generator benchmark, all on 127.0.0.1 and all in their own processes:
// nginx serving a small static file (Debian nginx-light / nginx), and the Node.js server of
// node-target.js (immediate, after 20 ms, or with a one-off 200 ms event-loop stall).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Target {
  name: string;
  url: string;
  pid: number;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function waitForHttp(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function nginxBinary(): string | null {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/** nginx (2 workers, access log off) serving a 612-byte static file, like its default index page. */
export async function startNginx(): Promise<Target> {
  const bin = nginxBinary();
  if (!bin) throw new Error('nginx is not installed: apt-get install -y nginx-light');
  const dir = mkdtempSync(join(tmpdir(), 'bench-nginx-'));
  chmodSync(dir, 0o755); // the workers run as nobody
  writeFileSync(
    join(dir, 'index.html'),
    `<!DOCTYPE html>\n<html><head><title>bench</title></head><body>${'x'.repeat(540)}</body></html>\n`,
  );
  chmodSync(join(dir, 'index.html'), 0o644);
  const port = await freePort();
  const conf = `
worker_processes 2;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  default_type text/html;
  server {
    listen 127.0.0.1:${port};
    root ${dir};
    location / { index index.html; }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn(bin, ['-c', join(dir, 'nginx.conf'), '-p', dir, '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}/index.html`;
  try {
    await waitForHttp(url);
  } catch (err) {
    await stopChild(child);
    const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
    throw new Error(`nginx did not start: ${(err as Error).message}\n${stderr}\n${log}`, { cause: err });
  }
  return {
    name: 'nginx static',
    url,
    pid: child.pid!,
    close: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface NodeTargetOptions {
  name: string;
  delayMs?: number;
  stallAtMs?: number;
  stallMs?: number;
}

/** node-target.js in its own process. */
export async function startNodeTarget(o: NodeTargetOptions): Promise<Target> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), DELAY_MS: String(o.delayMs ?? 0), MAX_SECONDS: '1800' };
  if (o.stallAtMs !== undefined) {
    env.STALL_AT_MS = String(o.stallAtMs);
    env.STALL_MS = String(o.stallMs ?? 200);
  }
  delete env.NODE_OPTIONS; // no tsx loader in the target
  const child = spawn(process.execPath, [join(__dirname, 'node-target.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)).port);
    });
    child.once('exit', (code) => reject(new Error(`node target exited with ${code}`)));
  });
  return { name: o.name, url: `http://127.0.0.1:${port}/`, pid: child.pid!, close: () => stopChild(child) };
}
