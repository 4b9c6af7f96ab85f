// Writes a records file as the exploration goes: each line is written (and
// handed to the OS) when it is known, so nothing accumulates in memory and a
// shard that is stopped leaves every run it counted on disk.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { RecordLine } from './format.ts';

export class RecordsWriter {
  private readonly fd: number;

  /** Opens (truncates) `file`; throws the file system's error if it cannot. */
  constructor(readonly file: string) {
    this.fd = openSync(file, 'w');
  }

  write(line: RecordLine): void {
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }
}
