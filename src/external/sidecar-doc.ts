// The sidecar as protocol v2 carries it: production's file layout (addendum
// §2.2: its field names, keys by decimal DEK id) with the wrapped bytes in hex
// like every byte string of the protocol, and no `created` time (regsim does
// not model time). Both sides convert with these two functions.
import type { Sidecar, SidecarKey } from '../applier/main/index.ts';
import { fromHex, toHex } from './protocol.ts';

export interface SidecarDoc {
  version: number;
  raft_applied_index: number;
  storage_envelope_active: boolean;
  storage_envelope_cutover_index: number;
  raft_envelope_cutover_index: number;
  active: { storage: number; raft: number };
  keys: Record<string, { purpose: 'storage' | 'raft'; wrapped: string; local_epoch: number }>;
}

/** Fields in a fixed order, keys by ascending id: equal sidecars give equal JSON. */
export function sidecarDoc(s: Sidecar): SidecarDoc {
  const keys: SidecarDoc['keys'] = {};
  for (const [id, k] of [...s.keys].sort(([a], [b]) => a - b)) keys[String(id)] = { purpose: k.purpose, wrapped: toHex(k.wrapped), local_epoch: k.localEpoch };
  return {
    version: s.version,
    raft_applied_index: s.raftAppliedIndex,
    storage_envelope_active: s.storageEnvelopeActive,
    storage_envelope_cutover_index: s.storageEnvelopeCutoverIndex,
    raft_envelope_cutover_index: s.raftEnvelopeCutoverIndex,
    active: { storage: s.activeStorage, raft: s.activeRaft },
    keys,
  };
}

const isUint = (v: unknown, bits: number): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** bits;

function bad(field: string): never {
  throw new SyntaxError(`sidecar field ${field} is missing or malformed`);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Strict (SyntaxError naming the bad field): a child's document is input. Index fields are safe integers. */
export function sidecarOf(doc: unknown): Sidecar {
  if (!isRecord(doc)) bad('(the document)');
  const index = (field: string): number => {
    const v = doc[field];
    return Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : bad(field);
  };
  const { active, keys: docKeys, storage_envelope_active: envelope } = doc;
  if (typeof envelope !== 'boolean') bad('storage_envelope_active');
  if (!isRecord(active) || !isUint(active.storage, 32) || !isUint(active.raft, 32)) bad('active');
  if (!isRecord(docKeys)) bad('keys');
  const keys = new Map<number, SidecarKey>();
  for (const [id, k] of Object.entries(docKeys)) {
    if (!/^[0-9]+$/.test(id) || !isUint(Number(id), 32) || !isRecord(k)) bad(`keys.${id}`);
    if (k.purpose !== 'storage' && k.purpose !== 'raft') bad(`keys.${id}.purpose`);
    if (!isUint(k.local_epoch, 16)) bad(`keys.${id}.local_epoch`);
    keys.set(Number(id), { purpose: k.purpose, wrapped: fromHex(k.wrapped, `keys.${id}.wrapped`), localEpoch: k.local_epoch });
  }
  return {
    version: index('version'),
    raftAppliedIndex: index('raft_applied_index'),
    storageEnvelopeActive: envelope,
    storageEnvelopeCutoverIndex: index('storage_envelope_cutover_index'),
    raftEnvelopeCutoverIndex: index('raft_envelope_cutover_index'),
    activeStorage: active.storage,
    activeRaft: active.raft,
    keys,
  };
}
