// A small Chrome DevTools protocol client for a remote Node.js inspector (node --inspect=HOST:PORT).
// Node 20 has no global WebSocket without a flag, and node:inspector only reaches the current
// process, so this speaks the protocol over the `ws` package.
//
//   discoverDebuggerUrl: GET <inspector>/json/list -> the target's webSocketDebuggerUrl. The socket
//   is always opened on the host and port of the inspector URL the profile names (only the path is
//   taken from the answer), so the client never follows the answer to another host.
import * as http from 'node:http';
import * as https from 'node:https';
import WebSocket from 'ws';

export class InspectorError extends Error {}

interface ListedTarget {
  id?: string;
  type?: string;
  title?: string;
  webSocketDebuggerUrl?: string;
}

function getJson(url: URL, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.get(url, { agent: false, headers: { accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 1024 * 1024) req.destroy(new InspectorError(`${url.href} answered more than 1 MiB: not a Node.js inspector`));
        else chunks.push(c);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new InspectorError(`${url.href} answered HTTP ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          reject(new InspectorError(`${url.href} did not answer JSON: not a Node.js inspector`));
        }
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new InspectorError(`${url.href} did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** The WebSocket URL of the inspector's (first) target, on the inspector URL's own host and port. */
export async function discoverDebuggerUrl(inspectorUrl: string | URL, timeoutMs = 5000): Promise<string> {
  const base = new URL(inspectorUrl);
  if (base.protocol === 'ws:' || base.protocol === 'wss:') {
    if (base.pathname.length > 1) return base.href; // already a debugger URL
    base.protocol = base.protocol === 'wss:' ? 'https:' : 'http:';
  }
  const listUrl = new URL('/json/list', base.origin);
  const list = await getJson(listUrl, timeoutMs);
  if (!Array.isArray(list)) throw new InspectorError(`${listUrl.href} did not answer a list of targets`);
  const t = (list as ListedTarget[]).find(
    (x) => typeof x?.webSocketDebuggerUrl === 'string' && (x.type === undefined || x.type === 'node'),
  );
  if (!t?.webSocketDebuggerUrl) {
    throw new InspectorError(`${listUrl.href} lists no debuggable target (is another debugger attached?)`);
  }
  const ws = new URL(t.webSocketDebuggerUrl);
  const out = new URL(ws.pathname, base.origin);
  out.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return out.href;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout; method: string };

/** One protocol session: commands with ids and per-command timeouts; events are ignored. */
export class InspectorSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedError: Error | null = null;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.onMessage(data));
    ws.on('close', (code, reason) =>
      this.failAll(new InspectorError(`the inspector closed the connection (${code}${reason.length ? ` ${reason.toString()}` : ''})`)),
    );
    ws.on('error', (err) => this.failAll(new InspectorError(`inspector connection error: ${err.message}`)));
  }

  static connect(url: string, timeoutMs = 5000): Promise<InspectorSession> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        handshakeTimeout: timeoutMs,
        perMessageDeflate: false,
        followRedirects: false,
        maxPayload: 512 * 1024 * 1024,
      });
      const onError = (err: Error): void => {
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(new InspectorError(`cannot open ${url}: ${err.message}`));
      };
      ws.once('error', onError);
      ws.once('open', () => {
        ws.off('error', onError);
        resolve(new InspectorSession(ws));
      });
    });
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new InspectorError(`${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, method });
      this.ws.send(JSON.stringify({ id, method, params }), (err) => {
        if (err) this.settle(id, new InspectorError(`${method}: ${err.message}`));
      });
    });
  }

  /**
   * Runtime.evaluate of an expression in the target's main context, returning its value (JSON-safe).
   * includeCommandLineAPI gives the expression the console's `require` (Node's inspector adds it),
   * which plain module-scope `require` is not in a script or ES module entry point.
   */
  async evaluate<T = unknown>(expression: string, timeoutMs = 10_000): Promise<T> {
    const r = await this.send<{ result?: { value?: unknown }; exceptionDetails?: { text?: string; exception?: { description?: string } } }>(
      'Runtime.evaluate',
      { expression, returnByValue: true, includeCommandLineAPI: true, silent: true },
      timeoutMs,
    );
    if (r.exceptionDetails) {
      throw new InspectorError(
        `evaluation failed in the target: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text ?? 'exception'}`,
      );
    }
    return r.result?.value as T;
  }

  async close(): Promise<void> {
    this.failAll(new InspectorError('session closed'));
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 1000);
      this.ws.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.ws.close();
    });
  }

  private onMessage(data: WebSocket.RawData): void {
    let msg: { id?: number; result?: unknown; error?: { message?: string; code?: number } };
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (typeof msg.id !== 'number') return; // an event
    if (msg.error)
      this.settle(
        msg.id,
        new InspectorError(`${this.pending.get(msg.id)?.method ?? 'command'}: ${msg.error.message ?? 'error'} (${msg.error.code})`),
      );
    else this.settle(msg.id, null, msg.result ?? {});
  }

  private settle(id: number, err: Error | null, value?: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(value);
  }

  private failAll(err: Error): void {
    this.closedError ??= err;
    for (const id of [...this.pending.keys()]) this.settle(id, err);
  }
}
