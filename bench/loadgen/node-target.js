// A minimal Node.js HTTP target for the load-generator benchmark (plain JS: it must start fast and
// run in its own process). Env: DELAY_MS (answer after a timer), STALL_AT_MS + STALL_MS (block the
// event loop once, STALL_AT_MS after the first request), MAX_SECONDS (exit after, a safety bound).
// Prints {"port": N} on stdout once listening on 127.0.0.1.
'use strict';
const http = require('node:http');

const delay = Number(process.env.DELAY_MS || 0);
const stallAt = process.env.STALL_AT_MS === undefined ? -1 : Number(process.env.STALL_AT_MS);
const stallMs = Number(process.env.STALL_MS || 0);
const maxSeconds = Number(process.env.MAX_SECONDS || 900);
const body = Buffer.from('hello world\n');
const headers = { 'content-type': 'text/plain', 'content-length': String(body.length) };
let first = 0;
let stalled = false;

function answer(res) {
  res.writeHead(200, headers);
  res.end(body);
}

const server = http.createServer((req, res) => {
  if (stallAt >= 0 && first === 0) {
    first = Date.now();
    setTimeout(() => {
      // Blocks the event loop: nothing is read, parsed or answered meanwhile.
      const until = Date.now() + stallMs;
      while (Date.now() < until);
      stalled = true;
    }, stallAt);
  }
  if (delay > 0) setTimeout(answer, delay, res);
  else answer(res);
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port, pid: process.pid }) + '\n');
});
setTimeout(() => process.exit(0), maxSeconds * 1000).unref();
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
void stalled;
