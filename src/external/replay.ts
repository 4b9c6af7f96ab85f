// The regsim side of one protocol v2 apply: the child reports the durable
// operations it made, in order, each with what it saw; regsim makes each one
// on the node's real stores (so injected faults, traces and lost writes act on
// them exactly as on the built-in applier's calls) and, at the first one that
// came out otherwise than the child assumed, stops and sends a `correct`.
// Operations are numbered from 0 over the whole apply, calls included.
import { sameBytes } from '../applier/main/bytes.ts';
import { KeystoreError, stateOf } from '../applier/main/index.ts';
import type { MainApplierDeps, Sidecar, SidecarStore } from '../applier/main/index.ts';
import { StoreFault } from '../applier/types.ts';
import type { RegistryStore } from '../applier/types.ts';
import type { Connection } from './connection.ts';
import type { Counts } from './exchange-v1.ts';
import { ExternalApplierError, fromHex, toHex } from './protocol.ts';
import type { HostMessageV2 } from './protocol-v2.ts';
import type { Traffic } from './rows.ts';
import { sidecarDoc, sidecarOf } from './sidecar-doc.ts';
import type { SidecarDoc } from './sidecar-doc.ts';

type Correct = Extract<HostMessageV2, { type: 'correct' }>;

/** An operation as the child reported it, decoded and checked (parseOps). */
export type ParsedOp =
  | { op: 'get'; key: Uint8Array; value: Uint8Array | undefined }
  | { op: 'set'; key: Uint8Array; value: Uint8Array }
  | { op: 'read-sidecar'; assumed: SidecarDoc | null }
  | { op: 'write-sidecar'; doc: Sidecar }
  | { op: 'install'; dek: number; key: Uint8Array };

/**
 * The child's operations decoded, all before any is made: a malformed one
 * breaks the connection whatever came before it. Decoded once per answer,
 * however many replicas make it (an answer ahead or a prediction serves all
 * that asked the same request).
 */
export function parseOps(conn: Connection, ops: readonly Record<string, unknown>[]): ParsedOp[] {
  return ops.map((op): ParsedOp => {
    const field = <T>(read: () => T): T => conn.field({ type: String(op.op) }, read);
    switch (op.op) {
      case 'get':
        return { op: 'get', key: field(() => fromHex(op.key, 'key')), value: field(() => (op.value === null ? undefined : fromHex(op.value, 'value'))) };
      case 'set':
        return { op: 'set', key: field(() => fromHex(op.key, 'key')), value: field(() => fromHex(op.value, 'value')) };
      case 'read-sidecar':
        return { op: 'read-sidecar', assumed: field(() => (op.sidecar === null ? null : sidecarDoc(sidecarOf(op.sidecar)))) };
      case 'write-sidecar':
        return { op: 'write-sidecar', doc: field(() => sidecarOf(op.sidecar)) };
      case 'install':
        if (!Number.isInteger(op.dek)) throw conn.fail('sent an "install" op without an integer dek');
        return { op: 'install', dek: op.dek as number, key: field(() => fromHex(op.key, 'key')) };
      default:
        throw conn.fail(`sent an unknown op ${JSON.stringify(op.op)}`);
    }
  });
}

/** What one operation came to: as the child assumed (undefined), otherwise the correction to send. */
type Outcome = Correct | undefined;

export class Replay {
  /** The next operation's number. */
  next = 0;
  readonly traffic: Traffic[] = [];
  /** Set when a store threw something other than a fault (a simulated crash): the apply is abandoned. */
  aborted: { error: unknown } | undefined;

  constructor(
    private readonly conn: Connection,
    private readonly deps: MainApplierDeps | undefined,
    private readonly counts: Counts,
  ) {}

  /** Makes `ops` in order; the correction of the first that differs (the rest are dropped), or undefined. Stops at an abort. */
  run(ops: readonly ParsedOp[]): Correct | undefined {
    for (const op of ops) {
      const n = this.next++;
      const outcome = this.guard(() => this.one(n, op));
      if (outcome !== undefined || this.aborted) return outcome;
    }
    return undefined;
  }

