// The reference model of production main's FSM (addendum §1.5, §2), written
// from the addendum alone, like registration.ts from the spec: it imports no
// applier logic (registration.ts's §3 table is unchanged since 6A, addendum
// §2.7), so a bug in main's applier cannot hide by being copied here. A node
// runs with a KEK, a keystore and a sidecar (regsim's nodes always do, as
// production's do with --kekFile and --encryptionSidecarPath), so a
// well-formed 0x04/0x05 never halts kek-not-configured here. Besides the rows
// it keeps the part of the sidecar that 0x04/0x05 decide on (local epochs are
// a node's own and decide nothing) and the keystore (DEK id -> DEK), and a
// halting entry keeps what it did before the halt, as main does (§2.3, §2.4).
// Every function is pure.
import type { Registration, RegistryRow } from '../applier/types.ts';
import { modelApply } from './registration.ts';

export type ModelRowOutcome = 'insert' | 'advance' | 'noop';

/** What main's FSM does with one entry (a halt names the registration that halted, if a row did). */
export type ModelMainResult =
  | { kind: 'kv'; opcode: number }
  | { kind: 'registered'; outcome: ModelRowOutcome }
  | { kind: 'encryption'; opcode: number; rows: ModelRowOutcome[] }
  | { kind: 'halt'; reason: string; reg?: Registration };

export interface ModelSidecarKey {
  purpose: 'storage' | 'raft';
  wrappedHex: string;
}

/** The sidecar's replicated part; `undefined` sidecar: the node has no sidecar file yet. */
export interface ModelSidecar {
  activeStorage: number;
  activeRaft: number;
  storageEnvelopeActive: boolean;
  storageCutoverIndex: number;
  raftCutoverIndex: number;
  keys: ReadonlyMap<number, ModelSidecarKey>;
}

export interface ModelMainState {
  rows: ReadonlyMap<string, RegistryRow>;
  sidecar: ModelSidecar | undefined;
  /** DEK id -> DEK (hex): what the process has loaded. */
  keystore: ReadonlyMap<number, string>;
}

export const EMPTY_MAIN_STATE: ModelMainState = { rows: new Map(), sidecar: undefined, keystore: new Map() };

/** The fake KEK's one refusal (the vectors' "kek-refuses-this"), as hex. */
const REFUSED_WRAPPED_HEX = Buffer.from('kek-refuses-this').toString('hex');
const DEK_HEX_LENGTH = 64;

/** The fake KEK: the wrapped bytes zero-padded or cut to 32 bytes; undefined if it refuses them. */
export function modelUnwrap(wrappedHex: string): string | undefined {
  if (wrappedHex === REFUSED_WRAPPED_HEX) return undefined;
  return wrappedHex.slice(0, DEK_HEX_LENGTH).padEnd(DEK_HEX_LENGTH, '0');
}

/** The keystore a process hydrates from a sidecar at start (addendum §7.6). */
export function keystoreOf(sidecar: ModelSidecar | undefined): Map<number, string> {
  const ks = new Map<number, string>();
  for (const [id, key] of sidecar?.keys ?? []) {
    const dek = modelUnwrap(key.wrappedHex);
    if (dek !== undefined) ks.set(id, dek);
  }
  return ks;
}

// --- decoding (§1.2, §1.3): left to right, the first bad field gives the class ---

class Halt extends Error {
  constructor(
    readonly reason: string,
    readonly reg?: Registration,
  ) {
    super(reason);
  }
}

class Cursor {
  at = 0;
  constructor(private readonly b: Uint8Array) {}
  get left(): number {
    return this.b.length - this.at;
  }
  version(): void {
    if (this.left === 0) throw new Halt('malformed');
    if (this.b[this.at++] !== 0x01) throw new Halt('unknown-version');
  }
  int(bytes: number): number {
    if (this.left < bytes) throw new Halt('malformed');
    let n = 0;
    for (let i = 0; i < bytes; i++) n = n * 256 + (this.b[this.at++] as number);
    return n;
  }
  hex(length: number): string {
    if (length > this.left) throw new Halt('malformed');
    const out = Buffer.from(this.b.subarray(this.at, this.at + length)).toString('hex');
    this.at += length;
    return out;
  }
  row(): Registration {
    if (this.left < 14) throw new Halt('malformed');
    const dekId = this.int(4);
    const hi = BigInt(this.int(4));
    const lo = BigInt(this.int(4));
    return { dekId, fullNodeId: (hi << 32n) | lo, localEpoch: this.int(2) };
  }
  end(): void {
    if (this.left > 0) throw new Halt('malformed');
  }
}

