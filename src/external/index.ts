// The external applier bridge: run an applier that lives in another process
// (any language) behind the ApplierFactory contract. Protocol and design:
// docs/external-applier.md.
export { startExternalApplier } from './bridge.ts';
export type { ExternalApplier, ExternalApplierOptions, ExternalApplierStats } from './bridge.ts';
export { ExternalApplierError, PROTOCOL_VERSION } from './protocol.ts';
export type { ChildMessage, HostMessage } from './protocol.ts';
export { parseCommand, formatCommand } from './argv.ts';
export { serve } from './server.ts';
export { referenceApplierCommand } from './reference.ts';
