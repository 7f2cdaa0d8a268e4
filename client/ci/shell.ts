// The POSIX shell both CI files run: start a process in the background, wait until it is ready (or
// show its log and fail), import the baseline, run the check. Pure: each function returns script text.
import { JUNIT_FILE, LOG_DIR, MARKDOWN_FILE, type CiInput } from './ci-input';

/** What `perf-orch dev server` prints once the server answers (client/dev/dev-server-env.ts devServerLines). */
export const TEMPORAL_READY = 'Temporal dev server on';
/** What the worker prints once it polls its task queues (worker/main.ts). */
export const WORKER_READY = 'worker serving';

/** `s` as one shell word: unchanged when it is plain, else single-quoted. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Starts `command` in the background with its output in perf-logs/NAME.log, then polls `ready` once a second. */
function startAndWait(o: { name: string; what: string; command: string; ready: string; seconds: number }): string {
  const log = `${LOG_DIR}/${o.name}.log`;
  return [
    `mkdir -p ${LOG_DIR}`,
    `nohup ${o.command} > ${log} 2>&1 &`,
    'pid=$!',
    'i=0',
    `until ${o.ready}; do`,
    `  if ! kill -0 "$pid" 2>/dev/null || [ "$i" -ge ${o.seconds} ]; then`,
    `    echo "${o.what} did not start within ${o.seconds} s; its log (${log}):"`,
    `    cat ${log}`,
    '    exit 1',
    '  fi',
    '  i=$((i + 1))',
    '  sleep 1',
    'done',
    `echo "${o.what} is up"`,
    '',
  ].join('\n');
}

/** The embedded Temporal dev server (SQLite, 127.0.0.1:7233): `perf-orch dev server`. */
export function startTemporalScript(): string {
  return startAndWait({
    name: 'temporal',
    what: 'the Temporal dev server',
    command: 'npx perf-orch dev server',
    ready: `grep -q '${TEMPORAL_READY}' ${LOG_DIR}/temporal.log`,
    seconds: 90,
  });
}

/** The worker, run from perf-orchestrator's folder so that `--import tsx` finds tsx there or in the folder above. */
export function startWorkerScript(): string {
  return startAndWait({
    name: 'worker',
    what: 'the perf-orchestrator worker',
    command: 'sh -c \'cd "$PERF_ORCH_HOME" && exec node --import tsx worker/main.ts\'',
    ready: `grep -q '${WORKER_READY}' ${LOG_DIR}/worker.log`,
    seconds: 180,
  });
}

/** The user's command (in PERF_TARGET_START, so it needs no quoting here) in the background. */
export function startTargetScript(input: CiInput): string {
  return startAndWait({
    name: 'target',
    what: `the target (${input.baseUrl})`,
    command: 'bash -c "$PERF_TARGET_START"',
    ready: answersProbe(input.baseUrl),
    seconds: 120,
  });
}

/** Without --start: the target runs elsewhere; wait for it all the same (a deployment may still be rolling out). */
export function waitForTargetScript(input: CiInput): string {
  return [
    'i=0',
    `until ${answersProbe(input.baseUrl)}; do`,
    '  if [ "$i" -ge 120 ]; then',
    `    echo "${input.baseUrl} did not answer within 120 s"`,
    '    exit 1',
    '  fi',
    '  i=$((i + 1))',
    '  sleep 1',
    'done',
    '',
  ].join('\n');
}

/** Any HTTP answer counts (curl without -f exits 0 on a 404 or 500 too): the server is listening. */
function answersProbe(url: string): string {
  return `curl -s -o /dev/null --max-time 2 ${shellWord(url)}`;
}

export function baselineImportCommand(input: CiInput): string {
  return `npx perf-orch baseline import --file ${shellWord(input.baselineFile)}`;
}

export function checkCommand(input: CiInput): string {
  const args = ['npx perf-orch check', `--target ${shellWord(input.profilePath)}`];
  if (input.baseUrlOverride) args.push(`--base-url ${shellWord(input.baseUrlOverride)}`);
  args.push('--baseline pinned', `--junit ${JUNIT_FILE}`, `--markdown ${MARKDOWN_FILE}`, '--wait');
  return args.join(' ');
}
