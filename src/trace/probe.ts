// The liveness probe, part of the trace contract: when faults end the
// simulator proposes this entry as a client would, retrying until it is
// applied, and the oracle looks for it by its request id. Liveness then means
// progress (a leader was elected and a fresh entry committed and applied
// everywhere), not only that nodes caught up with what was committed before.
// Opcode 0x02 (the HLC lease): an ordinary entry the applier hands back and
// nobody encrypts.

/** The request id of the probe's proposals (`propose` events carry `<id>#<attempt>`). */
export const LIVENESS_PROBE_REQUEST = 'liveness-probe';

/** The probe entry: opcode 0x02 followed by "regsim/liveness-probe". */
export const LIVENESS_PROBE_ENTRY: Uint8Array = Uint8Array.from([0x02, ...new TextEncoder().encode('regsim/liveness-probe')]);

/** Whether a `propose` event's request id is one of the probe's attempts. */
export function isProbeRequest(requestId: string): boolean {
  return requestId.startsWith(`${LIVENESS_PROBE_REQUEST}#`);
}
