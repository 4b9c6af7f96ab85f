// `--applier "cmd args..."` is split like a shell would, without running one.
import { describe, expect, it } from 'vitest';
import { ExternalApplierError, formatCommand, parseCommand } from '../../src/external/index.ts';

describe('parseCommand', () => {
  it.each([
    ['go run ./shim', ['go', 'run', './shim']],
    ['  ./applier   --db  /tmp/x  ', ['./applier', '--db', '/tmp/x']],
    [`node 'my dir/applier.js' --name "a \\"b\\" c"`, ['node', 'my dir/applier.js', '--name', 'a "b" c']],
    [`a\\ b '' ""`, ['a b', '', '']],
    [`x'y'"z"`, ['xyz']],
    [`'$HOME' "*"`, ['$HOME', '*']],
  ])('%s', (command, argv) => {
    expect(parseCommand(command)).toEqual(argv);
  });

  it('rejects an empty command and an unterminated quote', () => {
    expect(() => parseCommand('   ')).toThrow(ExternalApplierError);
    expect(() => parseCommand(`node 'oops`)).toThrow(/unterminated ' quote/);
  });

  it('formatCommand round-trips', () => {
    const argv = ['/usr/bin/node', 'my dir/a.js', "it's", '--x=1', ''];
    expect(parseCommand(formatCommand(argv))).toEqual(argv);
  });
});
