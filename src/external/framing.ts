// Newline-delimited framing over a blocking file descriptor, synchronously:
// both ends of the protocol must answer store calls from inside a
// synchronous apply(), so neither can wait on an event loop.
import { readSync, writeSync } from 'node:fs';

/** Longest line accepted: anything bigger is a runaway child, not a message. */
export const MAX_LINE_BYTES = 1 << 20;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Thrown for a line over MAX_LINE_BYTES. */
export class LineTooLong extends Error {
  override name = 'LineTooLong';
}

export class LineReader {
  private buf = Buffer.allocUnsafe(1 << 16);
  private start = 0;
  private end = 0;

  constructor(private readonly fd: number) {}

  /** The next line without its '\n'; null at end of file (a partial last line is dropped). */
  readLine(): string | null {
    for (;;) {
      const nl = this.buf.indexOf(10, this.start);
      if (nl !== -1 && nl < this.end) {
        const line = this.buf.toString('utf8', this.start, nl);
        this.start = nl + 1;
        return line;
      }
      if (this.end - this.start >= MAX_LINE_BYTES) throw new LineTooLong(`line longer than ${MAX_LINE_BYTES} bytes`);
      this.makeRoom();
      const n = this.read();
      if (n === 0) return null;
      this.end += n;
    }
  }

  /** Moves the partial line to the front, growing the buffer only when it is full. */
  private makeRoom(): void {
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
  }

  private read(): number {
    for (;;) {
      try {
        return readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EINTR') continue;
        // A non-blocking fd (e.g. an inherited libuv pipe): sleep 1 ms rather than spin.
        if (code === 'EAGAIN') {
          Atomics.wait(sleepCell, 0, 0, 1);
          continue;
        }
        if (code === 'EOF') return 0;
        throw err;
      }
    }
  }
}

/** Writes one message as a JSON line, all of it. */
export function writeLine(fd: number, message: object): void {
  writeText(fd, `${JSON.stringify(message)}\n`);
}

/** Writes `line` (one or more whole lines), all of it. */
export function writeText(fd: number, line: string): void {
  // One syscall, no Buffer: a blocking pipe write only comes back short if a signal interrupts it.
  let written = 0;
  try {
    written = writeSync(fd, line);
  } catch (err) {
    if (!retryable(err)) throw err;
  }
  if (written === line.length && written === Buffer.byteLength(line)) return;
  const bytes = Buffer.from(line);
  for (let off = written; off < bytes.length; ) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (err) {
      if (!retryable(err)) throw err;
    }
  }
}

/** EINTR, or EAGAIN on a non-blocking fd (then sleep 1 ms rather than spin). */
function retryable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EAGAIN') Atomics.wait(sleepCell, 0, 0, 1);
  return code === 'EAGAIN' || code === 'EINTR';
}
