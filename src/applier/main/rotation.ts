// Applying a rotation entry (0x05, addendum §2.4-§2.6), by sub-tag. Rows are
// written only through ApplyRegistration. Rotate-dek re-points the active slot
// on every apply, replays included, then registers the proposer: a halt there
// leaves the sidecar pointing at the new DEK. The two cutovers register the
// proposer before flipping the sidecar, and only on their first effective
// apply, so a replay after the flip cannot roll the proposer back.
import { halt, reject } from './entry-run.ts';
import type { EntryRun, KeyDeps } from './entry-run.ts';
import { advanceAppliedIndex } from './sidecar.ts';
import type { DekPurpose, Sidecar } from './sidecar.ts';
import { DEK_PURPOSE, ROTATION_SUBTAG } from './wire.ts';
import type { DekPurposeCode, RotationPayload } from './wire.ts';

export function applyRotation(run: EntryRun, raftIndex: number, p: RotationPayload): void {
  const deps = run.keyDeps('rotation');
  switch (p.subTag) {
    case ROTATION_SUBTAG.rotateDek:
      return rotateDek(run, deps, raftIndex, p);
    case ROTATION_SUBTAG.enableStorageEnvelope:
      return enableStorageEnvelope(run, deps, raftIndex, p);
    case ROTATION_SUBTAG.enableRaftEnvelope:
      return enableRaftEnvelope(run, deps, raftIndex, p);
  }
}

const PURPOSE_NAME: Readonly<Record<DekPurposeCode, DekPurpose>> = { [DEK_PURPOSE.storage]: 'storage', [DEK_PURPOSE.raft]: 'raft' };

function checkProposerDek(p: RotationPayload, what: string): void {
  if (p.proposer.dekId !== p.dekId) reject('proposer-dek-mismatch', `${what}: proposer registration is under DEK ${p.proposer.dekId}, not ${p.dekId}`);
}

function readExisting(run: EntryRun, deps: KeyDeps, what: string): Sidecar {
  return run.readSidecar(deps.sidecar) ?? halt('sidecar-missing', `${what}: this node has no sidecar (not bootstrapped)`);
}

function rotateDek(run: EntryRun, deps: KeyDeps, raftIndex: number, p: RotationPayload): void {
  checkProposerDek(p, 'rotate-dek');
  const what = `rotation DEK ${p.dekId}`;
  run.install(deps.keystore, p.dekId, run.unwrap(deps.kek, p.wrapped, what), what);
  const current = readExisting(run, deps, 'rotate-dek');
  const purpose = PURPOSE_NAME[p.purpose];
  // The new key records the epoch this node pinned at its start, not 0 and not the proposer's (7b').
  const localEpoch = purpose === 'storage' ? deps.localEpoch : deps.raftLocalEpoch;
  run.writeSidecar(deps.sidecar, {
    ...current,
    ...(purpose === 'storage' ? { activeStorage: p.dekId } : { activeRaft: p.dekId }),
    raftAppliedIndex: advanceAppliedIndex(current.raftAppliedIndex, raftIndex),
    keys: new Map(current.keys).set(p.dekId, { purpose, wrapped: p.wrapped, localEpoch }),
  });
  run.register(p.proposer, 'rotation proposer');
}

/** The payload rules of both cutovers, checked before the sidecar is read. */
function checkCutover(p: RotationPayload, purpose: DekPurposeCode, what: string): void {
  if (p.purpose !== purpose) reject('purpose-mismatch', `${what} must carry the ${PURPOSE_NAME[purpose]} purpose, got ${PURPOSE_NAME[p.purpose]}`);
  if (p.wrapped.length !== 0) reject('wrapped-not-empty', `${what} must carry no wrapped key, got ${p.wrapped.length} bytes`);
  checkProposerDek(p, what);
}

function enableStorageEnvelope(run: EntryRun, deps: KeyDeps, raftIndex: number, p: RotationPayload): void {
  checkCutover(p, DEK_PURPOSE.storage, 'enable-storage-envelope');
  const current = readExisting(run, deps, 'enable-storage-envelope');
  const advanced = { ...current, raftAppliedIndex: advanceAppliedIndex(current.raftAppliedIndex, raftIndex) };
  // A cutover naming a DEK no longer active, or one already in effect: a no-op
  // (not a halt) that only moves the index; its proposer registration is dropped.
  // Chosen (no vector can tell the difference): the sidecar is rewritten even
  // when the index does not move.
  if (p.dekId !== current.activeStorage || current.storageEnvelopeActive) return run.writeSidecar(deps.sidecar, advanced);
  run.register(p.proposer, 'cutover proposer');
  run.writeSidecar(deps.sidecar, { ...advanced, storageEnvelopeActive: true, storageEnvelopeCutoverIndex: raftIndex });
}

// Production also calls a wrap-installer hook after the raft cutover (and
// after a raft rotate-dek once it is in effect); it arms the raft envelope,
// which holds no registry state, so regsim does not model it.
function enableRaftEnvelope(run: EntryRun, deps: KeyDeps, raftIndex: number, p: RotationPayload): void {
  if (raftIndex === 0) reject('raft-index-zero', 'enable-raft-envelope needs the entry\'s raft index, got 0');
  checkCutover(p, DEK_PURPOSE.raft, 'enable-raft-envelope');
  const current = readExisting(run, deps, 'enable-raft-envelope');
  const advanced = { ...current, raftAppliedIndex: advanceAppliedIndex(current.raftAppliedIndex, raftIndex) };
  // Already cut over (checked before staleness), or naming a DEK no longer active: only the index moves.
  if (current.raftEnvelopeCutoverIndex !== 0 || p.dekId !== current.activeRaft) return run.writeSidecar(deps.sidecar, advanced);
  run.register(p.proposer, 'cutover proposer');
  run.writeSidecar(deps.sidecar, { ...advanced, raftEnvelopeCutoverIndex: raftIndex });
}
