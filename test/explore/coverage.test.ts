// An exploration's verdict is about what it reached: a variant whose bug lies
// on a path the runs never took is `inconclusive`, not `ok`; the correct
// applier is judged by every path its configuration can take.
import { describe, expect, it } from 'vitest';
import { explorationVerdict, explore, judgedPaths } from '../../src/explore/index.ts';
import { PATH_NAMES } from '../../src/model/paths.ts';

describe('exploration coverage', () => {
  it('a variant changing a path the generator never reaches is inconclusive, naming the path', async () => {
    // any-version changes what a registration of another version byte does; without the
    // `entries` family no such entry is ever committed.
    const result = await explore({ seed: 3, variant: 'any-version', runs: 12, workers: 1, families: { entries: false }, guardSwarm: true, differential: true });
    expect(result.failures).toEqual([]);
    expect(explorationVerdict(result.failures, result.paths, judgedPaths('any-version', 'hardened'))).toEqual({
      verdict: 'inconclusive',
      unreached: ['committed:unknown-version'],
    });
    // With the family on, the same variant is caught.
    const on = await explore({ seed: 3, variant: 'any-version', runs: 40, workers: 1, families: { entries: true }, guardSwarm: true, differential: true });
    expect(on.failures.length).toBe(1);
    expect(explorationVerdict(on.failures, on.paths, judgedPaths('any-version', 'hardened')).verdict).toBe('safety-violation');
  });

  it('judges the correct applier by every path its configuration can take', () => {
    const hardened = judgedPaths('correct', 'hardened');
    expect(hardened).toContain('skipped');
    expect(judgedPaths('correct', 'spec')).not.toContain('skipped'); // the spec's engine re-applies
    expect(hardened).toContain('lost-writes'); // Raft's WAL leaves a commit index unsynced, as etcd does
    expect(hardened).not.toContain('cold-start:skip'); // production's cold start only
    expect(hardened).not.toContain('guard:admission'); // production's admission check only
    expect(hardened).not.toContain('admission:passed');
    expect(hardened).not.toContain('replay:key-entry'); // main's 0x04/0x05 only
    expect(hardened).not.toContain('cutover');
    expect(hardened).not.toContain('guard:after-replay'); // main's guards after the local replay only
    expect(hardened).not.toContain('guard:sidecar-behind-log');
    for (const raft of ['raft-cutover', 'nonce:raft', 'nonce:raft-restarted', 'guard:raft-epoch', 'raft-rotation', 'nonce:raft-rotated', 'guard:cutover-divergence']) {
      expect(hardened).not.toContain(raft); // main's raft envelope and raft DEK only
    }
    expect(hardened.length).toBe(PATH_NAMES.length - 15);
    // An undeclared variant (a new design idea) is judged like the correct applier.
    expect(judgedPaths('no-such-variant-declared', 'hardened')).toEqual(hardened);
  });
});
