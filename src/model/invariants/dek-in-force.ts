// §7.4 replica-agreement, the DEK half: every replica encrypts the entry at
// index i under the DEK the committed log puts in force at i, the newest one a
// rotation marker at an index <= i names (spec §5: after a rotation commits,
// every node moves to the new DEK and registers under it). A replica still
// sealing under a retired DEK holds a ciphertext of the entry the others do
// not, and keeps a key the rotation was meant to retire in use: a process that
// missed the switch (a lost active-DEK write, a snapshot install that did not
// take the snapshot's DEK). Production main's rotations (0x05) are not markers
// and are judged by the sidecar checks instead; its raft-envelope seals
// (`proposal` nonces) are under the raft DEK and not judged here.
// Reported once per node and DEK in force. Code: 'stale-dek'.
import type { TraceEvent } from '../../trace/types.ts';
import { rotationMarkerDek } from '../../trace/rotation-marker.ts';
import { hexToBytes } from './trace-hex.ts';
import { violation } from './context.ts';
import type { CheckContext, Violation } from './context.ts';

export function checkDekInForce(trace: readonly TraceEvent[], ctx: CheckContext): Violation[] {
  const markers = rotationMarkers(ctx);
  if (markers.length === 0) return [];
  const out: Violation[] = [];
  /** Reported once per node and DEK in force (a stale process seals every later entry under the old one). */
  const reported = new Set<string>();
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    if (ev.kind !== 'nonce' || ev.proposal === true) continue;
    const force = inForceAt(markers, ev.index);
    if (force === undefined || ev.dekId >= force.dekId) continue;
    const key = `${ev.node}|${force.dekId}`;
    if (reported.has(key)) continue;
    reported.add(key);
    out.push(
      violation(
        'replica-agreement', 'stale-dek',
        e,
        ev.node,
        `${ev.node} encrypted index ${ev.index} under dek ${ev.dekId}, but the rotation committed at index ${force.index} put dek ${force.dekId} in force there: every replica must seal the entry under the DEK in force`,
      ),
    );
  }
  return out;
}

/** The committed rotation markers, ascending by index. */
function rotationMarkers(ctx: CheckContext): { index: number; dekId: number }[] {
  const out: { index: number; dekId: number }[] = [];
  for (let i = 1; i <= ctx.log.lastIndex; i++) {
    const hex = ctx.log.entryAt(i);
    if (hex === undefined) continue;
    const dekId = rotationMarkerDek(hexToBytes(hex));
    if (dekId !== undefined) out.push({ index: i, dekId });
  }
  return out;
}

/** The newest DEK a marker at or below `index` names, with that marker's index. */
function inForceAt(markers: readonly { index: number; dekId: number }[], index: number): { index: number; dekId: number } | undefined {
  let best: { index: number; dekId: number } | undefined;
  for (const m of markers) if (m.index <= index && (best === undefined || m.dekId > best.dekId)) best = m;
  return best;
}
