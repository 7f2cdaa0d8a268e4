// The part of the server's log written during a load window: its size is remembered at the window's
// start, and the bytes after it are read at the end (from the start when the file was rotated). The
// path comes from a profile, so it is checked again here against the operator's directories after
// symbolic links are resolved, must be a regular file, and at most `maxBytes` are read. The text is
// only ever parsed as log lines (log-entries.ts), never copied into results.
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { logFileAllowed } from '../../common/operator-policy';

export interface LogPosition {
  dev: number;
  ino: number;
  size: number;
}

/** 16 MiB: at ~300 bytes per logged call, some 50,000 calls, more than a few value sets per statement need. */
export const LOG_READ_MAX_BYTES = 16 * 1024 * 1024;

export class LogFileError extends Error {}

/** The byte range of the window: from the remembered size, or from 0 when the file is another one or shrank. */
export function windowRange(
  from: LogPosition,
  now: LogPosition,
  maxBytes: number,
): { start: number; end: number; rotated: boolean; truncated: boolean } {
  const rotated = now.dev !== from.dev || now.ino !== from.ino || now.size < from.size;
  const start = rotated ? 0 : from.size;
  const end = Math.min(now.size, start + maxBytes);
  return { start, end, rotated, truncated: end < now.size };
}

async function openLog(file: string, dirs: string[]) {
  let real: string;
  try {
    real = await realpath(file);
  } catch (err) {
    throw new LogFileError(`${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const realDirs = await Promise.all(dirs.map((d) => realpath(d).catch(() => d)));
  if (!logFileAllowed({ logDirs: realDirs }, real)) {
    throw new LogFileError(`${file} resolves to ${real}, outside PERF_DB_LOG_DIRS (${dirs.join(', ')})`);
  }
  // O_NONBLOCK: a FIFO put there would otherwise hang the open.
  const fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    throw new LogFileError(`${file} cannot be opened (${err.code ?? err.message})`);
  });
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new LogFileError(`${file} is not a regular file`);
  }
  return { fh, position: { dev: st.dev, ino: st.ino, size: st.size } };
}

/** Where the log ends now (taken at the window's start). */
export async function logPosition(file: string, dirs: string[]): Promise<LogPosition> {
  const { fh, position } = await openLog(file, dirs);
  await fh.close();
  return position;
}

/** The log text written since `from` (whole lines, at most `maxBytes`), and how it was read. */
export async function readLogSince(
  file: string,
  dirs: string[],
  from: LogPosition,
  maxBytes = LOG_READ_MAX_BYTES,
): Promise<{ text: string; bytes: number; rotated: boolean; truncated: boolean }> {
  const { fh, position } = await openLog(file, dirs);
  try {
    const r = windowRange(from, position, maxBytes);
    const buf = Buffer.alloc(r.end - r.start);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, r.start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const lastNewline = buf.subarray(0, got).lastIndexOf(0x0a);
    const text = lastNewline < 0 ? '' : buf.subarray(0, lastNewline).toString('utf8');
    return { text, bytes: got, rotated: r.rotated, truncated: r.truncated };
  } finally {
    await fh.close();
  }
}
