// Production main's applier: its public surface (re-exported by ../index.ts).
export {
  WireError,
  MAX_BOOTSTRAP_ROWS,
  REGISTRATION_ROW_LENGTH,
  ROTATION_SUBTAG,
  DEK_PURPOSE,
  decodeBootstrap,
  decodeRotation,
  encodeBootstrap,
  encodeRotation,
} from './wire.ts';
export type { WireErrorReason, BootstrapPayload, RotationPayload, RotationSubTag, DekPurposeCode } from './wire.ts';
