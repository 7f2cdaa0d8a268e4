// The workflow bundle, kept on disk between test processes: webpack takes seconds of CPU per bundle
// and most test files bundle the same code. A stored bundle is used only when every file it was built
// from (the project's workflows and common modules, the packages' modules) has the same content as
// then, with the same SDK version; otherwise it is built again and stored. The store is per checkout,
// in the OS temp directory.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';

const ROOT = join(__dirname, '../..');
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const STORE = join(tmpdir(), 'perf-orch-test-cache', sha(ROOT).slice(0, 12), 'workflow-bundle.json');

/** Bumped when what is stored, or how its freshness is checked, changes. */
const STORE_FORMAT = 'v2';

interface Stored {
  key: string;
  files: Record<string, string | null>; // path -> sha256 of its content (null: not on disk)
  bundle: WorkflowBundleWithSourceMap;
}

/** The store's format and the versions of the SDK that bundles and is bundled. */
function sdkKey(): string {
  const version = (pkg: string) => {
    const file = join(dirname(require.resolve(pkg)), '..', 'package.json');
    return `${pkg}@${JSON.parse(readFileSync(file, 'utf8')).version}`;
  };
  return [STORE_FORMAT, ...['@temporalio/worker', '@temporalio/workflow', '@temporalio/common'].map(version)].join(' ');
}

const fileHash = (path: string): string | null => (existsSync(path) ? sha(readFileSync(path)) : null);

/**
 * The files a bundle was built from: the sources its inline source map lists (the project's modules,
 * the SDK's TypeScript) and the modules webpack bundled (the packages' JavaScript, named relative to
 * the working directory it bundled in).
 */
function inputsOf(code: string): string[] {
  const m = /sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
  if (!m) throw new Error('the workflow bundle has no inline source map to list its sources');
  const map = JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')) as { sources: string[] };
  const modules = [...code.matchAll(/^\/\*\*\*\/ "([^"?]+)"/gm)].map((x) => resolve(x[1]));
  return [...new Set([...map.sources.filter((s) => isAbsolute(s)), ...modules])];
}

function readStored(key: string): WorkflowBundleWithSourceMap | undefined {
  try {
    const stored = JSON.parse(readFileSync(STORE, 'utf8')) as Stored;
    if (stored.key !== key) return undefined;
    const fresh = Object.entries(stored.files).every(([path, hash]) => fileHash(path) === hash);
    return fresh ? stored.bundle : undefined;
  } catch {
    return undefined; // none yet, or unreadable: build it
  }
}

/** The stored bundle when its sources are unchanged, else `build()`'s, stored for the next process. */
export async function cachedWorkflowBundle(build: () => Promise<WorkflowBundleWithSourceMap>): Promise<WorkflowBundleWithSourceMap> {
  const key = sdkKey();
  const stored = readStored(key);
  if (stored) return stored;
  const bundle = await build();
  const files = Object.fromEntries(inputsOf(bundle.code).map((path) => [path, fileHash(path)]));
  mkdirSync(dirname(STORE), { recursive: true });
  const tmp = `${STORE}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ key, files, bundle } satisfies Stored));
  renameSync(tmp, STORE); // atomic: a process reading at the same time sees the old file or the new one
  return bundle;
}
