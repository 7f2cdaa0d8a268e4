// What each request of a load test looks like: a weighted choice of endpoint, then its path,
// headers and body with template variables replaced:
//   {{int:MIN:MAX}}   a random integer in [MIN, MAX], drawn for each occurrence
//   {{pick:a|b|c}}    one item of the list, drawn for each occurrence
//   {{name}}          the endpoint's variable `name` (variables: {name: {int: [MIN, MAX]} | {list: [...]}}),
//                     drawn once per request: every occurrence in path, headers and body gets the same value
//   {{env:NAME}}      the worker's environment variable NAME (resolved by the activity, in the context)
//   {{setup.name}}    what the setup steps extracted for the virtual user sending the request
// Values put into the path are percent-encoded unless they are plain [A-Za-z0-9._~-]; values put
// into a JSON body (content-type *json*, the default) are escaped as inside a JSON string, so a
// password holding `"` or `\` still makes valid JSON.
// Templates are compiled once; a request whose endpoint has no placeholder is a ready-made buffer
// (one per virtual user when it only has setup values).
import { ApplicationFailure } from '@temporalio/common';
import { requestTextIssues, type Endpoint, type EndpointVariable } from '../../common/profile';
import { PLACEHOLDER, envPlaceholder, setupPlaceholder } from '../../common/template-placeholders';

/** The secrets a scenario's templates use: never stored, logged or reported. */
export interface TrafficContext {
  /** Values of the {{env:NAME}} placeholders, resolved on the worker under its operator's policy. */
  env: Readonly<Record<string, string>>;
  /** The names the setup steps extract ({{setup.name}}). */
  setupNames: readonly string[];
  /** What the setup steps extracted, one record per virtual user (session); [] without setup. */
  sessions: ReadonlyArray<Readonly<Record<string, string>>>;
}

export const NO_TRAFFIC_CONTEXT: TrafficContext = { env: {}, setupNames: [], sessions: [] };

export type Rng = () => number; // uniform in [0, 1)

type Part =
  | string
  | { kind: 'int'; min: number; span: number }
  | { kind: 'pick'; items: string[] }
  | { kind: 'var'; index: number; escape: Escape }
  | { kind: 'session'; name: string; escape: Escape };

/** How a substituted value is written: percent-encoded (path), JSON-string-escaped (JSON body) or as it is. */
export type Escape = 'path' | 'json' | 'none';

export interface CompiledTemplate {
  parts: Part[];
  isStatic: boolean;
  /** Only text and setup values: the same for every request of one virtual user. */
  perSession: boolean;
}

type Session = Readonly<Record<string, string>>;
const NO_SESSION: Session = {};
const PLAIN = /^[A-Za-z0-9._~-]*$/;
const encodePathValue = (s: string): string => (PLAIN.test(s) ? s : encodeURIComponent(s));
const escapeJsonValue = (s: string): string => JSON.stringify(s).slice(1, -1);
const escapeValue = (s: string, escape: Escape): string =>
  escape === 'path' ? encodePathValue(s) : escape === 'json' ? escapeJsonValue(s) : s;

function parsePlaceholder(body: string, variableNames: readonly string[], escape: Escape, lenient: boolean, ctx: TrafficContext): Part {
  const env = envPlaceholder(body);
  if (env !== null) {
    const value = ctx.env[env];
    if (value !== undefined) return escapeValue(value, escape);
    if (lenient) return `{{${body}}}`;
    throw new Error(`{{env:${env}}} has no value here: the load test resolves it on the worker (the operator's policy allows it?)`);
  }
  const setup = setupPlaceholder(body);
  if (setup !== null && ctx.setupNames.includes(setup)) return { kind: 'session', name: setup, escape };
  const int = /^int:(-?\d+):(-?\d+)$/.exec(body);
  if (int) {
    let min = Number(int[1]);
    let max = Number(int[2]);
    if (min > max) [min, max] = [max, min];
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max)) throw new Error(`{{${body}}}: bounds must be safe integers`);
    return { kind: 'int', min, span: max - min + 1 };
  }
  if (body.startsWith('pick:')) {
    const items = body.slice(5).split('|');
    return { kind: 'pick', items: items.map((x) => escapeValue(x, escape)) };
  }
  const index = variableNames.indexOf(body);
  if (index >= 0) return { kind: 'var', index, escape };
  if (lenient) return `{{${body}}}`;
  if (setup !== null) throw new Error(`{{setup.${setup}}} is not extracted by http.setup`);
  const known = variableNames.length ? `; variables of this endpoint: ${variableNames.join(', ')}` : '';
  throw new Error(`unknown placeholder {{${body}}}: use {{int:MIN:MAX}}, {{pick:a|b}} or a name from the endpoint's variables${known}`);
}

