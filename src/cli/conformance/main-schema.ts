// The schema of production main's vectors file (the sections beyond the
// regsim format; see production-main.md §9). Free text (name, description,
// note, message) is informational; every other field is checked.
import type { DekPurpose, Sidecar } from '../../applier/index.ts';
import { REJECT_DETAILS } from '../../applier/index.ts';
import { VECTOR_REASONS } from './main-outcome.ts';
import { registrationSchemas } from './registration-sections.ts';
import type { RegistrationSections } from './registration-sections.ts';
import { array, bool, hex, index, object, oneOf, row, str, text, u16, u32, u8 } from './schema.ts';
import type { Row } from './schema.ts';

export interface ApplierConfig {
  kek: boolean;
  keystore: boolean;
  sidecar: boolean;
  localEpoch: number;
  raftLocalEpoch: number;
}
export interface VectorOutcomeSpec {
  kind: 'applied' | 'halt' | 'not-routed';
  reason?: string;
  detail?: string;
  message?: string;
}
/** A sidecar as the vectors write it: its keys a list by id, wrapped bytes in hex. */
export type SidecarVector = Omit<Sidecar, 'keys'> & { keys: { id: number; purpose: DekPurpose; wrappedHex: string; localEpoch: number }[] };
export interface RowResultVector {
  keyHex: string;
  result: 'insert' | 'advance' | 'noop' | 'halted';
  valueHex?: string;
}
export interface StoreOpVector {
  op: 'get' | 'set';
  keyHex: string;
  found?: boolean;
  valueHex?: string;
  fault?: boolean;
}
export interface GuardVector {
  function: 'encryption.CheckLocalEpochRollback';
  fullNodeId: string;
  activeStorageDekId: number;
  sidecarLocalEpoch: number;
  storageEnvelopeActive: boolean;
  result: 'ok' | 'ErrLocalEpochRollback';
  message?: string;
}
/** The node's state after a step. */
export interface StateAfter {
  sidecarAfter: SidecarVector | null;
  keystoreIdsAfter: number[];
  stateCacheAfter: { activeStorage: number; storageEnvelopeActive: boolean };
  rowsAfter: Row[];
}
export interface EntryStep extends StateAfter {
  kind: 'entry';
  note?: string;
  raftIndex: number;
  entryHex: string;
  /** The nth registry-store call of this op in this step fails. */
  fault?: { op: 'get' | 'set'; nth: number };
  outcome: VectorOutcomeSpec;
  registration?: 'insert' | 'advance' | 'noop';
  /** Absent: the entry touched no row (and the store saw no traffic). */
  rowResults?: RowResultVector[];
  storeTrace?: StoreOpVector[];
}
export interface RestartStep extends StateAfter {
  kind: 'restart';
  note?: string;
  applierAfterRestart: ApplierConfig;
}
export interface GuardStep extends StateAfter {
  kind: 'guard';
  note?: string;
  guard: GuardVector;
}
export type ApplyStep = EntryStep | RestartStep | GuardStep;
export interface ApplySequence {
  name: string;
  description: string;
  applier: ApplierConfig;
  initialRows: Row[];
  steps: ApplyStep[];
  finalRows: Row[];
}
export interface RegistrationVector {
  dekId: number;
  fullNodeId: string;
  localEpoch: number;
}
export type DecodeResult = 'ok' | 'malformed' | 'version' | 'subtag';
export interface DecodeVector<Decoded> {
  name: string;
  payloadHex: string;
  result: DecodeResult;
  decoded?: Decoded;
  reencodesIdentically?: boolean;
  message?: string;
  dispatchWithoutKek: string;
}
export interface BootstrapDecoded {
  storageDekId: number;
  wrappedStorageHex: string;
  raftDekId: number;
  wrappedRaftHex: string;
  batchRegistry: RegistrationVector[];
}
export interface RotationDecoded {
  subTag: number;
  dekId: number;
  purpose: number;
  wrappedHex: string;
  proposerRegistration: RegistrationVector;
}
export interface DispatchVector {
  name: string;
  applier: 'no-kek' | 'no-applier';
  raftIndex: number;
  entryHex: string;
  outcome: VectorOutcomeSpec;
  registration?: 'insert' | 'advance' | 'noop';
  rowsAfter: Row[];
}
export interface Named<I, R> {
  name: string;
  input: I;
  result: R;
  error?: string;
}
export interface StartupPrimitives {
  bumpLocalEpoch: Named<{ dekId: number; sidecarLocalEpoch: number }, string>[];
  checkLocalEpochRollbackPrimitive: Named<
    { activeStorageDekId: number; fullNodeId: string; rows: Row[]; sidecarLocalEpoch: number; storageEnvelopeActive: boolean },
    'ok' | 'ErrLocalEpochRollback' | 'ErrRegistryValueMalformed'
  >[];
  checkNodeIdCollision: Named<{ fullNodeIds: string[] }, 'ok' | 'ErrNodeIDCollision'>[];
  deterministicNonceFactory: { nodeId16: number; localEpoch: number; firstThreeNonces: string[] }[];
  encryptionRelevantOpcodes: number[];
  guardSidecarBehindRaftLog: Named<
    { engineAppliedIndex: number; sidecarRaftAppliedIndex: number; scanner: boolean; opcodeAtIndex: Record<string, number> },
    'ok' | 'ErrSidecarBehindRaftLog'
  >[];
}
export interface MainVectors extends RegistrationSections {
  meta: Record<string, unknown>;
  node16Collisions: { raftIdA: string; raftIdB: string; fullNodeIdA: string; fullNodeIdB: string; nodeId16: number }[];
  bootstrapDecode: DecodeVector<BootstrapDecoded>[];
  rotationDecode: DecodeVector<RotationDecoded>[];
  dispatch: DispatchVector[];
  applySequences: ApplySequence[];
  startupPrimitives: StartupPrimitives;
}

