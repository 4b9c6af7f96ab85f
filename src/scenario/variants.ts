// One catalog of named bug variants across the three layers a run is built
// from: the applier (src/applier/variants.ts), the engine and Raft around it
// (src/sim/variants.ts) and the node lifecycle (start-up guards). `correct`
// is the applier, simulator and lifecycle as the spec describes them.
import { applierVariants } from '../applier/index.ts';
import type { ApplierFactory } from '../applier/index.ts';
import type { PathNeed } from '../model/paths.ts';
import { NO_GUARDS } from '../sim/lifecycle/index.ts';
import type { LifecyclePolicy, PolicyOverrides } from '../sim/lifecycle/index.ts';
import { policyHas } from './needs.ts';
import { SIM_VARIANTS } from '../sim/variants.ts';
import type { SimVariant } from '../sim/variants.ts';

export type VariantLayer = 'applier' | 'sim' | 'lifecycle';

export interface VariantInfo {
  name: string;
  layer: VariantLayer;
  /** The bug, in one sentence ('none...' for correct). */
  bug: string;
}

/** What a variant changes in a run. */
export interface ResolvedVariant extends VariantInfo {
  applier: ApplierFactory;
  /** The applier's label in the trace (the applier variant's name, else 'correct'). */
  applierName: string;
  simVariants: SimVariant[];
  /** Applied over the scenario's own policy. */
  policy: PolicyOverrides;
}

const LIFECYCLE_VARIANTS: Readonly<Record<string, { bug: string; policy: PolicyOverrides }>> = {
  'no-startup-guard': {
    bug: 'a node starts without the §9.1 guards: no rollback, exhaustion or collision check',
    policy: { guards: NO_GUARDS },
  },
  'guard-reads-local-registry': {
    bug: "the start-up guards read the node's own registry, which a restored disk brings back stale together with the sidecar",
    policy: { guards: { registry: 'local' } },
  },
};

const correctApplier = applierVariants.correct as { bug: string; factory: ApplierFactory };

function build(): Map<string, ResolvedVariant> {
  const out = new Map<string, ResolvedVariant>();
  const add = (v: ResolvedVariant): void => {
    if (out.has(v.name)) throw new Error(`variant name "${v.name}" is used by two layers`);
    out.set(v.name, v);
  };
  for (const [name, v] of Object.entries(applierVariants)) {
    add({ name, layer: 'applier', bug: v.bug, applier: v.factory, applierName: name, simVariants: [], policy: {} });
  }
  for (const [name, bug] of Object.entries(SIM_VARIANTS)) {
    const simVariants = [name as SimVariant];
    add({ name, layer: 'sim', bug, applier: correctApplier.factory, applierName: 'correct', simVariants, policy: {} });
  }
  for (const [name, v] of Object.entries(LIFECYCLE_VARIANTS)) {
    add({ name, layer: 'lifecycle', bug: v.bug, applier: correctApplier.factory, applierName: 'correct', simVariants: [], policy: v.policy });
  }
  return out;
}

const CATALOG = build();

/** Every variant, `correct` first, then by layer (applier, sim, lifecycle). */
export const VARIANTS: readonly VariantInfo[] = [...CATALOG.values()].map(({ name, layer, bug }) => ({ name, layer, bug }));

/**
 * The decision paths (src/model/paths.ts) each variant's bug changes: an
 * exploration of the variant that never reaches one of them cannot say the
 * variant is caught or harmless, so its verdict is inconclusive. A variant
 * not listed here (a new design idea) is judged by every path, as the correct
 * applier is. Declare the paths a new variant changes to be judged by them only.
 */
