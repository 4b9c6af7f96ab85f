// Running the real command, as a user would: `node bin/regsim.js ...`.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/regsim.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function regsim(...args: string[]): Promise<Run> {
  return runNode([BIN, ...args]);
}

/** `node <args>` in the project root, without colour: its exit code and output. */
export function runNode(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A printed `npx regsim ...` command, run through this checkout's bin. */
export function runPrinted(command: string, ...extra: string[]): Promise<Run> {
  const words = command.trim().split(/\s+/);
  if (words[0] !== 'npx' || words[1] !== 'regsim') throw new Error(`not a regsim command: ${command}`);
  return regsim(...words.slice(2), ...extra);
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'regsim-cli-'));
