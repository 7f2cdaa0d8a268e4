// The engine's connection lifecycle: one raw socket per connection (node:net, or node:tls for
// https), connect, write the request, feed the response bytes to the connection's parser, close.
// A complete response or a failure is handed to the request layer (engine.ts: complete/fail).
import * as net from 'node:net';
import * as tls from 'node:tls';
import { codedError } from './errors';
import type { EngineOptions } from './engine-types';
import { ResponseParser } from './http1';

export class Conn {
  /** The virtual user (setup session) whose requests this connection sends. */
  constructor(readonly session = 0) {}
  sock: net.Socket | null = null;
  connected = false;
  busy = false;
  ep = 0;
  t0 = 0; // latency origin: send time (closed) or intended time (open)
  sentAt = 0; // when the request was issued (request timeout runs from here)
  req: Buffer | null = null;
  err: unknown = undefined;
  readonly parser = new ResponseParser();
}

const SOCKET_CLOSED = (): Error => codedError('LOADGEN_SOCKET_CLOSED', 'the server closed the connection before the response was complete');

export abstract class EngineConnections {
  protected readonly o: EngineOptions;
  private readonly host: string;
  private readonly port: number;
  private readonly secure: boolean;
  private readonly readBuf = Buffer.allocUnsafe(64 * 1024); // shared by all sockets: reads are consumed synchronously

  protected readonly conns: Conn[] = [];
  protected openSockets = 0;
  protected peakConnections = 0;
  protected finished = false;

  // bytes: the run's totals (warm-up included) and the current interval's
  protected bytesIn = 0;
  protected bytesOut = 0;
  protected intBytesIn = 0;
  protected intBytesOut = 0;

  constructor(opts: EngineOptions) {
    this.o = opts;
    const u = opts.url;
    this.secure = u.protocol === 'https:';
    this.host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = u.port ? Number(u.port) : this.secure ? 443 : 80;
  }

  /** The response to c's request is complete (parsed, or ended by the close). */
  protected abstract complete(c: Conn): void;
  /** c's request failed (socket error or close, protocol error, timeout). */
  protected abstract fail(c: Conn, err: unknown): void;

  protected write(c: Conn): void {
    const data = c.req!;
    this.bytesOut += data.length;
    this.intBytesOut += data.length;
    c.sock!.write(data);
  }

  protected connect(c: Conn): void {
    let sock: net.Socket;
    const onData = (buf: Buffer, n: number): void => {
      if (c.sock !== sock || this.finished) return;
      this.onBytes(c, buf, n);
    };
    if (this.secure) {
      sock = tls.connect({
        host: this.host,
        port: this.port,
        servername: net.isIP(this.host) ? undefined : this.host,
        ALPNProtocols: ['http/1.1'],
        ...this.o.tls,
      });
      sock.setNoDelay(true);
      sock.on('data', (d: Buffer) => onData(d, d.length));
      sock.once('secureConnect', () => this.onConnect(c, sock));
    } else {
      sock = net.connect({
        host: this.host,
        port: this.port,
        noDelay: true,
        onread: {
          buffer: this.readBuf,
          callback: (n: number, buf: Uint8Array): boolean => {
            onData(buf as Buffer, n);
            return true;
          },
        },
      });
      sock.once('connect', () => this.onConnect(c, sock));
    }
    c.sock = sock;
    c.connected = false;
    c.err = undefined;
    this.openSockets++;
    if (this.openSockets > this.peakConnections) this.peakConnections = this.openSockets;
    sock.on('error', (err) => {
      if (c.sock === sock && c.err === undefined) c.err = err;
    });
    sock.once('close', () => {
      this.openSockets--;
      this.onClose(c, sock);
    });
  }

  private onConnect(c: Conn, sock: net.Socket): void {
    if (c.sock !== sock || this.finished) return;
    c.connected = true;
    if (c.busy) this.write(c);
  }

  private onBytes(c: Conn, buf: Buffer, n: number): void {
    this.bytesIn += n;
    this.intBytesIn += n;
    if (!c.busy) {
      // Bytes nobody asked for (e.g. a 408 on an idle connection): drop the connection.
      this.dropSocket(c);
      return;
    }
    let complete: boolean;
    try {
      complete = c.parser.feed(buf, 0, n);
    } catch (err) {
      this.fail(c, err);
      return;
    }
    if (complete) this.complete(c);
  }

  private onClose(c: Conn, sock: net.Socket): void {
    if (c.sock !== sock) return;
    c.sock = null;
    c.connected = false;
    if (this.finished || !c.busy) return;
    if (c.parser.onClose()) this.complete(c);
    else this.fail(c, c.err ?? SOCKET_CLOSED());
  }

  protected dropSocket(c: Conn): void {
    const s = c.sock;
    if (s === null) return;
    c.sock = null;
    c.connected = false;
    s.destroy();
  }
}
