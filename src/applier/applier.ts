// The registration applier (spec §3): the five-way dispatch over one node's
// registry store. It keeps no state of its own; the store is the only truth.
import {
  CodecError,
  decodeRegistryValue,
  encodeRegistryValue,
  low16,
  registryKey,
} from './codec.ts';
import { StoreFault } from './types.ts';
import type { ApplyResponse, HaltReason, Registration, RegistrationOutcome, RegistryStore } from './types.ts';

/** What applying a registration (or a stubbed 0x04/0x05 entry) can produce. */
export type RegistrationResponse = Exclude<ApplyResponse, { kind: 'kv' }>;

/**
 * Deliberate deviations from spec §3. They exist only so variants.ts can build
 * the historic and plausible bugs from this one implementation; the correct
 * applier uses none of them.
 */
export interface ApplierBugs {
  /** Which 16 bits of the full id pick the row (correct: the low 16). */
  slotOf?: (fullNodeId: bigint) => number;
  /** Halt an equal epoch as rollback (`<=` instead of `<`). */
  equalEpochIsRollback?: boolean;
  /** Overwrite a row owned by a different full id instead of halting. */
  skipCollisionCheck?: boolean;
  /** On advance, rewrite first_seen to the new epoch. */
  resetFirstSeen?: boolean;
  /** On a lower epoch, overwrite last_seen instead of halting. */
  acceptRollback?: boolean;
  /** Compare full ids on fewer than 64 bits (the id as a u32: only the low 32 bits). */
  idCompareBits?: 32;
  /** Compare epochs as signed 16-bit integers (0x8000 and above are negative). */
  signedEpochs?: boolean;
  /** Build the row key from the DEK id's low 16 bits only (a u16 field). */
  dekKeyBits?: 16;
  /** Decode a registration payload whatever its version byte. */
  anyVersion?: boolean;
}

export function halt(reason: HaltReason, message: string): RegistrationResponse {
  return { kind: 'halt', reason, message };
}

/** One registration as the store saw it: the row key it addressed, the response, and the value it wrote (insert, advance). */
export interface RowOutcome {
  key: Uint8Array;
  response: RegistrationResponse;
  written?: Uint8Array;
}

export class RegistrationApplier {
  private readonly slotOf: (fullNodeId: bigint) => number;

  constructor(
    private readonly store: RegistryStore,
    private readonly bugs: ApplierBugs = {},
  ) {
    // Refuse a missing store here rather than crash on the first apply (the
    // historic typed-nil store bug).
    if (store == null || typeof store.get !== 'function' || typeof store.set !== 'function') {
      throw new TypeError(`RegistrationApplier needs a RegistryStore, got ${store === null ? 'null' : typeof store}`);
    }
    this.slotOf = bugs.slotOf ?? low16;
  }

  /** Store faults and corrupt rows halt; any other exception is a harness bug and propagates. */
  applyRegistration(reg: Registration): RegistrationResponse {
    return this.applyRow(reg).response;
  }

  /** applyRegistration, also telling which row it addressed and what it wrote (main's applier reports every row). */
  applyRow(reg: Registration): RowOutcome {
    const key = registryKey(this.bugs.dekKeyBits === 16 ? reg.dekId & 0xffff : reg.dekId, this.slotOf(reg.fullNodeId));
    try {
      return { key, ...this.upsert(reg, key) };
    } catch (err) {
      if (err instanceof StoreFault) return { key, response: halt('store-fault', `registry store: ${err.message}`) };
      if (err instanceof CodecError) return { key, response: halt(err.reason, err.message) };
      throw err;
    }
  }

  /** Stage 6A has no KEK: a bootstrap entry fails closed. */
  applyBootstrap(_body: Uint8Array): RegistrationResponse {
    return halt('kek-not-configured', 'bootstrap entry: KEK not configured');
  }

  /** Stage 6A has no KEK: a rotation entry fails closed. */
  applyRotation(_body: Uint8Array): RegistrationResponse {
    return halt('kek-not-configured', 'rotation entry: KEK not configured');
  }

  private upsert(reg: Registration, key: Uint8Array): Omit<RowOutcome, 'key'> {
    const nodeId16 = this.slotOf(reg.fullNodeId);
    const epochOf = (e: number): number => (this.bugs.signedEpochs && e >= 0x8000 ? e - 0x10000 : e);
    const sameId = (a: bigint, b: bigint): boolean => (this.bugs.idCompareBits === 32 ? (a & 0xffffffffn) === (b & 0xffffffffn) : a === b);
    const write = (firstSeen: number, outcome: RegistrationOutcome): Omit<RowOutcome, 'key'> => {
      const written = encodeRegistryValue({ fullNodeId: reg.fullNodeId, firstSeen, lastSeen: reg.localEpoch });
      this.store.set(key, written);
      return { response: { kind: 'registered', outcome }, written };
    };
    const slot = `dek ${reg.dekId} node 0x${nodeId16.toString(16).padStart(4, '0')}`;

    const stored = this.store.get(key);
    if (stored === undefined) return write(reg.localEpoch, 'insert');
    const row = decodeRegistryValue(stored);
    // Collision is checked before the epoch: the epochs of two different
    // nodes are not comparable.
    if (!sameId(row.fullNodeId, reg.fullNodeId)) {
      if (!this.bugs.skipCollisionCheck) {
        return { response: halt('collision', `${slot} is owned by full id ${row.fullNodeId}, not ${reg.fullNodeId}`) };
      }
      return write(reg.localEpoch, 'insert');
    }
    if (epochOf(reg.localEpoch) > epochOf(row.lastSeen)) {
      return write(this.bugs.resetFirstSeen ? reg.localEpoch : row.firstSeen, 'advance');
    }
    // Equal epoch is a replay of an entry already applied (Raft re-applies
    // after a crash): succeed without writing.
    if (reg.localEpoch === row.lastSeen && !this.bugs.equalEpochIsRollback) return { response: { kind: 'registered', outcome: 'noop' } };
    if (epochOf(reg.localEpoch) < epochOf(row.lastSeen) && this.bugs.acceptRollback) return write(row.firstSeen, 'advance');
    return {
      response: halt('rollback', `${slot}: epoch ${reg.localEpoch} is not above last_seen ${row.lastSeen} of full id ${reg.fullNodeId}`),
    };
  }
}
