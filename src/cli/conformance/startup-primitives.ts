// startupPrimitives: production main's start-up building blocks, each case
// run on a store built from its input (production-main.md §4).
import {
  MemoryRegistryStore,
  MemorySidecarStore,
  SIDECAR_RELEVANT_OPCODES,
  StartupError,
  bumpLocalEpoch,
  checkLocalEpochRollback,
  checkNodeIdCollision,
  checkSidecarBehindRaftLog,
  emptySidecar,
  fromHex,
  nonceFactory,
  toHex,
} from '../../applier/index.ts';
import type { StartupRefusal } from '../../applier/index.ts';
import { expectEqual, jsonDifferences } from './checks.ts';
import type { NamedCheck } from './checks.ts';
import type { StartupPrimitives } from './main-schema.ts';

/** Production's error names for the refusals. */
const ERROR_NAME: Readonly<Record<StartupRefusal, string>> = {
  'local-epoch-exhausted': 'ErrLocalEpochExhausted',
  'local-epoch-rollback': 'ErrLocalEpochRollback',
  'node-id-collision': 'ErrNodeIDCollision',
  'sidecar-behind-raft-log': 'ErrSidecarBehindRaftLog',
  'kek-mismatch': 'ErrKEKMismatch',
  'corrupt-row': 'ErrRegistryValueMalformed',
  'no-such-dek': 'other-error',
};

/** 'ok', or the production error name of the refusal `run` throws. */
function resultOf(run: () => string | void): string {
  try {
    return run() ?? 'ok';
  } catch (err) {
    if (err instanceof StartupError) return ERROR_NAME[err.reason];
    throw err;
  }
}

export function startupChecks(p: StartupPrimitives): NamedCheck[] {
  const at = (section: string, i: number, name: string) => `startupPrimitives.${section}[${i}] ${name}`;
  return [
    ...p.bumpLocalEpoch.map((v, i): NamedCheck => [
      at('bumpLocalEpoch', i, v.name),
      () => {
        // A bootstrapped sidecar whose storage DEK 1 is at the given epoch.
        const sidecar = new MemorySidecarStore();
        const keys = new Map([[1, { purpose: 'storage' as const, wrapped: new Uint8Array(), localEpoch: v.input.sidecarLocalEpoch }]]);
        sidecar.write({ ...emptySidecar(), activeStorage: 1, keys });
        return expectEqual('result', resultOf(() => `ok:${bumpLocalEpoch(sidecar, v.input.dekId)}`), v.result);
      },
    ]),
    ...p.checkLocalEpochRollbackPrimitive.map((v, i): NamedCheck => [
      at('checkLocalEpochRollbackPrimitive', i, v.name),
      () => {
        const registry = new MemoryRegistryStore();
        for (const row of v.input.rows) registry.set(fromHex(row.keyHex), fromHex(row.valueHex));
        const { activeStorageDekId: activeStorage, fullNodeId, sidecarLocalEpoch, storageEnvelopeActive } = v.input;
        const check = { registry, fullNodeId: BigInt(fullNodeId), activeStorage, sidecarLocalEpoch, storageEnvelopeActive };
        return expectEqual('result', resultOf(() => checkLocalEpochRollback(check)), v.result);
      },
    ]),
    ...p.checkNodeIdCollision.map((v, i): NamedCheck => [
      at('checkNodeIdCollision', i, v.name),
      () => expectEqual('result', resultOf(() => checkNodeIdCollision(v.input.fullNodeIds.map(BigInt))), v.result),
    ]),
    ...p.guardSidecarBehindRaftLog.map((v, i): NamedCheck => [
      at('guardSidecarBehindRaftLog', i, v.name),
      () => {
        // An index the vector lists holds an entry with that first byte; any other index an entry with no data.
        const scanner = (index: number) => {
          const opcode = v.input.opcodeAtIndex[String(index)];
          return opcode === undefined ? new Uint8Array() : Uint8Array.of(opcode);
        };
        const run = () => checkSidecarBehindRaftLog(v.input.sidecarRaftAppliedIndex, v.input.engineAppliedIndex, v.input.scanner ? scanner : undefined);
        return expectEqual('result', resultOf(run), v.result);
      },
    ]),
    ...p.deterministicNonceFactory.map((v, i): NamedCheck => [
      `startupPrimitives.deterministicNonceFactory[${i}] node ${v.nodeId16} epoch ${v.localEpoch}`,
      () => {
        const next = nonceFactory(v.nodeId16, v.localEpoch);
        return jsonDifferences('nonces', v.firstThreeNonces.map(() => toHex(next())), v.firstThreeNonces);
      },
    ]),
    ['startupPrimitives.encryptionRelevantOpcodes', () => jsonDifferences('opcodes', [...SIDECAR_RELEVANT_OPCODES], p.encryptionRelevantOpcodes)],
  ];
}