interface Bootstrap {
  storage: number;
  storageHex: string;
  raft: number;
  raftHex: string;
  batch: Registration[];
}

function decodeBootstrap(body: Uint8Array): Bootstrap {
  const c = new Cursor(body);
  c.version();
  const storage = c.int(4);
  const storageHex = c.hex(c.int(4));
  const raft = c.int(4);
  const raftHex = c.hex(c.int(4));
  const count = c.int(4);
  if (count > 16384 || count * 14 > c.left) throw new Halt('malformed');
  const batch = Array.from({ length: count }, () => c.row());
  c.end();
  return { storage, storageHex, raft, raftHex, batch };
}

interface Rotation {
  subTag: number;
  dek: number;
  purpose: 'storage' | 'raft';
  wrappedHex: string;
  proposer: Registration;
}

function decodeRotation(body: Uint8Array): Rotation {
  const c = new Cursor(body);
  c.version();
  const subTag = c.int(1);
  if (subTag !== 0x01 && subTag !== 0x04 && subTag !== 0x05) throw new Halt('unknown-subtag');
  const dek = c.int(4);
  const p = c.int(1);
  if (p !== 1 && p !== 2) throw new Halt('malformed');
  const wrappedHex = c.hex(c.int(4));
  const proposer = c.row();
  c.end();
  return { subTag, dek, purpose: p === 1 ? 'storage' : 'raft', wrappedHex, proposer };
}

// --- applying -----------------------------------------------------------------------

/** One entry's apply: the state it changes as it goes (kept on a halt) and the rows it applied. */
class Run {
  rows: Map<string, RegistryRow>;
  sidecar: ModelSidecar | undefined;
  keystore: Map<number, string>;
  readonly outcomes: ModelRowOutcome[] = [];

  constructor(s: ModelMainState) {
    this.rows = new Map(s.rows);
    this.sidecar = s.sidecar;
    this.keystore = new Map(s.keystore);
  }

  register(reg: Registration): void {
    const r = modelApply(this.rows, reg);
    if (r.outcome === 'halt-rollback') throw new Halt('rollback', reg);
    if (r.outcome === 'halt-collision') throw new Halt('collision', reg);
    this.rows = r.rows;
    this.outcomes.push(r.outcome);
  }

  install(id: number, wrappedHex: string): void {
    const dek = modelUnwrap(wrappedHex);
    if (dek === undefined) throw new Halt('kek-unwrap');
    if (id === 0) throw new Halt('reserved-key-id');
    const loaded = this.keystore.get(id);
    if (loaded !== undefined && loaded !== dek) throw new Halt('key-conflict');
    this.keystore.set(id, dek);
  }

  /** A sidecar write: refused (nothing written) if an active id lacks a key of its purpose. */
  write(next: ModelSidecar): void {
    for (const [purpose, id] of [['storage', next.activeStorage], ['raft', next.activeRaft]] as const) {
      if (id !== 0 && next.keys.get(id)?.purpose !== purpose) throw new Halt('sidecar-invalid');
    }
    this.sidecar = next;
  }

  existing(): ModelSidecar {
    if (this.sidecar === undefined) throw new Halt('sidecar-missing');
    return this.sidecar;
  }

  state(): ModelMainState {
    return { rows: this.rows, sidecar: this.sidecar, keystore: this.keystore };
  }
}

const EMPTY_SIDECAR: ModelSidecar = {
  activeStorage: 0,
  activeRaft: 0,
  storageEnvelopeActive: false,
  storageCutoverIndex: 0,
  raftCutoverIndex: 0,
  keys: new Map(),
};

