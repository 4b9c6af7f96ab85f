// The cheapest child the protocol allows, for the bench's pipe floor
// (pipe-floor.ts): it says hello, then answers every line with one short line
// at once. Plain JS, blocking reads and writes, as the reference child does.
import { readSync, writeSync } from 'node:fs';

const buf = Buffer.alloc(1 << 16);
let pending = '';
let hello = false;
for (;;) {
  let n;
  try {
    n = readSync(0, buf, 0, buf.length, null);
  } catch (err) {
    if (err.code === 'EAGAIN') continue;
    throw err;
  }
  if (n === 0) break;
  pending += buf.toString('utf8', 0, n);
  for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
    pending = pending.slice(nl + 1);
    writeSync(1, hello ? '{"type":"pong"}\n' : '{"type":"hello","protocol":1,"name":"echo"}\n');
    hello = true;
  }
}
