// A setup step of the profile (http.setup): a request each virtual user sends once before its load
// (e.g. log in), and the values it extracts from the answer for later requests ({{setup.NAME}}).
import { z } from 'zod';
import { parseJsonPath } from './json-path';
import { invalidHeaderName } from './request-text';
import { IDENTIFIER, placeholderIssues, setupReferences, templateFields } from './template-placeholders';

// RFC 6265 cookie-name: an RFC 9110 token.
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const ExtractSchema = z.union([
  z.strictObject({
    json: z.string().superRefine((p, ctx) => {
      const steps = parseJsonPath(p);
      if (typeof steps === 'string') ctx.addIssue({ code: 'custom', message: steps });
    }),
  }),
  z.strictObject({
    header: z.string().superRefine((h, ctx) => {
      const problem = invalidHeaderName(h);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  }),
  z.strictObject({
    cookie: z.string().regex(COOKIE_NAME, 'a cookie name: letters, digits and !#$%&\'*+.^_`|~- only (no "=", ";" or space)'),
  }),
]);
export type Extract = z.infer<typeof ExtractSchema>;

/** The fields a setup step shares with an endpoint; the step's own checks are added by the profile. */
export const setupStepShape = {
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, "-" or "_"')
    .optional(),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  path: z.string().startsWith('/', 'must start with "/" (it is relative to http.baseUrl)'),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
  expectStatus: z.array(z.number().int().min(100).max(599)).default([200]),
  // Values taken from the answer: {token: {json: "$.user.token"}, sid: {cookie: "sid"}, csrf: {header: "x-csrf"}}.
  extract: z.record(z.string().regex(IDENTIFIER, 'extracted value names are identifiers'), ExtractSchema).default({}),
};

/** How a step is named in messages: `setup step 1 (login)`. */
export function setupStepLabel(step: { name?: string }, index: number): string {
  return `setup step ${index + 1}${step.name ? ` (${step.name})` : ''}`;
}

type Issue = { path: (string | number)[]; message: string };

/** Placeholder checks of the steps: {{setup.x}} only names a value extracted by an earlier step; names extracted once. */
export function setupStepIssues(steps: ReadonlyArray<z.infer<z.ZodObject<typeof setupStepShape>>>): Issue[] {
  const issues: Issue[] = [];
  const extracted: string[] = [];
  steps.forEach((s, i) => {
    for (const f of templateFields(s)) {
      for (const message of placeholderIssues(f.text, [])) issues.push({ path: ['http', 'setup', i, ...f.path], message });
    }
    for (const ref of setupReferences({ http: { endpoints: [], setup: [s] } })) {
      if (!extracted.includes(ref.name)) {
        issues.push({
          path: ['http', 'setup', i, ...ref.path.slice(3)],
          message:
            `{{setup.${ref.name}}} is not extracted by an earlier setup step` +
            (extracted.length ? ` (extracted before: ${extracted.join(', ')})` : ''),
        });
      }
    }
    for (const name of Object.keys(s.extract)) {
      if (extracted.includes(name))
        issues.push({
          path: ['http', 'setup', i, 'extract', name],
          message: `"${name}" is extracted by an earlier step too; give it another name`,
        });
      else extracted.push(name);
    }
  });
  return issues;
}

/** {{setup.x}} in endpoints only names values the setup steps extract. */
export function endpointSetupIssues(target: {
  http: {
    endpoints: Array<{ path: string; headers?: Record<string, string>; body?: string }>;
    setup?: Array<{ extract: Record<string, unknown> }>;
  };
}): Issue[] {
  const names = (target.http.setup ?? []).flatMap((s) => Object.keys(s.extract));
  return setupReferences({ http: { endpoints: target.http.endpoints } })
    .filter((r) => !names.includes(r.name))
    .map((r) => ({
      path: r.path,
      message: names.length
        ? `{{setup.${r.name}}} is not extracted by http.setup (it extracts ${names.join(', ')})`
        : `{{setup.${r.name}}} needs an http.setup step that extracts "${r.name}"`,
    }));
}