const VARIANT_PATHS: Readonly<Record<string, readonly string[]>> = {
  'lte-rollback': ['noop'],
  'no-collision-check': ['halt:collision'],
  'reset-first-seen': ['advance'],
  'accept-rollback': ['halt:rollback'],
  'wrong-truncation': ['insert'],
  'short-id-compare': ['ids:low32-equal'],
  'signed-epoch': ['epoch:0x8000'],
  'any-version': ['committed:unknown-version'],
  'dek-truncated-key': ['dek:above-16-bits'],
  'unsynced-registry-writes': ['replay', 'lost-writes'],
  'snapshot-omits-registry': ['install:rows'],
  'skip-entry-on-halt': ['halt:rollback', 'halt:collision'],
  'apply-before-commit': ['truncation'],
  'drop-halting-registration': ['halt:rollback', 'halt:collision'],
  'ack-before-persist': ['crash:after-ack'],
  'install-before-persist': ['crash:after-install'],
  'install-not-resumed': ['crash:after-snapshot-persist'],
  'wal-accepts-torn-record': ['torn-write'],
  'learner-counts-in-quorum': ['membership:add'],
  'concurrent-conf-changes': ['membership:promote', 'membership:remove'],
  'truncation-keeps-conf': ['membership:truncated'],
  'learner-campaigns': ['membership:add'],
  'raft-commit-without-majority': ['leader-change'],
  'raft-forget-vote': ['crash:after-vote'],
  'raft-commit-old-term': ['crash:after-commit'],
  'restore-forgets-term': ['figure-8:restore'],
  'exhaustion-guard-off-by-one': ['epoch:0xffff'],
  'collision-guard-low32': ['ids:low32-equal'],
  'rollback-guard-active-dek-only': ['restore:stale'],
  'unsynced-epoch-bump': ['lost-writes'],
  'epoch-written-at-registration': ['crash:registration-in-flight'],
  'registration-outlives-process': ['crash:registration-in-flight'],
  'admission-storage-dek-only': ['admission:passed'],
  'dek-switch-keeps-write-count': ['committed:rotation'],
  'admission-pre-registration-not-awaited': ['admission:passed'],
  'post-replay-guard-reads-open-rows': ['guard:after-replay'],
  'no-startup-guard': ['restore:stale'],
  'guard-reads-local-registry': ['restore:stale'],
  'halt-advances-applied-index': ['cold-start:skip'],
  'post-replay-guard-lt': ['guard:after-replay'],
  'sidecar-scan-ignores-compacted': ['guard:sidecar-behind-log'],
  'raft-epoch-not-bumped': ['nonce:raft-restarted'],
  'raft-epoch-guard-off': ['guard:raft-epoch'],
  'raft-rotation-keeps-registration': ['nonce:raft-rotated'],
  'header-wrap-follows-rotation': ['nonce:raft-rotated'],
  'cutover-guard-off': ['guard:cutover-divergence'],
  'install-keeps-dek': ['install:rotation'],
  'post-replay-guard-reads-raft-row': ['guard:raft-epoch'],
};

/**
 * Variants whose bug breaks a design option only some configurations have:
 * under any other the variant changes nothing, so it is explored, and must be
 * caught, only under configurations that have it (variantAppliesTo).
 */
const VARIANT_NEEDS: Readonly<Record<string, PathNeed>> = {
  'halt-advances-applied-index': 'durable-applied-index',
  // Production main's cold start finishes the install anyway: the persisted
  // snapshot is above the durable applied index, so the restart restores the
  // store from it (cold-start.ts). Under it the variant changes no row, no
  // index and no event but the snapshot-install record (checked on the
  // variant's fixture with coldStart 'durable-applied-index').
  'install-not-resumed': 'last-snapshot-cold-start',
  // Main's guards (main-start.ts) have no registry-wide collision or
  // rollback check for these bugs to break; its guards already read the
  // node's own store.
  'collision-guard-low32': 'stage6a-fsm',
  'rollback-guard-active-dek-only': 'stage6a-fsm',
  'guard-reads-local-registry': 'stage6a-fsm',
  'post-replay-guard-lt': 'main-fsm',
  'sidecar-scan-ignores-compacted': 'main-fsm',
  'raft-epoch-not-bumped': 'main-fsm',
  'raft-epoch-guard-off': 'main-fsm',
  'raft-rotation-keeps-registration': 'main-fsm',
  'header-wrap-follows-rotation': 'main-fsm',
  'cutover-guard-off': 'main-fsm',
  // Main has no rotation markers: its sidecar is in no snapshot, so an install brings no DEK.
  'install-keeps-dek': 'stage6a-fsm',
  'post-replay-guard-reads-raft-row': 'main-fsm',
  'admission-storage-dek-only': 'main-admission-check',
  'dek-switch-keeps-write-count': 'stage6a-fsm',
  'admission-pre-registration-not-awaited': 'main-admission-check',
  'post-replay-guard-reads-open-rows': 'main-fsm',
};

/** Whether `variant`'s bug can show under `policy` (a variant that needs nothing applies everywhere). */
export function variantAppliesTo(variant: string, policy: LifecyclePolicy): boolean {
  return policyHas(VARIANT_NEEDS[variant], policy);
}

/** The design option `variant` needs, if any (for messages). */
export function variantNeeds(variant: string): PathNeed | undefined {
  return VARIANT_NEEDS[variant];
}

/** The paths `variant` is declared to change (undefined: not declared, so every path). */
export function variantPaths(variant: string): readonly string[] | undefined {
  return VARIANT_PATHS[variant];
}

/** The variant called `name`; an unknown name throws, listing the known ones. */
export function resolveVariant(name: string): ResolvedVariant {
  const v = CATALOG.get(name);
  if (v === undefined) throw new Error(`unknown variant "${name}" (known: ${[...CATALOG.keys()].join(', ')})`);
  return v;
}
