// The CLI for tests that call it many times: client/main.ts bundled once per test process (esbuild,
// the packages left to node_modules) and run with plain node. bin/perf-orch runs it through tsx,
// which resolves and loads ~100 TypeScript modules on every call: about twice the CPU of the bundle,
// a second or more per call on a busy 2-core machine. Same source, same output and exit codes; the
// tests that check bin/perf-orch itself call it through runCli(CLI_BIN, ...).
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(__dirname, '../..');
/** The user's entry point (tsx). */
export const CLI_BIN = join(ROOT, 'bin/perf-orch');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  maxBuffer?: number;
}

interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

let bundled: Promise<string> | undefined;

/**
 * The bundle, built on first use. It lives two levels below the checkout (dist/cli-<pid>/, ignored by
 * git and the linters) because client/dev/temporal-cli.ts finds the project root at __dirname/../..;
 * it is removed when the test process exits.
 */
export function cliBundle(): Promise<string> {
  bundled ??= (async () => {
    const outDir = join(ROOT, 'dist', `cli-${process.pid}`);
    mkdirSync(outDir, { recursive: true });
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    // esbuild is tsx's: resolved from tsx's own directory, whatever the package manager hoists.
    const esbuildPath = require.resolve('esbuild', { paths: [dirname(require.resolve('tsx/package.json'))] });
    const loaded = (await import(pathToFileURL(esbuildPath).href)) as { default?: Esbuild } & Esbuild;
    const esbuild = loaded.default ?? loaded;
    const outfile = join(outDir, 'perf-orch.cjs');
    await esbuild.build({
      entryPoints: [join(ROOT, 'client/main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      keepNames: true,
      // A module's `require.main === module` (demo/seed.ts's own command line) would be true for every
      // module of the bundle: none of them is the main module.
      define: { 'require.main': 'undefined' },
      logLevel: 'error',
    });
    return outfile;
  })();
  return bundled;
}

/** Runs `command args` (an executable, or node with the bundle); the exit code, stdout and stderr. */
export function runCli(command: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: opts.env ?? process.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 120_000, maxBuffer: opts.maxBuffer ?? 1 << 20 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** perf-orch `args`, run from the bundle. */
export async function perfOrch(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return runCli(process.execPath, [await cliBundle(), ...args], opts);
}
