// Every halt reason and reject detail of main's applier, as lists: records,
// so the compiler insists each one is listed. The vectors' words and the
// external protocol's checks are built from them.
import type { MainHaltReason, RejectDetail } from './types.ts';

const HALT_REASONS: Readonly<Record<MainHaltReason, true>> = {
  collision: true,
  rollback: true,
  malformed: true,
  'unknown-version': true,
  'unknown-subtag': true,
  'kek-not-configured': true,
  'kek-unwrap': true,
  'key-conflict': true,
  'reserved-key-id': true,
  rejected: true,
  'sidecar-missing': true,
  'sidecar-invalid': true,
  'unknown-opcode': true,
  'no-applier': true,
  'store-fault': true,
  'corrupt-row': true,
};
export const MAIN_HALT_REASONS = Object.keys(HALT_REASONS) as MainHaltReason[];

const DETAILS: Readonly<Record<RejectDetail, true>> = {
  'bootstrap-same-dek-ids': true,
  'bootstrap-batch-foreign-dek': true,
  'already-bootstrapped': true,
  'bootstrap-key-missing': true,
  'bootstrap-wrapped-mismatch': true,
  'proposer-dek-mismatch': true,
  'purpose-mismatch': true,
  'wrapped-not-empty': true,
  'raft-index-zero': true,
};
export const REJECT_DETAILS = Object.keys(DETAILS) as RejectDetail[];
