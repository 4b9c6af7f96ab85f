// Named applier variants: the correct applier and one bug each, built by
// switching a single ApplierBugs flag on the real applier. The harness must
// kill every one of them (test/applier, properties, `regsim conformance --variant`).
// Main's applier (main/variants.ts) takes the same flags.
import { createEntryApplier, entryApplierFactory } from './fsm.ts';
import type { ApplierBugs } from './applier.ts';
import type { ApplierFactory } from './types.ts';

/** A named bug: the flags that make it, on whichever applier takes them. */
export interface BugVariant {
  /** The bug, in one sentence ('none' for the correct applier). */
  bug: string;
  bugs: ApplierBugs;
}

export interface ApplierVariant extends BugVariant {
  factory: ApplierFactory;
}

export const bugVariants: Readonly<Record<string, BugVariant>> = {
  correct: { bug: 'none: spec §3 as production implements it', bugs: {} },
  // Historic round-2 bug: `<=` instead of `<`, so a replayed registration halts forever.
  'lte-rollback': {
    bug: 'an equal epoch halts as rollback (replay after a crash halts forever)',
    bugs: { equalEpochIsRollback: true },
  },
  // The slot owner is never compared: a colliding node steals the row.
  'no-collision-check': {
    bug: 'a different full id in the slot overwrites the row instead of halting',
    bugs: { skipCollisionCheck: true },
  },
  // Advance loses the node's first registered epoch.
  'reset-first-seen': {
    bug: 'advance rewrites first_seen to the new epoch',
    bugs: { resetFirstSeen: true },
  },
  // A node restored from an old backup silently lowers last_seen.
  'accept-rollback': {
    bug: 'a lower epoch silently overwrites last_seen instead of halting',
    bugs: { acceptRollback: true },
  },
  // Keys rows on bits 16..31 of the full id instead of the low 16.
  'wrong-truncation': {
    bug: 'the row is keyed on bits 16..31 of the full id, not the low 16',
    bugs: { slotOf: (full) => Number((full >> 16n) & 0xffffn) },
  },
  // The owner is compared as a u32: ids equal in the low 32 bits are "the same node".
  'short-id-compare': {
    bug: 'full ids are compared on their low 32 bits only',
    bugs: { idCompareBits: 32 },
  },
  // Epochs compared as int16: 0x8000 looks lower than 0x7FFF.
  'signed-epoch': {
    bug: 'epochs are compared as signed 16-bit integers',
    bugs: { signedEpochs: true },
  },
  // The version byte is not checked.
  'any-version': {
    bug: 'a registration payload of any version byte is decoded as version 0x01',
    bugs: { anyVersion: true },
  },
  // The key's DEK field is a u16: DEKs 0x00001 and 0x10001 share their rows.
  'dek-truncated-key': {
    bug: "the row key holds the DEK id's low 16 bits only",
    bugs: { dekKeyBits: 16 },
  },
};

/** Every bug variant, each with the factory `build` makes of its flags; `correct` is the exported correct applier itself. */
export function variantCatalog<F>(build: (bugs: ApplierBugs) => F, correct: F): Readonly<Record<string, BugVariant & { factory: F }>> {
  return Object.fromEntries(Object.entries(bugVariants).map(([name, v]) => [name, { ...v, factory: name === 'correct' ? correct : build(v.bugs) }]));
}

export const applierVariants: Readonly<Record<string, ApplierVariant>> = variantCatalog(entryApplierFactory, createEntryApplier);

/** The named variant of `catalog`; an unknown name throws, listing the known ones. */
export function variantByName<T>(catalog: Readonly<Record<string, T>>, name: string): T {
  const variant = Object.hasOwn(catalog, name) ? catalog[name] : undefined;
  if (variant === undefined) {
    throw new Error(`unknown applier variant "${name}" (known: ${Object.keys(catalog).join(', ')})`);
  }
  return variant;
}

/** The factory of a named variant; an unknown name throws, listing the known ones. */
export function applierFactoryByName(name: string): ApplierFactory {
  return variantByName(applierVariants, name).factory;
}
