// Reads records files line by line (never whole: a night's records of one
// shard are millions of lines), each line checked against the format; a bad
// line is a RecordsError naming the file, the line and what is wrong.
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseRecord } from './format.ts';
import type { HeaderRecord, RecordLine } from './format.ts';

/** Bad input in a records file (or a set of them that is not one exploration). */
export class RecordsError extends Error {
  override name = 'RecordsError';
}

const HEADER_MAX = 64 * 1024;

/** The first line of `file`, as text (a header is small: no need to stream). */
export function firstLine(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RecordsError(`cannot read ${file}${code === 'ENOENT' ? ': no such file' : `: ${(err as Error).message}`}`);
  }
  try {
    const buf = Buffer.alloc(HEADER_MAX);
    const n = readSync(fd, buf, 0, HEADER_MAX, 0);
    const text = buf.subarray(0, n).toString('utf8');
    const nl = text.indexOf('\n');
    return nl === -1 ? text : text.slice(0, nl);
  } finally {
    closeSync(fd);
  }
}

const parseAt = (file: string, line: number, text: string): RecordLine => {
  try {
    return parseRecord(text);
  } catch (err) {
    throw new RecordsError(`${file}: line ${line}: ${(err as Error).message}`);
  }
};

/** The header of a records file. */
export function readHeader(file: string): HeaderRecord {
  const text = firstLine(file);
  if (text.trim() === '') throw new RecordsError(`${file}: empty, not a records file (explore --records FILE.jsonl writes one)`);
  const line = parseAt(file, 1, text);
  if (line.type !== 'header') throw new RecordsError(`${file}: line 1: expected the header record, got a ${line.type} record`);
  return line;
}

/** Every line after the header, checked, in order. */
export async function* readLines(file: string): AsyncGenerator<{ line: number; record: RecordLine }> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (n === 1 || text.trim() === '') continue;
    yield { line: n, record: parseAt(file, n, text) };
  }
}
