// The files a user names. Reading one (a scenario, a policy, golden
// vectors): a missing, unreadable or oversized file is one line of bad input.
// The size cap is read, not stat'ed, so a device or a pipe (`/dev/zero`)
// stops at the cap instead of filling memory. Writing: every output path is
// checked before any work starts (a run that explores for a minute and then
// cannot save is bad input found late).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { probeDir } from '../files/index.ts';
import { UsageError } from './errors.ts';

/** The largest input file read (16 MiB: a long scenario is well under 1 MiB). */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

const mib = (bytes: number): string => `${bytes / (1024 * 1024)} MiB`;

/** The text of `path`; `what` names it in errors ("scenario file"). */
export function readInputFile(path: string, what: string, maxBytes: number = MAX_INPUT_BYTES): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${reason(err)}`);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(1024 * 1024, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new UsageError(`${what} ${path} is larger than ${mib(maxBytes)}`);
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${what} ${path}: ${reason(err)}`);
  } finally {
    closeSync(fd);
  }
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'not a directory';
  if (code === 'EROFS') return 'read-only file system';
  return err instanceof Error ? err.message : String(err);
}

/** Throws a UsageError unless files can be saved in `dir` (`what`: the option, e.g. "--out-dir"). */
export function checkOutputDir(dir: string, what: string): void {
  try {
    probeDir(dir);
  } catch (err) {
    throw new UsageError(`${what} ${dir}: cannot save files there (${reason(err)})`);
  }
}

/** Throws a UsageError unless `path` can be written (its folder exists and takes files; it is not a folder). */
export function checkOutputFile(path: string, what: string): void {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // Absent: its folder decides.
  }
  if (isDir) throw new UsageError(`${what} ${path}: is a directory`);
  try {
    if (!statSync(dirname(path)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    probeDir(dirname(path));
  } catch (err) {
    throw new UsageError(`${what} ${path}: cannot write there (${dirname(path)}: ${reason(err)})`);
  }
}
