// Writing files safely: folders made without Node 20's recursive mkdir (which
// spins forever under /proc), and files written to a temporary file beside
// them and renamed into place, so a reader, or a writer racing it, never sees
// half a file.
import { mkdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';

/** Makes `dir` and its missing parents; returns the folders it made, deepest first. */
export function makeDir(dir: string): string[] {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) throw Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  const made: string[] = [];
  for (const d of [...missing].reverse()) {
    try {
      mkdirSync(d);
      made.unshift(d);
    } catch (err) {
      // Another process (a shard filing the same corpus) made it meanwhile: as good.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(d).isDirectory()) throw err;
    }
  }
  return made;
}

let temporaries = 0;

/** Writes `text` to `path` through a temporary file beside it (same file system), renamed into place. */
export function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.${process.pid}-${threadId}-${temporaries++}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}

/** Throws unless a file can be created in `dir` (made if missing, and removed again if it was). */
export function probeDir(dir: string): void {
  const made = makeDir(dir);
  try {
    const probe = join(dir, `.regsim-probe-${process.pid}-${threadId}-${temporaries++}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } finally {
    for (const d of made) {
      try {
        rmdirSync(d);
      } catch {
        // Someone else put something there meanwhile: leave it.
      }
    }
  }
}
