// The check's report files for CI: JUnit XML and a Markdown summary, where the flags ask.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CheckResult } from '../../common/gate/types';
import { checkJunitXml } from './junit';
import { checkMarkdown } from './check-text';

function write(file: string, text: string): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** Writes the asked reports; returns "junit: FILE" lines. */
export function writeCheckReports(r: CheckResult, opts: { junit?: string; markdown?: string; failOnWarn?: boolean }): string[] {
  const out: string[] = [];
  if (opts.junit) out.push(`junit: ${write(opts.junit, checkJunitXml(r, { failOnWarn: opts.failOnWarn }))}`);
  if (opts.markdown) out.push(`markdown: ${write(opts.markdown, checkMarkdown(r))}`);
  return out;
}
