// `--applier "cmd args..."` -> argv, with the quoting people type in a shell
// (no shell is run: no variables, globs, pipes or redirections).
import { ExternalApplierError } from './protocol.ts';

/**
 * Splits a command line into words: blanks separate words, '...' is literal,
 * "..." allows \" and \\ escapes, and a backslash outside quotes escapes the
 * next character. Throws ExternalApplierError on an unterminated quote or an
 * empty command.
 */
export function parseCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && (command[i + 1] === '"' || command[i + 1] === '\\')) word += command[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new ExternalApplierError(`applier command has an unterminated ${quote} quote: ${command}`);
  if (inWord) words.push(word);
  if (words.length === 0) throw new ExternalApplierError('applier command is empty');
  return words;
}

/** The inverse, for messages and for building commands from paths that may contain blanks. */
export function formatCommand(argv: readonly string[]): string {
  return argv.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
