// The load window's statements with their real values from the server's log (database.logFile):
// where the log ends is remembered with the snapshot before the load, and what was written after it
// is read with the profile after. Settings the log's format depends on are read from the server.
import type { Pool } from 'pg';
import type { TargetProfile } from '../../common/profile';
import { LOG_READ_MAX_BYTES, logPosition, readLogSince, type LogPosition } from '../postgres/log-file';
import { loggedStatements } from '../postgres/log-entries';
import { prefixHasDatabase } from '../postgres/log-prefix';
import { harvestLogSamples } from '../postgres/log-samples';

const HOW =
  'PostgreSQL writes statements with their values with log_min_duration_statement (e.g. ALTER DATABASE <db> SET ' +
  'log_min_duration_statement = 100, in ms) and log_parameter_max_length = -1 (the default); see "Real parameter values" in the README';

/** The log's position now (the window's start), or null with the problem noted; null without a database.logFile. */
export async function captureLogPosition(target: TargetProfile, dirs: string[], problems: string[]): Promise<LogPosition | null> {
  const file = target.database?.logFile;
  if (!file) return null;
  try {
    return await logPosition(file, dirs);
  } catch (err) {
    problems.push(`database.logFile: ${(err as Error).message}; real values are not read from the log`);
    return null;
  }
}

interface LogSettings {
  db: string;
  prefix: string;
  lcMessages: string;
  destination: string;
}

async function logSettings(pool: Pool): Promise<LogSettings> {
  const { rows } = await pool.query(
    `SELECT current_database() AS db, current_setting('log_line_prefix') AS prefix,
            current_setting('lc_messages') AS lc, current_setting('log_destination') AS dest`,
  );
  return { db: String(rows[0].db), prefix: String(rows[0].prefix), lcMessages: String(rows[0].lc), destination: String(rows[0].dest) };
}

/** What in the server's settings keeps its log from being read; null when nothing. */
export function logSettingsProblem(s: Pick<LogSettings, 'lcMessages' | 'destination'>): string | null {
  if (!s.destination.split(',').some((d) => d.trim() === 'stderr')) {
    return `log_destination is ${s.destination}: only the stderr format is read (add stderr to log_destination)`;
  }
  if (s.lcMessages && !/^(C|POSIX|en)([._@]|$)/i.test(s.lcMessages)) {
    return `lc_messages is ${s.lcMessages}: the log's messages are read in English (set lc_messages = 'C')`;
  }
  return null;
}

/** The window's value samples from the log: literal texts, a few per statement of `statements`. */
export async function logValueSamples(
  pool: Pool,
  target: TargetProfile,
  dirs: string[],
  from: LogPosition | null,
  statements: { queryid: string; query: string }[],
  problems: string[],
): Promise<string[]> {
  const file = target.database?.logFile;
  if (!file) return [];
  if (!from) {
    problems.push(`database.logFile: where the log ended at the window's start is unknown (no snapshot before the load); it was not read`);
    return [];
  }
  try {
    const settings = await logSettings(pool);
    const unreadable = logSettingsProblem(settings);
    if (unreadable) problems.push(`database.logFile: ${unreadable}`);
    const read = await readLogSince(file, dirs, from);
    if (read.rotated) problems.push('database.logFile: the log was rotated during the window; only the new file was read');
    if (read.truncated) {
      problems.push(
        `database.logFile: more than ${LOG_READ_MAX_BYTES / 1024 / 1024} MiB were logged during the window; the first were read ` +
          '(a higher log_min_duration_statement logs fewer statements)',
      );
    }
    const database = prefixHasDatabase(settings.prefix) ? settings.db : undefined;
    const logged = loggedStatements(read.text, { logLinePrefix: settings.prefix, database });
    const samples = [...harvestLogSamples(logged, statements).values()].flat();
    if (samples.length === 0 && !unreadable) {
      problems.push(`database.logFile: no statement of the window was found with its values in the ${read.bytes} bytes logged; ${HOW}`);
    }
    return samples;
  } catch (err) {
    problems.push(`database.logFile: ${(err as Error).message}; real values are not read from the log`);
    return [];
  }
}
