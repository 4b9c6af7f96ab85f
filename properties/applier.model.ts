// Model-based testing of an applier against src/model/registration.ts: every
// command applies one committed entry to both, and the response and the
// registry bytes must agree after every step. Arbitraries are biased toward
// the interesting cases, over the whole domain a wrong type would break:
// full ids that share their low 16 or low 32 bits or differ in one bit, DEK
// ids equal in their low 16 bits and near 2^32, epochs at the edges, at every
// integer boundary and next to the row's last_seen, payloads of every version
// byte and length, replays of earlier entries.
import fc from 'fast-check';
import { MemoryRegistryStore, OPCODE, encodeRegistration } from '../src/applier/index.ts';
import type { ApplierFactory, ApplyResponse, EntryApplier, RegistryRow } from '../src/applier/index.ts';
import { modelApplyEntry, modelKeyHex, modelRowsHex } from '../src/model/registration.ts';
import type { ModelEntryResult } from '../src/model/registration.ts';

/** DEK ids: pairs equal in the low 16 bits (0/0x10000, 1/0x10001), the sign bit, the top. */
const DEKS = [0, 1, 0x10000, 0x10001, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

interface Model {
  pool: readonly bigint[];
  rows: ReadonlyMap<string, RegistryRow>;
  /** Every entry applied so far, for replays. */
  applied: Uint8Array[];
}
interface Real {
  store: MemoryRegistryStore;
  applier: EntryApplier;
}

/**
 * A small pool of full ids: every high 32 bits combined with every bits 16..31
 * and every low 16 bits (so ids share their low 16 or their low 32 bits), plus
 * the first id with one bit flipped.
 */
export const fullIdPool: fc.Arbitrary<bigint[]> = fc
  .tuple(
    fc.uniqueArray(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), { minLength: 2, maxLength: 3 }),
    fc.uniqueArray(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 2 }),
    fc.uniqueArray(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 2 }),
    fc.integer({ min: 0, max: 63 }),
  )
  .map(([highs, mids, lows, bit]) => {
    const ids = highs.flatMap((high) => mids.flatMap((mid) => lows.map((low) => (high << 32n) | (BigInt(mid) << 16n) | BigInt(low))));
    const flipped = (ids[0] as bigint) ^ (1n << BigInt(bit));
    return ids.includes(flipped) ? ids : [...ids, flipped];
  });

/** An epoch, either absolute or relative to the slot's current last_seen (resolved at run time). */
type EpochChoice = { fixed: number } | { delta: -1 | 0 | 1 };
const epochChoice: fc.Arbitrary<EpochChoice> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff).map((fixed) => ({ fixed })) },
  { weight: 5, arbitrary: fc.constantFrom(-1 as const, 0 as const, 1 as const).map((delta) => ({ delta })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((fixed) => ({ fixed })) },
);

function stripMessage(response: ApplyResponse): ModelEntryResult {
  return response.kind === 'halt' ? { kind: 'halt', reason: response.reason } : response;
}

function applyBoth(model: Model, real: Real, entry: Uint8Array): void {
  const expected = modelApplyEntry(model.rows, entry);
  const got = real.applier.apply(entry);
  if (got.kind === 'halt' && got.message === '') throw new Error('a halt must say why');
  const want = JSON.stringify(expected.result);
  const have = JSON.stringify(stripMessage(got));
  if (have !== want) throw new Error(`response ${have}, model says ${want}`);
  const wantRows = JSON.stringify(modelRowsHex(expected.rows));
  const haveRows = JSON.stringify(real.store.rowsHex());
  if (haveRows !== wantRows) throw new Error(`registry ${haveRows}, model says ${wantRows}`);
  model.rows = expected.rows;
  model.applied.push(entry);
}

class Register implements fc.Command<Model, Real> {
  constructor(
    readonly dek: number,
    readonly id: number,
    readonly epoch: EpochChoice,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const fullNodeId = model.pool[this.id % model.pool.length]!;
    const dekId = DEKS[this.dek]!;
    let localEpoch: number;
    if ('fixed' in this.epoch) localEpoch = this.epoch.fixed;
    else {
      const lastSeen = model.rows.get(modelKeyHex(dekId, Number(fullNodeId & 0xffffn)))?.lastSeen ?? 0;
      localEpoch = Math.min(0xffff, Math.max(0, lastSeen + this.epoch.delta));
    }
    applyBoth(model, real, Uint8Array.of(OPCODE.registration, ...encodeRegistration({ dekId, fullNodeId, localEpoch })));
  }
  toString(): string {
    return `register(dek#${this.dek}, id#${this.id}, ${JSON.stringify(this.epoch)})`;
  }
}

/** Re-apply an earlier entry, as Raft does after a crash. */
class Replay implements fc.Command<Model, Real> {
  constructor(readonly back: number) {}
  check(model: Readonly<Model>): boolean {
    return model.applied.length > 0;
  }
  run(model: Model, real: Real): void {
    applyBoth(model, real, model.applied[model.applied.length - 1 - (this.back % model.applied.length)]!);
  }
  toString(): string {
    return `replay(${this.back})`;
  }
}

/** Any other entry: other opcodes, truncated or versioned payloads, empty entries. */
class RawEntry implements fc.Command<Model, Real> {
  constructor(readonly entry: Uint8Array) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    applyBoth(model, real, this.entry);
  }
  toString(): string {
    return `raw(${Buffer.from(this.entry).toString('hex')})`;
  }
}

// Favour the pool's first id so one node often re-registers its own slot
// (advance, replay, rollback) instead of mostly colliding with others.
const idChoice = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.nat() });

const rawEntry = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 9 }), fc.uint8Array({ maxLength: 17 })).map(([op, body]) => Uint8Array.of(op, ...body)),
  fc.uint8Array({ maxLength: 20 }),
  // A registration of the right length with any version byte.
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 14, maxLength: 14 })).map(([version, body]) => Uint8Array.of(OPCODE.registration, version, ...body)),
);

export const commands = fc.commands(
  [
    fc.oneof(
      { weight: 6, arbitrary: fc.tuple(fc.nat(DEKS.length - 1), idChoice, epochChoice).map(([dek, id, epoch]) => new Register(dek, id, epoch)) },
      { weight: 2, arbitrary: fc.nat().map((back) => new Replay(back)) },
      { weight: 1, arbitrary: rawEntry.map((entry) => new RawEntry(entry)) },
    ),
  ],
  { maxCommands: 200, size: 'max' },
);

/** The real applier built by `factory` behaves exactly as the model, step by step. */
export function agreesWithModel(factory: ApplierFactory) {
  return fc.property(fullIdPool, commands, (pool, cmds) => {
    const store = new MemoryRegistryStore();
    fc.modelRun(() => ({ model: { pool, rows: new Map(), applied: [] }, real: { store, applier: factory(store) } }), cmds);
  });
}