/** Whether offset `at` of a JSON text lies inside a string literal (placeholders hold no quotes). */
export function insideJsonString(text: string, at: number): boolean {
  let inside = false;
  for (let i = 0; i < at; i++) {
    if (text[i] === '\\' && inside) i++;
    else if (text[i] === '"') inside = !inside;
  }
  return inside;
}

/** Compiles a template; an unknown placeholder throws, or stays as it is when `lenient`. */
export function compileTemplate(
  template: string,
  variableNames: readonly string[] = [],
  escape: Escape = 'none',
  lenient = false,
  ctx: TrafficContext = NO_TRAFFIC_CONTEXT,
): CompiledTemplate {
  const parts: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index! > last) parts.push(template.slice(last, m.index));
    const here = escape === 'json' && !insideJsonString(template, m.index!) ? 'none' : escape;
    parts.push(parsePlaceholder(m[1], variableNames, here, lenient, ctx));
    last = m.index! + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return {
    parts,
    isStatic: parts.every((p) => typeof p === 'string'),
    perSession: parts.every((p) => typeof p === 'string' || p.kind === 'session'),
  };
}

function renderParts(t: CompiledTemplate, rng: Rng, vars: readonly string[], session: Session = NO_SESSION): string {
  if (t.isStatic) return t.parts.length === 1 ? (t.parts[0] as string) : t.parts.join('');
  let out = '';
  for (const p of t.parts) {
    if (typeof p === 'string') out += p;
    else if (p.kind === 'int') out += String(p.min + Math.floor(rng() * p.span));
    else if (p.kind === 'pick') out += p.items[Math.floor(rng() * p.items.length)];
    else if (p.kind === 'var') out += escapeValue(vars[p.index], p.escape);
    else out += escapeValue(session[p.name] ?? '', p.escape);
  }
  return out;
}

/**
 * Replaces each `{{int:MIN:MAX}}` / `{{pick:a|b}}` (and named variables, when given: pass the
 * endpoint's `variables`) by a random value; other placeholders are left as they are.
 */
export function renderTemplate(template: string, rng: Rng = Math.random, variables: Record<string, EndpointVariable> = {}): string {
  if (!template.includes('{{')) return template;
  const names = Object.keys(variables);
  const values = drawVariables(
    names.map((n) => variables[n]),
    rng,
  );
  return renderParts(compileTemplate(template, names, 'none', true), rng, values);
}

function drawVariables(specs: readonly EndpointVariable[], rng: Rng): string[] {
  return specs.map((v) => {
    if ('int' in v) {
      const [a, b] = v.int[0] <= v.int[1] ? v.int : [v.int[1], v.int[0]];
      return String(a + Math.floor(rng() * (b - a + 1)));
    }
    return v.list[Math.floor(rng() * v.list.length)];
  });
}

/** Returns a function that picks an endpoint index with probability weight / sum(weights). */
export function createPicker(weights: number[], rng: Rng = Math.random): () => number {
  if (weights.length === 0) throw new Error('no endpoints to choose from');
  if (weights.length === 1) return () => 0;
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) {
    total += w > 0 ? w : 0;
    cumulative.push(total);
  }
  if (total <= 0) throw new Error('endpoint weights must be positive');
  return () => {
    const r = rng() * total;
    // Linear scan: endpoint lists are short.
    for (let i = 0; i < cumulative.length; i++) if (r < cumulative[i]) return i;
    return cumulative.length - 1;
  };
}

export interface PreparedRequest {
  endpointIndex: number;
  method: Endpoint['method'];
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** One request as bytes on the wire (HTTP/1.1, keep-alive). */
export interface WireRequest {
  endpointIndex: number;
  data: Buffer;
  /** HEAD requests get a response without a body. */
  head: boolean;
}

interface CompiledEndpoint {
  method: Endpoint['method'];
  path: CompiledTemplate;
  headers: Array<[string, CompiledTemplate]>;
  body: CompiledTemplate | undefined;
  variables: EndpointVariable[];
  isStatic: boolean;
  perSession: boolean;
  wire: Buffer | undefined; // the whole request when static
  wires: Array<Buffer | undefined>; // per session, when only setup values vary
}

/**
 * The worker trusts no input (a workflow may be started without the CLI): the same check as the
 * profile schema, before a single byte is sent.
 */
function refuseUnsafeRequests(endpoints: Endpoint[]): void {
  for (const e of endpoints) {
    const [issue] = requestTextIssues(e);
    if (issue) {
      throw ApplicationFailure.nonRetryable(`endpoint ${e.name}: ${issue.path.join('.')} ${issue.message}`, 'BadProfile');
    }
  }
}

/** Endpoints ready to be sent under a base path (the path part of http.baseUrl). */
export class Scenario {
  private readonly pick: () => number;
  private readonly compiled: CompiledEndpoint[];
  private readonly hostHeader: string;

