// One apply of one entry: the rows it applied so far and the steps bootstrap
// and rotation share (the dependency check, unwrap, keystore install, sidecar
// read and write). A step that fails throws a HaltSignal; runEntry turns it
// into the halt response, keeping every side effect made before it (the
// addendum's partial effects: a halted 0x04/0x05 is not rolled back).
import { StoreFault } from '../types.ts';
import type { Registration } from '../types.ts';
import type { RegistrationApplier } from '../applier.ts';
import { KekUnwrapError } from './kek.ts';
import type { KekUnwrapper } from './kek.ts';
import { KeystoreError } from './keystore.ts';
import type { Keystore } from './keystore.ts';
import { SidecarInvalidError, stateOf, writeSidecar } from './sidecar.ts';
import type { Sidecar, SidecarStore } from './sidecar.ts';
import type { MainApplierDeps, MainApplyResponse, MainHaltReason, RejectDetail, RowResult } from './types.ts';

class HaltSignal extends Error {
  constructor(
    readonly reason: MainHaltReason,
    message: string,
    readonly detail?: RejectDetail,
  ) {
    super(message);
  }
}

export function halt(reason: MainHaltReason, message: string): never {
  throw new HaltSignal(reason, message);
}

export function reject(detail: RejectDetail, message: string): never {
  throw new HaltSignal('rejected', message, detail);
}

/** What bootstrap and rotation need besides the registry. */
export interface KeyDeps {
  kek: KekUnwrapper;
  keystore: Keystore;
  sidecar: SidecarStore;
  localEpoch: number;
  raftLocalEpoch: number;
}

export class EntryRun {
  readonly rows: RowResult[] = [];

  constructor(
    private readonly registrations: RegistrationApplier,
    private readonly deps: MainApplierDeps,
  ) {}

  /** ApplyRegistration of one row; its halt halts the entry (rows before it stay written). */
  register(reg: Registration, what: string): void {
    const { key, response, written } = this.registrations.applyRow(reg);
    if (response.kind === 'halt') {
      this.rows.push({ key, result: 'halted' });
      halt(response.reason, `${what}: ${response.message}`);
    }
    this.rows.push(written === undefined ? { key, result: response.outcome } : { key, result: response.outcome, value: written });
  }

  /** The three dependencies 0x04/0x05 need together, checked after decoding, before anything else. */
  keyDeps(what: string): KeyDeps {
    const { kek, keystore, sidecar, localEpoch = 0, raftLocalEpoch = 0 } = this.deps;
    if (kek === undefined || keystore === undefined || sidecar === undefined) {
      halt('kek-not-configured', `${what} needs a KEK, a keystore and a sidecar`);
    }
    return { kek, keystore, sidecar, localEpoch, raftLocalEpoch };
  }

  unwrap(kek: KekUnwrapper, wrapped: Uint8Array, what: string): Uint8Array {
    try {
      return kek.unwrap(wrapped);
    } catch (err) {
      if (err instanceof KekUnwrapError) halt('kek-unwrap', `unwrap ${what}: ${err.message}`);
      throw err;
    }
  }

  /** In memory only: kept even if the entry halts later. */
  install(keystore: Keystore, dekId: number, dek: Uint8Array, what: string): void {
    try {
      keystore.set(dekId, dek);
    } catch (err) {
      if (err instanceof KeystoreError) halt(err.reason, `keystore install of ${what}: ${err.message}`);
      throw err;
    }
  }

  readSidecar(sidecar: SidecarStore): Sidecar | undefined {
    return this.sidecarIo('read', () => sidecar.read());
  }

  /** Validates and writes, then refreshes the state cache. A refused write writes nothing. */
  writeSidecar(sidecar: SidecarStore, doc: Sidecar): void {
    this.sidecarIo('write', () => {
      try {
        writeSidecar(sidecar, doc);
      } catch (err) {
        if (err instanceof SidecarInvalidError) halt('sidecar-invalid', `sidecar write refused: ${err.message}`);
        throw err;
      }
    });
    if (this.deps.stateCache) Object.assign(this.deps.stateCache, stateOf(doc));
  }

  /** A failing sidecar store halts like a failing registry store (no vector injects one: regsim's choice). */
  private sidecarIo<T>(op: string, io: () => T): T {
    try {
      return io();
    } catch (err) {
      if (err instanceof StoreFault) halt('store-fault', `sidecar ${op}: ${err.message}`);
      throw err;
    }
  }
}

/** Runs one entry's steps: applied with its rows, or the halt its first failing step raised. */
export function runEntry(registrations: RegistrationApplier, deps: MainApplierDeps, steps: (run: EntryRun) => void): MainApplyResponse {
  const run = new EntryRun(registrations, deps);
  try {
    steps(run);
    return { kind: 'applied', rows: run.rows };
  } catch (err) {
    if (!(err instanceof HaltSignal)) throw err;
    const { reason, message, detail } = err;
    return detail === undefined ? { kind: 'halt', reason, message, rows: run.rows } : { kind: 'halt', reason, detail, message, rows: run.rows };
  }
}