const registration = object({ dekId: u32, fullNodeId: str('u64'), localEpoch: u16 });
const outcome = object({ kind: oneOf(['applied', 'halt', 'not-routed']) }, { reason: oneOf(VECTOR_REASONS), detail: oneOf(REJECT_DETAILS), message: text });
const applierConfig = object({ kek: bool, keystore: bool, sidecar: bool, localEpoch: u16, raftLocalEpoch: u16 });
const rowOutcome = oneOf(['insert', 'advance', 'noop']);
const sidecar = {
  anyOf: [
    { type: 'null' },
    object({
      version: u8,
      raftAppliedIndex: index,
      storageEnvelopeActive: bool,
      storageEnvelopeCutoverIndex: index,
      raftEnvelopeCutoverIndex: index,
      activeStorage: u32,
      activeRaft: u32,
      keys: array(object({ id: u32, purpose: oneOf(['storage', 'raft']), wrappedHex: hex, localEpoch: u16 })),
    }),
  ],
};
const stateAfter = {
  sidecarAfter: sidecar,
  keystoreIdsAfter: array(u32),
  stateCacheAfter: object({ activeStorage: u32, storageEnvelopeActive: bool }),
  rowsAfter: array(row),
};
const entryFields = {
  raftIndex: index,
  entryHex: hex,
  fault: object({ op: oneOf(['get', 'set']), nth: { type: 'integer', minimum: 1 } }),
  outcome,
  registration: rowOutcome,
  rowResults: array(object({ keyHex: hex, result: oneOf(['insert', 'advance', 'noop', 'halted']) }, { valueHex: hex })),
  storeTrace: array(object({ op: oneOf(['get', 'set']), keyHex: hex }, { found: bool, valueHex: hex, fault: bool })),
};
const guard = object(
  {
    function: oneOf(['encryption.CheckLocalEpochRollback']),
    fullNodeId: str('u64'),
    activeStorageDekId: u32,
    sidecarLocalEpoch: u16,
    storageEnvelopeActive: bool,
    result: oneOf(['ok', 'ErrLocalEpochRollback']),
  },
  { message: text },
);
// One closed object for the three step kinds; each kind then requires its own fields.
const step = {
  ...object({ kind: oneOf(['entry', 'restart', 'guard']), ...stateAfter }, { note: text, ...entryFields, applierAfterRestart: applierConfig, guard }),
  allOf: [
    { if: { properties: { kind: { const: 'entry' } } }, then: { required: ['raftIndex', 'entryHex', 'outcome'] } },
    { if: { properties: { kind: { const: 'restart' } } }, then: { required: ['applierAfterRestart'] } },
    { if: { properties: { kind: { const: 'guard' } } }, then: { required: ['guard'] } },
  ],
};
const decodeVector = (decoded: object) =>
  object(
    { name: text, payloadHex: hex, result: oneOf(['ok', 'malformed', 'version', 'subtag']), dispatchWithoutKek: oneOf(VECTOR_REASONS) },
    { decoded, reencodesIdentically: bool, message: text },
  );
const named = (input: object, result: object) => object({ name: text, input, result }, { error: text });

export const mainSchema = object({
  meta: { type: 'object' },
  ...registrationSchemas,
  node16Collisions: array(object({ raftIdA: text, raftIdB: text, fullNodeIdA: str('u64'), fullNodeIdB: str('u64'), nodeId16: u16 })),
  bootstrapDecode: array(
    decodeVector(object({ storageDekId: u32, wrappedStorageHex: hex, raftDekId: u32, wrappedRaftHex: hex, batchRegistry: array(registration) })),
  ),
  rotationDecode: array(decodeVector(object({ subTag: u8, dekId: u32, purpose: u8, wrappedHex: hex, proposerRegistration: registration }))),
  dispatch: array(
    object(
      { name: text, applier: oneOf(['no-kek', 'no-applier']), raftIndex: index, entryHex: hex, outcome, rowsAfter: array(row) },
      { registration: rowOutcome },
    ),
  ),
  applySequences: array(object({ name: text, description: text, applier: applierConfig, initialRows: array(row), steps: array(step), finalRows: array(row) })),
  startupPrimitives: object({
    bumpLocalEpoch: array(
      named(object({ dekId: u32, sidecarLocalEpoch: u16 }), { type: 'string', pattern: '^(ok:(0|[1-9][0-9]*)|ErrLocalEpochExhausted|other-error)$' }),
    ),
    checkLocalEpochRollbackPrimitive: array(
      named(
        object({ activeStorageDekId: u32, fullNodeId: str('u64'), rows: array(row), sidecarLocalEpoch: u16, storageEnvelopeActive: bool }),
        oneOf(['ok', 'ErrLocalEpochRollback', 'ErrRegistryValueMalformed']),
      ),
    ),
    checkNodeIdCollision: array(named(object({ fullNodeIds: array(str('u64')) }), oneOf(['ok', 'ErrNodeIDCollision']))),
    deterministicNonceFactory: array(object({ nodeId16: u16, localEpoch: u16, firstThreeNonces: array(hex) })),
    encryptionRelevantOpcodes: array(u8),
    guardSidecarBehindRaftLog: array(
      named(
        object({
          engineAppliedIndex: index,
          sidecarRaftAppliedIndex: index,
          scanner: bool,
          opcodeAtIndex: { type: 'object', propertyNames: { pattern: '^(0|[1-9][0-9]*)$' }, additionalProperties: u8 },
        }),
        oneOf(['ok', 'ErrSidecarBehindRaftLog']),
      ),
    ),
  }),
});
