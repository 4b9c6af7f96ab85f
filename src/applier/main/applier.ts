// Production main's applier (addendum §2, §7.2-§7.3): ApplyRegistration as in
// Stage 6A, plus real bootstrap and rotation bodies. It keeps no state of its
// own: rows, sidecar, keystore and state cache are the caller's.
import { RegistrationApplier } from '../applier.ts';
import type { ApplierBugs } from '../applier.ts';
import type { Registration } from '../types.ts';
import { applyBootstrap } from './bootstrap.ts';
import { runEntry } from './entry-run.ts';
import { applyRotation } from './rotation.ts';
import { stateOf, validateSidecar } from './sidecar.ts';
import type { MainApplierDeps, MainApplyResponse } from './types.ts';
import type { BootstrapPayload, RotationPayload } from './wire.ts';

export class MainApplier {
  private readonly registrations: RegistrationApplier;

  /**
   * Throws if the registry store is missing (as the 6A applier does) or if an
   * existing sidecar breaks its own rules (production refuses to build on a
   * sidecar that does not validate). Primes the state cache from the sidecar.
   */
  constructor(
    private readonly deps: MainApplierDeps,
    bugs: ApplierBugs = {},
  ) {
    this.registrations = new RegistrationApplier(deps.registry, bugs);
    const sidecar = deps.sidecar?.read();
    if (sidecar !== undefined) validateSidecar(sidecar);
    if (deps.stateCache) Object.assign(deps.stateCache, stateOf(sidecar));
  }

  /** 0x03: needs only the registry. */
  applyRegistration(reg: Registration): MainApplyResponse {
    return runEntry(this.registrations, this.deps, (run) => run.register(reg, 'registration'));
  }

  applyBootstrap(raftIndex: number, p: BootstrapPayload): MainApplyResponse {
    return runEntry(this.registrations, this.deps, (run) => applyBootstrap(run, raftIndex, p));
  }

  applyRotation(raftIndex: number, p: RotationPayload): MainApplyResponse {
    return runEntry(this.registrations, this.deps, (run) => applyRotation(run, raftIndex, p));
  }
}
