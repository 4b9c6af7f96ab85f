// The external applier bridge: run an applier that lives in another process
// (any language) behind the ApplierFactory and MainFsmFactory contracts.
// Protocol and design: docs/external-applier.md.
export { startExternalApplier } from './bridge.ts';
export type { ExternalApplier, ExternalApplierOptions, ExternalApplierStats, RestartPolicy } from './bridge.ts';
export { ExternalApplierError, PROTOCOL_VERSIONS } from './protocol.ts';
export type { ApplierGeneration, ChildMessage, HostMessage, ProtocolVersion } from './protocol.ts';
export type { ChildMessageV2, Env, HostMessageV2, Op, Result } from './protocol-v2.ts';
export type { SidecarDoc } from './sidecar-doc.ts';
export { parseCommand, formatCommand } from './argv.ts';
export { serve } from './server.ts';
export { referenceApplierCommand } from './reference.ts';
