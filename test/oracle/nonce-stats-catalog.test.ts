import { describe, expect, it } from 'vitest';
import {
  INVARIANTS,
  INVARIANT_NAMES,
  catalogMarkdown,
  invariantInfo,
  isInvariantName,
} from '../../src/model/invariant-catalog.ts';
import {
  decodeRegistrationEntry,
  describeEntry,
  describeKey,
  parseRowValue,
} from '../../src/model/invariants/context.ts';
import { checkTrace } from '../../src/model/oracle.ts';
import { traceStats } from '../../src/model/trace-stats.ts';
import { TraceBuilder, kv, reg, row } from './builder.ts';
import { cleanRun } from './runs.ts';

const A = 0x10001n;
const B = 0x20001n;

describe('no-nonce-reuse', () => {
  it('the same node using a nonce twice', () => {
    const b = new TraceBuilder();
    const first = b.nonce('n1', 3, 1, 0x0001, 2, 7);
    b.nonce('n1', 4, 1, 0x0001, 2, 8);
    b.nonce('n1', 4, 2, 0x0001, 2, 7); // other DEK: fine
    const e = b.nonce('n1', 5, 1, 0x0001, 2, 7);
    // Its counts are made up (a process counts from 0): judged here is the reuse alone.
    const v = checkTrace(b.trace()).filter((x) => x.code !== 'write-count-sequence');
    expect(v.map((x) => [x.invariant, x.eventIndex, x.node])).toEqual([['no-nonce-reuse', e, 'n1']]);
    expect(v[0]!.message).toBe(
      `nonce (node16 0x0001, epoch 2, write_count 7) under dek 1 used by n1 again for index 5; first used by n1 for index 3 at event #${first}`,
    );
    expect(v[0]!.section).toBe('§7.0');
  });

  it('two nodes sharing their low 16 bits', () => {
    const b = new TraceBuilder();
    b.nonce('n1', 3, 1, 0xabcd, 1, 0);
    const e = b.nonce('n2', 3, 1, 0xabcd, 1, 0);
    expect(checkTrace(b.trace())[0]).toMatchObject({ eventIndex: e, node: 'n2' });
    expect(checkTrace(b.trace())[0]!.message).toContain('n2, which shares its low 16 bits with n1,');
  });

  it('reuse after a stale restore names the restore', () => {
    const b = new TraceBuilder();
    b.nonce('n2', 3, 1, 0x0002, 4, 0);
    const r = b.restore('n2', 0, []);
    const e = b.nonce('n2', 9, 1, 0x0002, 4, 0);
    const v = checkTrace(b.trace());
    expect(v.map((x) => x.eventIndex)).toEqual([e]);
    expect(v[0]!.message).toMatch(new RegExp(`n2 was restored from a backup at event #${r}$`));
  });
});

describe('traceStats', () => {
  it('counts the rare events of a clean run', () => {
    const s = traceStats(cleanRun().events);
    expect(s).toMatchObject({
      entriesCommitted: 8,
      committedByClass: { registration: 4, kv: 4 },
      appliesByOutcome: { insert: 6, noop: 4, advance: 2, kv: 13 },
      registrationsCommitted: 4,
      registrationReplaysAfterCrash: 2,
      registrationReplayNoops: 2,
      collisionAttemptsCommitted: 0,
      rollbackAttemptsCommitted: 0,
      noopRegistrationsCommitted: 1,
      duplicateRegistrationCommits: 1,
      snapshotTakes: 2,
      snapshotInstalls: 1,
      snapshotInstallsWithRegistryRows: 1,
      crashes: 1,
      lostWrites: 1,
      restarts: 1,
      restores: 0,
      staleDiskRestores: 0,
      leaderElections: 1,
      haltsByReason: {},
      noncesIssued: 2,
    });
  });

  it('counts collisions, rollbacks, halts, restores, guards and proposals', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.push({ kind: 'epoch-bump', t: 1, node: 'n1', dekId: 1, epoch: 5 });
    b.push({ kind: 'register-propose', t: 1, node: 'n1', dekId: 1, epoch: 5, attempt: 1 });
    b.push({ kind: 'guard-refused', t: 1, node: 'n2', guard: 'stale-epoch', detail: 'x' });
    b.push({ kind: 'guard-refused', t: 1, node: 'n2', guard: 'stale-epoch', detail: 'y' });
    b.commit([reg(1, A, 5), reg(1, B, 1), reg(1, A, 3), '0301']);
    b.applyAll(1);
    const backupAt = b.t;
    b.apply('n1'); // collision
    b.apply('n2', {}, 3); // (skipping 2) rollback; index 4 is never applied: not counted
    b.push({ kind: 'backup', t: backupAt, node: 'n2', name: 'b' });
    b.restore('n2', backupAt, []);
    b.restore('n2', backupAt, []);
    b.install('n1', 'n2', 1, []);
    const s = traceStats(b.events);
    expect(s).toMatchObject({
      registrationsCommitted: 3,
      collisionAttemptsCommitted: 1,
      rollbackAttemptsCommitted: 1,
      backups: 1,
      restores: 2,
      staleDiskRestores: 1,
      snapshotInstallsWithRegistryRows: 0,
      epochBumps: 1,
      registerProposals: 1,
      haltsByReason: { collision: 1, rollback: 1 },
      guardRefusalsByGuard: { 'stale-epoch': 2 },
    });
  });
});

