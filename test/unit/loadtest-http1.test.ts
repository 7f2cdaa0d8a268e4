import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, ResponseParser } from '../../activities/loadtest/http1';

/** Feeds `raw` split at every position (and byte by byte); each way must give the same answer. */
function parseAllSplits(raw: string, head = false): { status: number; keepAlive: boolean; done: boolean } {
  const bytes = Buffer.from(raw, 'latin1');
  let expected: { status: number; keepAlive: boolean; done: boolean } | undefined;
  const splits: number[][] = [];
  for (let i = 0; i <= bytes.length; i++) splits.push([i]);
  splits.push(Array.from({ length: bytes.length }, (_, i) => i)); // byte by byte
  for (const cuts of splits) {
    const p = new ResponseParser();
    p.reset(head);
    let done = false;
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      if (cut < from) continue;
      // Read buffers are reused by the engine: copy into a bigger, dirty buffer like a socket read.
      const chunk = Buffer.alloc(cut - from + 16, 0x41);
      bytes.copy(chunk, 0, from, cut);
      if (cut > from) done = p.feed(chunk, 0, cut - from);
      from = cut;
    }
    const got = { status: p.status, keepAlive: p.keepAlive, done };
    if (expected === undefined) expected = got;
    else assert.deepEqual(got, expected, `split at ${cuts.length === 1 ? cuts[0] : 'every byte'}`);
  }
  return expected!;
}

test('content-length responses, whatever the read boundaries', () => {
  const r = parseAllSplits('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world');
  assert.deepEqual(r, { status: 200, keepAlive: true, done: true });
  assert.deepEqual(parseAllSplits('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'), { status: 404, keepAlive: true, done: true });
  assert.deepEqual(parseAllSplits('HTTP/1.1 503 Busy\r\nCONNECTION: close\r\nContent-Length: 4\r\n\r\nbusy'), {
    status: 503,
    keepAlive: false,
    done: true,
  });
  assert.deepEqual(parseAllSplits('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok'), {
    status: 200,
    keepAlive: true,
    done: true,
  });
});

test('chunked bodies with extensions and trailers', () => {
  const body = '5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n';
  assert.deepEqual(parseAllSplits(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body}`), {
    status: 200,
    keepAlive: true,
    done: true,
  });
  const trailers = 'a\r\n0123456789\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n';
  assert.deepEqual(parseAllSplits(`HTTP/1.1 201 Created\r\ntransfer-encoding: gzip, chunked\r\n\r\n${trailers}`), {
    status: 201,
    keepAlive: true,
    done: true,
  });
  // Incomplete: not done.
  const p = new ResponseParser();
  p.reset(false);
  const partial = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel');
  assert.equal(p.feed(partial, 0, partial.length), false);
});

test('bodiless responses: HEAD, 204, 304; interim 100 Continue is skipped', () => {
  assert.deepEqual(parseAllSplits('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n', true), { status: 200, keepAlive: true, done: true });
  assert.deepEqual(parseAllSplits('HTTP/1.1 204 No Content\r\n\r\n'), { status: 204, keepAlive: true, done: true });
  assert.deepEqual(parseAllSplits('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n'), { status: 304, keepAlive: true, done: true });
  assert.deepEqual(parseAllSplits('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), {
    status: 200,
    keepAlive: true,
    done: true,
  });
});

test('HTTP/1.0 and bodies delimited by the close of the connection', () => {
  assert.deepEqual(parseAllSplits('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'), { status: 200, keepAlive: false, done: true });
  assert.deepEqual(parseAllSplits('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok'), {
    status: 200,
    keepAlive: true,
    done: true,
  });
  const p = new ResponseParser();
  p.reset(false);
  const raw = Buffer.from('HTTP/1.1 200 OK\r\n\r\nsome body that runs until close');
  assert.equal(p.feed(raw, 0, raw.length), false);
  assert.equal(p.untilClose, true);
  assert.equal(p.keepAlive, false);
  assert.equal(p.onClose(), true);
  // A close in the middle of a content-length body does not complete it.
  const q = new ResponseParser();
  q.reset(false);
  const cut = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
  assert.equal(q.feed(cut, 0, cut.length), false);
  assert.equal(q.onClose(), false);
});

test('malformed responses and extra bytes are protocol errors', () => {
  const bad = (raw: string) => {
    const p = new ResponseParser();
    p.reset(false);
    const b = Buffer.from(raw, 'latin1');
    return () => p.feed(b, 0, b.length);
  };
  assert.throws(bad('SSH-2.0-OpenSSH_9.2\r\n\r\n'), ProtocolError);
  assert.throws(bad('HTTP/1.1 2x0 OK\r\n\r\n'), ProtocolError);
  assert.throws(bad('HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n'), ProtocolError);
  assert.throws(bad('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'), ProtocolError);
  assert.throws(bad('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), ProtocolError);
  assert.throws(bad(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`), ProtocolError);
});
