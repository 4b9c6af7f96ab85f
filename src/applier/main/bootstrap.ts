// Applying a bootstrap entry (0x04, addendum §2.3). Not atomic: the sidecar
// is written before the batch rows, each row is its own synced write, and a
// halting row leaves the sidecar and the rows before it in place. A replay
// passes the idempotency check, rewrites local_epoch 0 into both keys (undoing
// the start-up bump) and re-applies every row at its original epoch.
import { sameBytes } from './bytes.ts';
import { reject } from './entry-run.ts';
import type { EntryRun } from './entry-run.ts';
import { advanceAppliedIndex, emptySidecar } from './sidecar.ts';
import type { Sidecar } from './sidecar.ts';
import type { BootstrapPayload } from './wire.ts';

export function applyBootstrap(run: EntryRun, raftIndex: number, p: BootstrapPayload): void {
  const deps = run.keyDeps('bootstrap');
  if (p.storageDekId === p.raftDekId) reject('bootstrap-same-dek-ids', `bootstrap needs distinct storage and raft DEK ids, got ${p.storageDekId} for both`);
  p.batch.forEach((row, i) => {
    if (row.dekId !== p.storageDekId && row.dekId !== p.raftDekId) {
      reject('bootstrap-batch-foreign-dek', `bootstrap batch row ${i} is under DEK ${row.dekId}, neither storage ${p.storageDekId} nor raft ${p.raftDekId}`);
    }
  });
  const current = run.readSidecar(deps.sidecar);
  if (current !== undefined && (current.activeStorage !== 0 || current.activeRaft !== 0)) checkSameBootstrap(current, p);
  const storageDek = run.unwrap(deps.kek, p.wrappedStorage, 'storage DEK');
  const raftDek = run.unwrap(deps.kek, p.wrappedRaft, 'raft DEK');
  run.install(deps.keystore, p.storageDekId, storageDek, 'storage DEK');
  run.install(deps.keystore, p.raftDekId, raftDek, 'raft DEK');
  const base = current ?? emptySidecar();
  const keys = new Map(base.keys)
    .set(p.storageDekId, { purpose: 'storage', wrapped: p.wrappedStorage, localEpoch: 0 })
    .set(p.raftDekId, { purpose: 'raft', wrapped: p.wrappedRaft, localEpoch: 0 });
  run.writeSidecar(deps.sidecar, {
    ...base,
    activeStorage: p.storageDekId,
    activeRaft: p.raftDekId,
    raftAppliedIndex: advanceAppliedIndex(base.raftAppliedIndex, raftIndex),
    keys,
  });
  p.batch.forEach((row, i) => run.register(row, `bootstrap batch row ${i}`));
}

/** A bootstrapped node accepts only the very same bootstrap again (at any index): same DEK ids, same wrapped bytes. */
function checkSameBootstrap(current: Sidecar, p: BootstrapPayload): void {
  if (current.activeStorage !== p.storageDekId || current.activeRaft !== p.raftDekId) {
    reject(
      'already-bootstrapped',
      `already bootstrapped with DEKs (${current.activeStorage}, ${current.activeRaft}), not (${p.storageDekId}, ${p.raftDekId}): rotate instead`,
    );
  }
  for (const [dekId, wrapped] of [[p.storageDekId, p.wrappedStorage], [p.raftDekId, p.wrappedRaft]] as const) {
    const key = current.keys.get(dekId);
    if (key === undefined) reject('bootstrap-key-missing', `already bootstrapped, but the sidecar has no key ${dekId}`);
    if (!sameBytes(key.wrapped, wrapped)) reject('bootstrap-wrapped-mismatch', `already bootstrapped with other wrapped bytes for DEK ${dekId}`);
  }
}