  constructor(
    readonly endpoints: Endpoint[],
    basePath = '',
    private readonly rng: Rng = Math.random,
    /** Value of the Host header (host[:port] of the base URL). */
    host = 'localhost',
    private readonly context: TrafficContext = NO_TRAFFIC_CONTEXT,
  ) {
    this.pick = createPicker(
      endpoints.map((e) => e.weight),
      rng,
    );
    this.hostHeader = host;
    refuseUnsafeRequests(endpoints);
    this.compiled = endpoints.map((e) => {
      const names = Object.keys(e.variables ?? {});
      const compile = (text: string, escape: Escape = 'none'): CompiledTemplate => compileTemplate(text, names, escape, false, context);
      const headers: Array<[string, CompiledTemplate]> = Object.entries(e.headers ?? {}).map(([k, v]) => [k, compile(v)]);
      const contentType = Object.entries(e.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
      if (e.body !== undefined && contentType === undefined) headers.push(['content-type', compile('application/json')]);
      const path = compile(basePath + e.path, 'path');
      const body =
        e.body === undefined ? undefined : compile(e.body, contentType === undefined || /json/i.test(contentType) ? 'json' : 'none');
      const all = [path, ...headers.map(([, t]) => t), ...(body ? [body] : [])];
      const isStatic = all.every((t) => t.isStatic);
      const c: CompiledEndpoint = {
        method: e.method,
        path,
        headers,
        body,
        variables: names.map((n) => e.variables![n]),
        isStatic,
        perSession: all.every((t) => t.perSession),
        wire: undefined,
        wires: [],
      };
      if (isStatic) c.wire = this.serialize(c, []);
      return c;
    });
  }

  /** The setup values of virtual user `session` (round robin over the sessions made). */
  private session(session: number): Session {
    const all = this.context.sessions;
    return all.length ? all[session % all.length] : NO_SESSION;
  }

  /** The next request of virtual user `session`, as plain fields (for clients that build their own wire format). */
  next(session = 0): PreparedRequest {
    const i = this.pick();
    const c = this.compiled[i];
    const vars = c.variables.length ? drawVariables(c.variables, this.rng) : [];
    const values = this.session(session);
    const headers: Record<string, string> = {};
    for (const [k, t] of c.headers) headers[k] = renderParts(t, this.rng, vars, values);
    return {
      endpointIndex: i,
      method: c.method,
      path: renderParts(c.path, this.rng, vars, values),
      headers,
      body: c.body === undefined ? undefined : renderParts(c.body, this.rng, vars, values),
    };
  }

  /** The next request of virtual user `session`, serialized. Static endpoints return the same buffer every time. */
  nextWire(session = 0): WireRequest {
    const i = this.pick();
    const c = this.compiled[i];
    let data = c.wire;
    if (data === undefined && c.perSession) {
      const k = this.context.sessions.length ? session % this.context.sessions.length : 0;
      data = c.wires[k] ??= this.serialize(c, [], this.session(k));
    }
    data ??= this.serialize(c, c.variables.length ? drawVariables(c.variables, this.rng) : [], this.session(session));
    return { endpointIndex: i, data, head: c.method === ('HEAD' as Endpoint['method']) };
  }

  private serialize(c: CompiledEndpoint, vars: string[], values: Session = NO_SESSION): Buffer {
    let s = `${c.method} ${renderParts(c.path, this.rng, vars, values)} HTTP/1.1\r\nhost: ${this.hostHeader}\r\n`;
    for (const [k, t] of c.headers) s += `${k}: ${renderParts(t, this.rng, vars, values)}\r\n`;
    if (c.body !== undefined) {
      const body = renderParts(c.body, this.rng, vars, values);
      s += `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    } else if (c.method === 'POST' || c.method === 'PUT' || c.method === 'PATCH') {
      s += 'content-length: 0\r\n\r\n';
    } else {
      s += '\r\n';
    }
    return Buffer.from(s);
  }
}
