// A minimal incremental HTTP/1.1 response parser for the load generator's hot path: one response
// at a time per connection (no pipelining). It reads the status, Content-Length, Transfer-Encoding
// and Connection headers and skips the body without copying it (bodies are only counted).
// Bytes that arrive after the response are a protocol error (the connection is then closed).

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkExt,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

export class ProtocolError extends Error {
  readonly code = 'HPE_INVALID_RESPONSE';
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = Buffer.from('content-length');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const CONNECTION = Buffer.from('connection');
const CLOSE = Buffer.from('close');
const KEEP_ALIVE = Buffer.from('keep-alive');
const MAX_HEAD = 64 * 1024;

/** Case-insensitive comparison of buf[start, start+name.length) with a lower-case header name. */
function nameIs(buf: Buffer, start: number, len: number, name: Buffer): boolean {
  if (len !== name.length) return false;
  for (let i = 0; i < len; i++) if ((buf[start + i] | 0x20) !== name[i]) return false;
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

export class ResponseParser {
  status = 0;
  /** Whether the connection may carry the next request once this response is complete. */
  keepAlive = true;
  private state = State.Head;
  private noBody = false;
  private remaining = 0;
  private pending: Buffer | null = null; // a head split across reads (copied: read buffers are reused)
  private lineLen = 0; // trailers: bytes in the current line

  /** Prepares for the response to the next request. */
  reset(headRequest: boolean): void {
    this.state = State.Head;
    this.status = 0;
    this.keepAlive = true;
    this.noBody = headRequest;
    this.remaining = 0;
    this.pending = null;
    this.lineLen = 0;
  }

  /** After a chunk-size line: its data, or the trailers after the last (zero-size) chunk. */
  private endChunkSizeLine(): void {
    if (this.remaining === 0) {
      this.state = State.Trailers;
      this.lineLen = 0;
    } else this.state = State.ChunkData;
  }

  get done(): boolean {
    return this.state === State.Done;
  }

  /** True when the body runs until the server closes the connection. */
  get untilClose(): boolean {
    return this.state === State.UntilClose;
  }

  /**
   * Feeds buf[start, end). Returns true once the response is complete. Throws ProtocolError on a
   * malformed response or on bytes after the end of the response.
   */
  feed(buf: Buffer, start: number, end: number): boolean {
    let p = start;
    while (p < end) {
      switch (this.state) {
        case State.Head:
          p = this.feedHead(buf, p, end);
          if (p < 0) return false;
          break;
        case State.Length: {
          const n = end - p;
          if (n < this.remaining) {
            this.remaining -= n;
            return false;
          }
          p += this.remaining;
          this.remaining = 0;
          this.state = State.Done;
          if (p < end) throw new ProtocolError('bytes after the end of the response');
          return true;
        }
        case State.ChunkSize:
          this.chunkSizeByte(buf[p++]);
          break;
        case State.ChunkExt: {
          const lf = buf.indexOf(10, p);
          if (lf < 0 || lf >= end) return false;
          p = lf + 1;
          this.endChunkSizeLine();
          break;
        }
        case State.ChunkData: {
          const n = end - p;
          if (n < this.remaining) {
            this.remaining -= n;
            return false;
          }
          p += this.remaining;
          this.remaining = 0;
          this.state = State.ChunkDataEnd;
          break;
        }
        case State.ChunkDataEnd: {
          // CRLF after the chunk data.
          const c = buf[p++];
          if (c === 10) this.state = State.ChunkSize;
          else if (c !== 13) throw new ProtocolError('missing CRLF after chunk');
          break;
        }
        case State.Trailers: {
          const c = buf[p++];
          if (c === 10) {
            if (this.lineLen === 0) {
              this.state = State.Done;
              if (p < end) throw new ProtocolError('bytes after the end of the response');
              return true;
            }
            this.lineLen = 0;
          } else if (c !== 13) this.lineLen++;
          break;
        }
        case State.UntilClose:
          return false; // everything up to the close is body
        case State.Done:
          throw new ProtocolError('bytes after the end of the response');
      }
    }
    return this.state === State.Done;
  }

  /** State ChunkSize: one byte of the chunk-size line (hex digits, then an extension or the line end). */
  private chunkSizeByte(c: number): void {
    const v = hexValue(c);
    if (v >= 0) {
      this.remaining = this.remaining * 16 + v;
      if (this.remaining > Number.MAX_SAFE_INTEGER / 16) throw new ProtocolError('chunk size too large');
    } else if (c === 59 /* ; */ || c === 32 || c === 9) {
      this.state = State.ChunkExt;
    } else if (c === 13) {
      // CR before LF
    } else if (c === 10) {
      this.endChunkSizeLine();
    } else throw new ProtocolError('bad chunk size');
  }

  /**
   * State Head: looks for the end of the head in buf[p, end), joined to the start of a head split
   * across reads, and parses it. Returns the position after the head, or -1 when it is not complete
   * yet (what there is is kept for the next read).
   */
  private feedHead(buf: Buffer, p: number, end: number): number {
    let b = buf;
    let from = p;
    let to = end;
    let searchFrom = p;
    if (this.pending !== null) {
      const prev = this.pending.length;
      b = Buffer.concat([this.pending, buf.subarray(p, end)]);
      from = 0;
      to = b.length;
      searchFrom = prev > 3 ? prev - 3 : 0;
    }
    const idx = b.indexOf(CRLFCRLF, searchFrom);
    if (idx < 0 || idx + 4 > to) {
      if (to - from > MAX_HEAD) throw new ProtocolError('response head larger than 64 KiB');
      this.pending = Buffer.from(b.subarray(from, to)); // own copy
      return -1;
    }
    const headEnd = idx + 4;
    const consumedFromBuf = this.pending === null ? headEnd - p : headEnd - this.pending.length;
    this.pending = null;
    this.parseHead(b, from, idx);
    p += consumedFromBuf;
    if (this.state === State.Done && p < end) throw new ProtocolError('bytes after the end of the response');
    return p;
  }

  /** The server closed the connection: true when that completes the response (body until close). */
  onClose(): boolean {
    if (this.state === State.UntilClose) {
      this.state = State.Done;
      return true;
    }
    return this.state === State.Done;
  }

  private parseHead(b: Buffer, start: number, crlfcrlf: number): void {
    // Status line: HTTP/1.x SSS ...
    if (crlfcrlf - start < 12 || b[start] !== 72 /* H */ || b[start + 4] !== 47 /* / */ || b[start + 8] !== 32) {
      throw new ProtocolError('not an HTTP/1.x response');
    }
    const s0 = b[start + 9] - 48;
    const s1 = b[start + 10] - 48;
    const s2 = b[start + 11] - 48;
    if (s0 < 1 || s0 > 5 || s1 < 0 || s1 > 9 || s2 < 0 || s2 > 9) throw new ProtocolError('bad status code');
    const status = s0 * 100 + s1 * 10 + s2;
    const http10 = b[start + 7] === 48; /* HTTP/1.0 */
    let keepAlive = !http10;
    let contentLength = -1;
    let chunked = false;

    let p = b.indexOf(10, start) + 1; // after the status line
    while (p > 0 && p < crlfcrlf + 2) {
      let lf = b.indexOf(10, p);
      if (lf < 0 || lf > crlfcrlf + 2) lf = crlfcrlf + 2;
      const lineEnd = b[lf - 1] === 13 ? lf - 1 : lf;
      const colon = b.indexOf(58, p);
      if (colon > p && colon < lineEnd) {
        const nameLen = colon - p;
        const first = b[p] | 0x20;
        if (first === 99 /* c */) {
          if (nameIs(b, p, nameLen, CONTENT_LENGTH)) {
            let v = 0;
            let digits = 0;
            for (let i = colon + 1; i < lineEnd; i++) {
              const c = b[i];
              if (c >= 48 && c <= 57) {
                v = v * 10 + (c - 48);
                digits++;
              } else if (c !== 32 && c !== 9) throw new ProtocolError('bad content-length');
            }
            if (digits === 0) throw new ProtocolError('empty content-length');
            contentLength = v;
          } else if (nameIs(b, p, nameLen, CONNECTION)) {
            let i = colon + 1;
            while (i < lineEnd && (b[i] === 32 || b[i] === 9)) i++;
            const c = b[i] | 0x20;
            if (lineEnd - i === 5 && c === 99 && nameIs(b, i, 5, CLOSE)) keepAlive = false;
            else if (lineEnd - i === 10 && c === 107 && nameIs(b, i, 10, KEEP_ALIVE)) keepAlive = true;
            else {
              const v = b.toString('latin1', i, lineEnd).toLowerCase();
              if (v.includes('close')) keepAlive = false;
              else if (v.includes('keep-alive')) keepAlive = true;
            }
          }
        } else if (first === 116 /* t */ && nameIs(b, p, nameLen, TRANSFER_ENCODING)) {
          if (
            b
              .toString('latin1', colon + 1, lineEnd)
              .toLowerCase()
              .includes('chunked')
          )
            chunked = true;
        }
      }
      p = lf + 1;
    }

    if (status >= 100 && status < 200 && status !== 101) {
      // Interim response (100 Continue, 103 Early Hints): the real one follows.
      this.state = State.Head;
      return;
    }
    this.status = status;
    this.keepAlive = keepAlive;
    if (this.noBody || status === 204 || status === 304 || status === 101) {
      this.state = State.Done;
    } else if (chunked) {
      this.state = State.ChunkSize;
      this.remaining = 0;
    } else if (contentLength >= 0) {
      this.remaining = contentLength;
      this.state = contentLength === 0 ? State.Done : State.Length;
    } else {
      this.state = State.UntilClose;
      this.keepAlive = false;
    }
  }
}
