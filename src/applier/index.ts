// The applier's public surface: everything outside src/applier imports from here.
export * from './types.ts';
export { toHex, fromHex } from './hex.ts';
export {
  OPCODE,
  REGISTRY_PREFIX,
  REGISTRY_KEY_LENGTH,
  REGISTRY_VALUE_LENGTH,
  REGISTRATION_PAYLOAD_LENGTH,
  REGISTRATION_VERSION,
  CodecError,
  low16,
  deriveNodeId,
  registryKey,
  encodeRegistryValue,
  decodeRegistryValue,
  encodeRegistration,
  decodeRegistration,
} from './codec.ts';
export { RegistrationApplier } from './applier.ts';
export type { ApplierBugs, RegistrationResponse } from './applier.ts';
export { createEntryApplier, entryApplierFactory } from './fsm.ts';
export { MemoryRegistryStore } from './memory-store.ts';
export { applierVariants, applierFactoryByName } from './variants.ts';
export type { ApplierVariant } from './variants.ts';
export { variantByName } from './variants.ts';
export type { BugVariant } from './variants.ts';
export * from './main/index.ts';
