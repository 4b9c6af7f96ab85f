// The Stage 6A bug variants (../variants.ts) on main's applier: the same
// ApplierBugs flags, so `regsim conformance --variant X` runs main's applier
// with bug X against production main's vectors.
import { variantCatalog } from '../variants.ts';
import type { BugVariant } from '../variants.ts';
import { createMainFsm, mainFsmFactory } from './fsm.ts';
import type { MainFsmFactory } from './types.ts';

export interface MainApplierVariant extends BugVariant {
  factory: MainFsmFactory;
}

export const mainApplierVariants: Readonly<Record<string, MainApplierVariant>> = variantCatalog(mainFsmFactory, createMainFsm);
