// Production main's applier: its public surface (re-exported by ../index.ts).
export type * from './types.ts';
export { MainApplier } from './applier.ts';
export { createMainFsm, mainFsmFactory } from './fsm.ts';
export { MAIN_HALT_REASONS, REJECT_DETAILS } from './reasons.ts';
export { stage6aFactory, stage6aResponse } from './stage6a.ts';
export { mainNodeFactory } from './node-applier.ts';
export { mainApplierVariants } from './variants.ts';
export type { MainApplierVariant } from './variants.ts';
export {
  WireError,
  MAX_BOOTSTRAP_ROWS,
  REGISTRATION_ROW_LENGTH,
  ROTATION_SUBTAG,
  DEK_PURPOSE,
  decodeBootstrap,
  decodeRotation,
  encodeBootstrap,
  encodeRotation,
} from './wire.ts';
export type { WireErrorReason, BootstrapPayload, RotationPayload, RotationSubTag, DekPurposeCode } from './wire.ts';
export { KekUnwrapError, DEK_LENGTH, FAKE_KEK_REFUSES, fakeKek } from './kek.ts';
export type { KekUnwrapper } from './kek.ts';
export { Keystore, KeystoreError } from './keystore.ts';
export {
  SIDECAR_VERSION,
  SidecarInvalidError,
  MemorySidecarStore,
  copySidecar,
  advanceAppliedIndex,
  emptySidecar,
  raftCutoverDek,
  stateOf,
  validateSidecar,
  writeSidecar,
} from './sidecar.ts';
export type { DekPurpose, Sidecar, SidecarKey, SidecarStore, StateCache } from './sidecar.ts';
export {
  StartupError,
  SIDECAR_RELEVANT_OPCODES,
  NONCE_LENGTH,
  bumpLocalEpoch,
  hydrateKeystore,
  checkLocalEpochRollback,
  checkNodeIdCollision,
  checkSidecarBehindRaftLog,
  nonceFactory,
  startProcess,
} from './startup.ts';
export type { StartupRefusal, RollbackCheck, RaftLogScanner, ProcessStart } from './startup.ts';