  /** A read the child could not make from what it was sent: the value, a fault, or an abort. */
  get(key: Uint8Array): HostMessageV2 {
    this.next++;
    const registry = this.registry('get');
    const reply = this.guard((): HostMessageV2 => {
      this.counts.storeGets++;
      try {
        const value = registry.get(key);
        this.traffic.push({ kind: 'get', key, value, fault: false });
        return { type: 'value', value: value === undefined ? null : toHex(value) };
      } catch (err) {
        if (!(err instanceof StoreFault)) throw err;
        this.traffic.push({ kind: 'get', key, value: undefined, fault: true });
        return { type: 'fault', message: err.message };
      }
    });
    return this.aborted ? { type: 'abort' } : (reply as HostMessageV2);
  }

  /** Rethrows what a store threw, if it aborted the apply. */
  rethrowAbort(): void {
    if (this.aborted) throw this.aborted.error;
  }

  /** Runs a store action; anything but a StoreFault or an ExternalApplierError aborts the apply. */
  private guard<T>(action: () => T): T | undefined {
    try {
      return action();
    } catch (err) {
      if (err instanceof ExternalApplierError) throw err;
      this.aborted = { error: err };
      return undefined;
    }
  }

  private one(n: number, op: ParsedOp): Outcome {
    switch (op.op) {
      case 'get': {
        const { key, value: assumed } = op;
        const registry = this.registry('get');
        this.counts.storeGets++;
        return this.fault(n, () => this.traffic.push({ kind: 'get', key, value: undefined, fault: true }), () => {
          const value = registry.get(key);
          this.traffic.push({ kind: 'get', key, value, fault: false });
          const same = value === undefined ? assumed === undefined : assumed !== undefined && sameBytes(value, assumed);
          return same ? undefined : { type: 'correct', op: n, value: value === undefined ? null : toHex(value) };
        });
      }
      case 'set': {
        const { key, value } = op;
        const registry = this.registry('set');
        this.counts.storeSets++;
        return this.fault(n, () => this.traffic.push({ kind: 'set', key, value, fault: true }), () => {
          registry.set(key, value);
          this.traffic.push({ kind: 'set', key, value, fault: false });
          return undefined;
        });
      }
      case 'read-sidecar': {
        const sidecar = this.sidecar('read-sidecar');
        return this.fault(n, () => this.traffic.push({ kind: 'other' }), () => {
          const real = sidecar.read();
          this.traffic.push({ kind: 'other' });
          const doc = real === undefined ? null : sidecarDoc(real);
          return JSON.stringify(doc) === JSON.stringify(op.assumed) ? undefined : { type: 'correct', op: n, sidecar: doc };
        });
      }
      case 'write-sidecar': {
        const sidecar = this.sidecar('write-sidecar');
        return this.fault(n, () => this.traffic.push({ kind: 'other' }), () => {
          sidecar.write(op.doc);
          this.traffic.push({ kind: 'other' });
          if (this.deps?.stateCache) Object.assign(this.deps.stateCache, stateOf(op.doc));
          return undefined;
        });
      }
      case 'install': {
        const keystore = this.deps?.keystore;
        if (keystore === undefined) throw this.conn.fail('installed a DEK on a node built without a keystore');
        try {
          keystore.set(op.dek, op.key);
        } catch (err) {
          if (err instanceof KeystoreError) throw this.conn.fail(`installed DEK ${String(op.dek)}, which this node's keystore refuses: ${err.message}`);
          throw err;
        }
        this.traffic.push({ kind: 'other' });
        return undefined;
      }
    }
  }

  /** An operation whose store may fail: a StoreFault is recorded (`failed`) and corrected as a fault. */
  private fault(n: number, failed: () => void, make: () => Outcome): Outcome {
    try {
      return make();
    } catch (err) {
      if (!(err instanceof StoreFault)) throw err;
      failed();
      return { type: 'correct', op: n, fault: err.message };
    }
  }

  private registry(op: string): RegistryStore {
    const registry = this.deps?.registry;
    if (registry === undefined) throw this.conn.fail(`sent a "${op}" on an FSM built without an applier (it has no registry)`);
    return registry;
  }

  private sidecar(op: string): SidecarStore {
    const sidecar = this.deps?.sidecar;
    if (sidecar === undefined) throw this.conn.fail(`sent a "${op}" op on a node built without a sidecar`);
    return sidecar;
  }
}
