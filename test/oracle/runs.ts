// Shared hand-built runs for the oracle tests.
import { TraceBuilder, kv, reg } from './builder.ts';

export const A = 0x10001n; // low16 0x0001
export const B = 0x20001n; // low16 0x0001: collides with A
export const C = 0x30002n; // low16 0x0002

/** A correct run with most of the machinery: replay after crash, install, snapshots, nonces. */
export function cleanRun(): TraceBuilder {
  const b = new TraceBuilder();
  b.leader('n1', 1);
  b.commit([reg(1, A, 1), kv(), reg(1, C, 1), kv('bb')]);
  b.applyAll();
  b.nonce('n1', 2, 1, 0x0001, 1, 0);
  b.nonce('n2', 2, 1, 0x0002, 1, 0);
  b.snapshotTake('n1', 2);
  // n2 crashes after applying 1..4 and restarts from its snapshot at 2 (none: 0)
  b.crash('n2', 1);
  b.restart('n2', 0);
  b.applyAll(); // replays 1..4: registrations come back as noop
  // A re-registers at epoch 2, the proposal is retried and commits twice
  b.commit([reg(1, A, 2), reg(1, A, 2), kv()], 1, ['n1', 'n2']);
  b.applyAll(7, ['n1', 'n2']);
  b.snapshotTake('n1', 7);
  b.install('n3', 'n1', 7);
  b.commit([kv('cc')]);
  b.applyAll();
  b.faultsEnd();
  b.runEnd();
  return b;
}

