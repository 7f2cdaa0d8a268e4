// The `{{...}}` placeholders of request templates (paths, headers, bodies), read without sending
// anything: which are valid where, and which environment variables and setup values a template names.
//   {{int:MIN:MAX}}  {{pick:a|b}}  {{name}} (an endpoint variable)
//   {{env:NAME}}     the value of the worker's environment variable NAME (a secret: never stored)
//   {{setup.name}}   a value a setup step extracted for this virtual user (a secret too)

export const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `env:NAME` -> NAME (whatever NAME is; check it with envNameIssue), else null. */
export function envPlaceholder(body: string): string | null {
  return body.startsWith('env:') ? body.slice(4) : null;
}

/** `setup.name` -> name, else null. */
export function setupPlaceholder(body: string): string | null {
  return body.startsWith('setup.') ? body.slice(6) : null;
}

/** Why `name` in {{env:name}} is not the name of an environment variable, or null. */
export function envNameIssue(name: string): string | null {
  return ENV_NAME.test(name)
    ? null
    : `{{env:${name}}}: write the NAME of an environment variable (upper-case letters, digits, "_", e.g. {{env:SHOP_API_KEY}}), never its value`;
}

/** The bodies of the placeholders of `template`, in order. */
export function placeholderBodies(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/**
 * Checks `{{...}}` placeholders: {{int:MIN:MAX}}, {{pick:a|b}}, {{env:NAME}}, {{setup.name}} or a name
 * from `variables`. Whether a setup name is extracted by a setup step is checked with the whole profile.
 */
export function placeholderIssues(template: string, names: readonly string[]): string[] {
  const issues: string[] = [];
  for (const body of placeholderBodies(template)) {
    const int = /^int:(-?\d+):(-?\d+)$/.exec(body);
    if (int && !(Number.isSafeInteger(Number(int[1])) && Number.isSafeInteger(Number(int[2])))) {
      issues.push(`{{${body}}}: the bounds must be integers between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`);
      continue;
    }
    const env = envPlaceholder(body);
    if (env !== null) {
      const issue = envNameIssue(env);
      if (issue) issues.push(issue);
      continue;
    }
    const setup = setupPlaceholder(body);
    if (setup !== null) {
      if (!IDENTIFIER.test(setup)) issues.push(`{{setup.${setup}}}: write {{setup.NAME}} with NAME a value extracted by http.setup`);
      continue;
    }
    if (int || body.startsWith('pick:') || names.includes(body)) continue;
    issues.push(
      `unknown placeholder {{${body}}}: use {{int:MIN:MAX}}, {{pick:a|b}}, {{env:NAME}}, {{setup.NAME}} or a name from the endpoint's variables` +
        (names.length ? ` (${names.join(', ')})` : ''),
    );
  }
  return issues;
}

/** A request template's fields that may hold placeholders, with their paths relative to it. */
export function templateFields(e: {
  path: string;
  headers?: Record<string, string>;
  body?: string;
}): Array<{ path: (string | number)[]; text: string }> {
  const out: Array<{ path: (string | number)[]; text: string }> = [{ path: ['path'], text: e.path }];
  for (const [k, v] of Object.entries(e.headers ?? {})) out.push({ path: ['headers', k], text: v });
  if (e.body !== undefined) out.push({ path: ['body'], text: e.body });
  return out;
}

export interface TemplateReference {
  /** Where it is named, from the profile's root (e.g. http.endpoints.0.headers.authorization). */
  path: (string | number)[];
  name: string;
}

type Requests = {
  http: {
    endpoints: Array<{ path: string; headers?: Record<string, string>; body?: string }>;
    setup?: Array<{ path: string; headers?: Record<string, string>; body?: string }>;
  };
};

function references(target: Requests, pick: (body: string) => string | null): TemplateReference[] {
  const out: TemplateReference[] = [];
  const scan = (prefix: (string | number)[], e: { path: string; headers?: Record<string, string>; body?: string }): void => {
    for (const f of templateFields(e)) {
      for (const body of placeholderBodies(f.text)) {
        const name = pick(body);
        if (name !== null) out.push({ path: [...prefix, ...f.path], name });
      }
    }
  };
  (target.http.setup ?? []).forEach((s, i) => scan(['http', 'setup', i], s));
  target.http.endpoints.forEach((e, i) => scan(['http', 'endpoints', i], e));
  return out;
}

/** Every {{env:NAME}} of the profile's endpoints and setup steps, with where it is. */
export function envReferences(target: Requests): TemplateReference[] {
  return references(target, envPlaceholder);
}

/** Every {{setup.name}} of the profile's endpoints and setup steps, with where it is. */
export function setupReferences(target: Requests): TemplateReference[] {
  return references(target, setupPlaceholder);
}