describe('the invariant catalog', () => {
  it('lists spec §7.0-§7.6 and liveness with stable names', () => {
    expect(INVARIANT_NAMES).toEqual([
      'no-nonce-reuse',
      'replay-idempotence',
      'no-silent-rollback',
      'collisions-halt',
      'replica-agreement',
      'fail-closed-halts',
      'raft-safety',
      'liveness',
    ]);
    expect(INVARIANTS.map((i) => i.number)).toEqual([0, 1, 2, 3, 4, 5, 6, null]);
    for (const info of INVARIANTS) {
      expect(info.meaning.length).toBeGreaterThan(20);
      expect(info.explanation.length).toBeGreaterThan(200);
      expect(info.serves.length).toBeGreaterThan(0);
      if (info.number !== null) expect(info.section).toBe(`§7.${info.number}`);
    }
    expect(invariantInfo('liveness').kind).toBe('liveness');
    expect(() => invariantInfo('nope' as never)).toThrow(/unknown invariant/);
    expect(isInvariantName('raft-safety')).toBe(true);
    expect(isInvariantName('raft')).toBe(false);
  });

  it('renders as a Markdown table, one row per invariant', () => {
    const md = catalogMarkdown();
    const lines = md.trimEnd().split('\n');
    expect(lines).toHaveLength(2 + INVARIANTS.length);
    expect(lines[2]).toMatch(/^\| 0 \| `no-nonce-reuse` \| §7\.0 \| spec §1, design §4\.1/);
    expect(lines[9]).toMatch(/^\| – \| `liveness` \| architecture: failure classes \|/);
  });
});

describe('trace decoding helpers', () => {
  it('decode rows, keys and entries, and reject what is not one', () => {
    const r = row(7, A, 2, 9);
    expect(parseRowValue(r.valueHex)).toEqual({ fullNodeId: A, firstSeen: 2, lastSeen: 9 });
    expect(parseRowValue('00')).toBeUndefined();
    expect(describeKey(r.keyHex)).toBe('dek 7 slot 0x0001');
    expect(describeKey('abcd')).toBe('key abcd');
    expect(decodeRegistrationEntry(reg(7, A, 9))).toEqual({ dekId: 7, fullNodeId: A, epoch: 9, nodeId16: 1 });
    expect(decodeRegistrationEntry('0302' + reg(7, A, 9).slice(4))).toBeUndefined();
    expect(describeEntry('')).toBe('empty entry');
    expect(describeEntry('07')).toBe('opcode 0x07 entry');
    expect(describeEntry(kv('abcd'))).toBe('opcode 0x00 entry (2 body bytes)');
  });

  it('restart rows with a corrupt value are ignored by the row history', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([reg(1, A, 1)]);
    b.applyAll();
    b.restart('n1', 0, [{ keyHex: row(1, A, 1, 1).keyHex, valueHex: '00' }, row(1, A, 1, 1)]);
    b.push({ kind: 'apply', t: 99, node: 'n1', index: 1, term: 1, entryHex: reg(1, A, 1), result: { kind: 'registered', outcome: 'noop' }, write: { keyHex: 'k', valueHex: 'zz' }, rowsHash: b.summary('n1').rowsHash });
    expect(checkTrace(b.trace(), { only: ['no-silent-rollback', 'collisions-halt'] })).toEqual([]);
  });
});
