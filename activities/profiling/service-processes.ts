// The processes of a service on this host, found by the TCP port it listens on: every process
// holding the listening socket (/proc/net/tcp inode -> /proc/PID/fd links) and their descendants.
// A pre-fork server (gunicorn, uwsgi) has a master and workers that all hold the socket; Node's
// cluster primary holds it alone and hands connections to its worker children. Either way the
// service is the holders' process tree, and its root (the master) is the holder none of whose
// ancestors holds the socket.
import { readdir, readFile, readlink } from 'node:fs/promises';

/** Socket inodes in LISTEN state (0A) on `port`, from /proc/net/tcp and /proc/net/tcp6. */
export async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    for (const inode of parseListeningInodes(text, port)) inodes.add(inode);
  }
  return inodes;
}

export function parseListeningInodes(procNetTcp: string, port: number): string[] {
  const out: string[] = [];
  const lines = procNetTcp.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    if (f.length < 10 || f[3] !== '0A') continue;
    const colon = f[1].lastIndexOf(':');
    if (parseInt(f[1].slice(colon + 1), 16) !== port) continue;
    if (f[9] !== '0') out.push(f[9]);
  }
  return out;
}

/** One process of the host: its parent, and whether it holds the service's listening socket. */
export interface HostProcess {
  pid: number;
  ppid: number;
  holdsSocket: boolean;
}

export interface ServiceProcesses {
  root: number; // the master (or the only process): the lowest of roots
  roots: number[]; // one per process tree holding the socket (usually one)
  pids: number[]; // holders and their descendants, root first, then by pid
}

/** The service's process tree among the host's processes; null when no process holds the socket. */
export function serviceTree(procs: HostProcess[]): ServiceProcesses | null {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const holders = procs.filter((p) => p.holdsSocket);
  if (holders.length === 0) return null;
  const tops = holders.filter((p) => !ancestorHolds(p, byPid));
  const roots = (tops.length > 0 ? tops : holders).map((p) => p.pid).sort((a, b) => a - b);
  const children = new Map<number, number[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const inTree = new Set<number>();
  const stack = holders.map((p) => p.pid);
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (inTree.has(pid)) continue;
    inTree.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  const root = roots[0];
  return { root, roots, pids: [root, ...[...inTree].filter((p) => p !== root).sort((a, b) => a - b)] };
}

function ancestorHolds(p: HostProcess, byPid: Map<number, HostProcess>): boolean {
  const seen = new Set<number>();
  for (let cur = p.ppid; cur > 0 && !seen.has(cur); cur = byPid.get(cur)?.ppid ?? 0) {
    seen.add(cur);
    if (byPid.get(cur)?.holdsSocket) return true;
  }
  return false;
}

/** Parent pid from /proc/PID/stat (field 4, after the parenthesized command name). */
export function parsePpid(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Every process of the host we may read, and whether it holds one of `inodes`. */
async function hostProcesses(inodes: Set<string>): Promise<HostProcess[]> {
  const targets = new Set([...inodes].map((i) => `socket:[${i}]`));
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const out: HostProcess[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    let ppid: number;
    try {
      ppid = parsePpid(await readFile(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      continue; // gone
    }
    out.push({ pid, ppid, holdsSocket: await holdsAny(pid, targets) });
  }
  return out;
}

async function holdsAny(pid: number, targets: Set<string>): Promise<boolean> {
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return false; // gone, or not ours to read
  }
  for (const fd of fds) {
    try {
      if (targets.has(await readlink(`/proc/${pid}/fd/${fd}`))) return true;
    } catch {
      // fd closed meanwhile
    }
  }
  return false;
}

/** The processes of the service listening on `port` (null when none on this host). */
export async function findServiceProcesses(port: number): Promise<ServiceProcesses | null> {
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return null;
  return serviceTree(await hostProcesses(inodes));
}

/** PID of the service's root process listening on `port` (the master of a pre-fork server), else null. */
export async function findListeningPid(port: number): Promise<number | null> {
  return (await findServiceProcesses(port))?.root ?? null;
}