function bootstrap(run: Run, p: Bootstrap): void {
  if (p.storage === p.raft) throw new Halt('rejected');
  if (p.batch.some((r) => r.dekId !== p.storage && r.dekId !== p.raft)) throw new Halt('rejected');
  const cur = run.sidecar;
  if (cur !== undefined && (cur.activeStorage !== 0 || cur.activeRaft !== 0)) {
    // Only the very same bootstrap is accepted again, at any index.
    if (cur.activeStorage !== p.storage || cur.activeRaft !== p.raft) throw new Halt('rejected');
    if (cur.keys.get(p.storage)?.wrappedHex !== p.storageHex || cur.keys.get(p.raft)?.wrappedHex !== p.raftHex) throw new Halt('rejected');
  }
  if (modelUnwrap(p.storageHex) === undefined || modelUnwrap(p.raftHex) === undefined) throw new Halt('kek-unwrap');
  run.install(p.storage, p.storageHex);
  run.install(p.raft, p.raftHex);
  const base = cur ?? EMPTY_SIDECAR;
  const keys = new Map(base.keys)
    .set(p.storage, { purpose: 'storage', wrappedHex: p.storageHex })
    .set(p.raft, { purpose: 'raft', wrappedHex: p.raftHex });
  run.write({ ...base, activeStorage: p.storage, activeRaft: p.raft, keys });
  for (const row of p.batch) run.register(row);
}

function rotation(run: Run, index: number, p: Rotation): void {
  if (p.subTag === 0x01) {
    if (p.proposer.dekId !== p.dek) throw new Halt('rejected');
    run.install(p.dek, p.wrappedHex);
    const cur = run.existing();
    const keys = new Map(cur.keys).set(p.dek, { purpose: p.purpose, wrappedHex: p.wrappedHex });
    run.write({ ...cur, ...(p.purpose === 'storage' ? { activeStorage: p.dek } : { activeRaft: p.dek }), keys });
    run.register(p.proposer);
    return;
  }
  const storage = p.subTag === 0x04;
  // The raft cutover records its own index, so it needs one (main checks this first).
  if (!storage && index === 0) throw new Halt('rejected');
  if (p.purpose !== (storage ? 'storage' : 'raft') || p.wrappedHex !== '' || p.proposer.dekId !== p.dek) throw new Halt('rejected');
  const cur = run.existing();
  // A stale cutover, or one already in effect: a no-op, its proposer registration dropped.
  if (storage ? p.dek !== cur.activeStorage || cur.storageEnvelopeActive : cur.raftCutoverIndex !== 0 || p.dek !== cur.activeRaft) return;
  run.register(p.proposer);
  run.write(storage ? { ...cur, storageEnvelopeActive: true, storageCutoverIndex: index } : { ...cur, raftCutoverIndex: index });
}

function decodeRegistration(body: Uint8Array): Registration {
  if (body.length !== 15) throw new Halt('malformed');
  const c = new Cursor(body);
  c.version();
  return c.row();
}

/**
 * One committed non-empty entry at `index` on `state`: the result and the
 * state after it (after a halt: with what the entry did before halting).
 */
export function modelMainApply(state: ModelMainState, index: number, entry: Uint8Array): { result: ModelMainResult; state: ModelMainState } {
  const opcode = entry[0] as number;
  if (opcode < 0x03 || opcode > 0x07) return { result: { kind: 'kv', opcode }, state };
  if (opcode >= 0x06) return { result: { kind: 'halt', reason: 'unknown-opcode' }, state };
  const run = new Run(state);
  const body = entry.subarray(1);
  try {
    if (opcode === 0x03) {
      run.register(decodeRegistration(body));
      return { result: { kind: 'registered', outcome: run.outcomes[0] as ModelRowOutcome }, state: run.state() };
    }
    if (opcode === 0x04) bootstrap(run, decodeBootstrap(body));
    else rotation(run, index, decodeRotation(body));
    return { result: { kind: 'encryption', opcode, rows: run.outcomes }, state: run.state() };
  } catch (err) {
    if (!(err instanceof Halt)) throw err;
    const result: ModelMainResult = err.reg === undefined ? { kind: 'halt', reason: err.reason } : { kind: 'halt', reason: err.reason, reg: err.reg };
    return { result, state: run.state() };
  }
}
