// One short human description per trace event, shared by the text timeline
// and the HTML report so both say the same thing about the same event. A
// description is a verb (a fixed column in the timeline, a colour class in
// the page) plus the rest of the line. Unknown kinds still get a line: the
// trace contract grows, and a report must never crash on a newer trace.
import { OPCODE, decodeRegistration, deriveNodeId, fromHex, low16, toHex } from '../applier/index.ts';
import { fullIdHex } from '../trace/ids.ts';
import { LIVENESS_PROBE_ENTRY } from '../trace/probe.ts';
import type { TraceApplyResult, TraceEvent, TraceNodeSummary, TraceRow } from '../trace/types.ts';

/** How an event reads, and which colour family it belongs to. */
export interface EventDescription {
  verb: string;
  text: string;
  tone: Tone;
}

/**
 * Colour families: `insert`/`advance`/`noop`/`kv`/`halt` are apply outcomes;
 * the rest group the other events.
 */
export type Tone =
  | 'insert'
  | 'advance'
  | 'noop'
  | 'kv'
  | 'halt'
  | 'fault'
  | 'recover'
  | 'snapshot'
  | 'leader'
  | 'network'
  | 'workload'
  | 'raft'
  | 'frame';

/** Full node id -> raft id, for the ids a trace can name (run-start members, added nodes). */
export type NodeNames = ReadonlyMap<bigint, string>;

export function nodeNames(trace: readonly TraceEvent[]): Map<bigint, string> {
  const names = new Map<bigint, string>();
  const add = (full: bigint | undefined, name: string): void => {
    // A malformed id names nobody; the event's own line still shows it.
    if (full !== undefined && !names.has(full)) names.set(full, name);
  };
  for (const ev of trace) {
    if (ev.kind === 'run-start') for (const n of ev.nodes) add(ev.fullIds?.[n] !== undefined ? parseFullId(ev.fullIds[n]) : deriveNodeId(n), n);
    if (ev.kind === 'add-node') add(parseFullId(ev.fullNodeId), ev.node);
  }
  return names;
}

/** A full id as the trace writes it (a decimal string), or undefined when it is not one. */
export function parseFullId(text: string): bigint | undefined {
  try {
    return BigInt(text);
  } catch {
    return undefined;
  }
}

/** A trace's full id in the report's notation (hex); a malformed one quoted as it is. */
export function showFullId(text: string): string {
  const full = parseFullId(text);
  return full !== undefined ? fullIdHex(full) : JSON.stringify(text);
}

/**
 * An applier halt message in the report's id notation. The applier words its
 * messages as the production code does, with decimal ids ("owned by full id
 * 6269…, not 7014…", "of full id 6269…"), and they are part of the trace.
 */
export function hexFullIds(message: string): string {
  return message.replace(/\bfull id (\d+)(?:, not (\d+))?/g, (_m, owner: string, other: string | undefined) =>
    `full id ${fullIdHex(BigInt(owner))}${other !== undefined ? `, not ${fullIdHex(BigInt(other))}` : ''}`,
  );
}

/** Every node a trace mentions, run-start members first, then in order of appearance. */
export function traceNodes(trace: readonly TraceEvent[]): string[] {
  const seen = new Set<string>();
  for (const ev of trace) {
    if (ev.kind === 'run-start') for (const n of ev.nodes) seen.add(n);
  }
  for (const ev of trace) if ('node' in ev && typeof ev.node === 'string') seen.add(ev.node);
  return [...seen];
}

export const hex16 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

/** `1234.000ms`: the one time format of both reports. */
export const formatMs = (t: number): string => `${t.toFixed(3)}ms`;

/** "node 0x2551 (n2)", or with the full id when no member owns it. */
export function describeFullId(full: bigint, names: NodeNames): string {
  const name = names.get(full);
  return name !== undefined ? `node ${hex16(low16(full))} (${name})` : `node ${hex16(low16(full))} (full ${fullIdHex(full)})`;
}

/** What a Raft entry is: "register(dek 1, node 0x2551 (n2), epoch 4)", "kv write (5 bytes)", ... */
export function describeEntry(entryHex: string, names: NodeNames): string {
  let bytes: Uint8Array;
  try {
    bytes = fromHex(entryHex);
  } catch {
    return `unreadable entry ${JSON.stringify(entryHex.slice(0, 16))}`;
  }
  const op = bytes[0];
  if (op === undefined) return 'empty entry';
  switch (op) {
    case OPCODE.kvWrite:
    case OPCODE.kvWriteAlt:
      return `kv write (${bytes.length} bytes)`;
    case OPCODE.hlcLease:
      return entryHex === PROBE_HEX ? 'liveness probe' : 'hlc lease';
    case OPCODE.registration:
      return describeRegistration(bytes.subarray(1), names);
    case OPCODE.bootstrap:
      return 'bootstrap';
    case OPCODE.rotation:
      return 'rotation';
    case OPCODE.reserved6:
    case OPCODE.reserved7:
      return `reserved opcode ${hex8(op)}`;
    default:
      return `opcode ${hex8(op)} (${bytes.length} bytes)`;
  }
}

const hex8 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;
const PROBE_HEX = toHex(LIVENESS_PROBE_ENTRY);

function describeRegistration(payload: Uint8Array, names: NodeNames): string {
  try {
    const reg = decodeRegistration(payload);
    return `register(dek ${reg.dekId}, ${describeFullId(reg.fullNodeId, names)}, epoch ${reg.localEpoch})`;
  } catch (err) {
    // A bad payload is exactly what the applier must halt on: say why.
    const why = err instanceof Error && 'reason' in err ? String(err.reason) : 'undecodable';
    return `register(${why}, ${payload.length} bytes)`;
  }
}

/** "insert", "HALT rollback", ... */
export function describeResult(result: TraceApplyResult): string {
  switch (result.kind) {
    case 'kv':
      return 'kv';
    case 'registered':
      return result.outcome;
    case 'halt':
      return `HALT ${result.reason}`;
  }
}

export function resultTone(result: TraceApplyResult): Tone {
  switch (result.kind) {
    case 'kv':
      return 'kv';
    case 'registered':
      return result.outcome;
    case 'halt':
      return 'halt';
  }
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const rowCount = (rows: readonly TraceRow[]): string => plural(rows.length, 'row');

function describeSummary(s: TraceNodeSummary): string {
  const state = s.halted ? 'HALTED' : s.up ? 'up' : 'down';
  return `${s.node} ${state} @${s.appliedIndex}/${s.commitIndex}`;
}

function describeGroups(groups: readonly (readonly string[])[]): string {
  return groups.map((g) => `{${g.join(',')}}`).join(' | ');
}

/** The description of one event; `names` comes from nodeNames(trace). */
export function describeEvent(ev: TraceEvent, names: NodeNames): EventDescription {
  const d = (verb: string, text: string, tone: Tone): EventDescription => ({ verb, text, tone });
  switch (ev.kind) {
    case 'run-start':
      return d('start', `seed ${JSON.stringify(ev.seed)}, variant ${ev.variant}, nodes ${ev.nodes.join(' ')}`, 'frame');
    case 'faults-end':
      return d('calm', 'no more faults (liveness is judged from here)', 'frame');
    case 'traffic':
      return d('traffic', `${ev.sent} messages sent ${ev.from === undefined ? 'in the window ending here' : `since t=${ev.from}`}`, 'frame');
    case 'run-end':
      return d('end', `${ev.cut === true ? 'cut short at the event budget: ' : ''}${ev.nodes.map(describeSummary).join(', ')}`, 'frame');
    case 'became-leader':
      return d('leader', `term ${ev.term}`, 'leader');
    case 'append':
      return d('append', `#${ev.index} t${ev.term}${ev.crash === true ? ' (back after the crash)' : ''}`, 'raft');
    case 'truncate':
      return d('truncate', `log from #${ev.fromIndex}${ev.crash === true ? ' (unsynced, lost in the crash)' : ''}`, 'raft');
    case 'commit':
      return d('commit', `#${ev.index} t${ev.term}`, 'raft');
    case 'propose':
      return d('propose', `${ev.requestId} ${describeEntry(ev.entryHex, names)}`, 'workload');
    case 'apply':
      return describeApply(ev, names);
    case 'halt':
      return d('HALT', `#${ev.index} ${ev.reason}`, 'halt');
    case 'snapshot-take':
      return d('snapshot', `taken @${ev.index}`, 'snapshot');
    case 'catch-up':
      return d('catch-up', `${ev.to} from #${ev.fromIndex} by log (behind the snapshot @${ev.snapshotIndex})`, 'raft');
    case 'snapshot-install':
      return d('snapshot', `installed @${ev.index} from ${ev.from} (${rowCount(ev.rows)})`, 'snapshot');
    case 'snapshot-persist':
      return d('snapshot', `persisted @${ev.index} from ${ev.from}, not installed yet`, 'snapshot');
    case 'crash':
      return d(
        'crash',
        `${ev.cause !== undefined ? `${ev.cause} ` : ''}(lost ${plural(ev.lostWrites, 'pending write')}` +
          `${ev.lostRecords !== undefined ? `, ${plural(ev.lostRecords, 'WAL record')}` : ''}${ev.torn === true ? ', one torn' : ''}` +
          `${ev.commit !== undefined ? `, commit back to #${ev.commit}` : ''})`,
        'fault',
      );
    case 'restart':
      return d('restart', `from applied @${ev.appliedIndex} (${rowCount(ev.rows)})`, 'recover');
    case 'backup':
      return d('backup', `disk saved as ${JSON.stringify(ev.name)}`, 'workload');
    case 'restore': {
      const name = ev.name !== undefined ? ` ${JSON.stringify(ev.name)}` : '';
      const whose = ev.from !== undefined ? ` of ${ev.from}` : '';
      const raft = ev.raft === undefined ? ', old Raft state included' : '';
      return d('restore', `disk replaced by backup${name}${whose} from ${formatMs(ev.backupAt)} (${rowCount(ev.rows)}${raft})`, 'fault');
    }
    case 'partition':
      return d('network', `${describePartition(ev.groups, ev.oneWay)}${ev.leader !== undefined ? ` (leader ${ev.leader} cut off${ev.trap === true ? ', figure-8 crash points armed' : ''})` : ''}`, 'network');
    case 'heal':
      return d('network', 'healed', 'network');
    case 'epoch-bump':
      return d('epoch', `dek ${ev.dekId} → e${ev.epoch}${ev.starts === undefined ? '' : ` (crash loop: ${ev.starts} starts died after their bump)`}`, 'workload');
    case 'guard-refused':
      return d('REFUSED', `guard ${ev.guard}: ${ev.detail}`, 'halt');
    case 'guard-check': {
      const read = ev.rows === undefined ? '' : ` on ${rowCount(ev.rows)} ${ev.through === undefined ? '(local)' : `through #${ev.through}`}`;
      return d('guards', `${ev.guards.join(', ')}${read}: ${ev.refused === undefined ? 'passed' : `${ev.refused} refused`}`, 'workload');
    }
    case 'replay-guard-check':
      return d(
        'guards',
        `after replay (applied #${ev.appliedIndex}, sidecar #${ev.sidecarIndex}, e${ev.epoch}${ev.raft !== undefined ? `, raft e${ev.raft.epoch}` : ''}): ${ev.guards.join(', ')}: ${ev.refused === undefined ? 'passed' : `${ev.refused} refused`}`,
        'workload',
      );
    case 'register-propose':
      return d('register', `dek ${ev.dekId} epoch ${ev.epoch} (attempt ${ev.attempt})`, 'workload');
    case 'rotate-dek':
      return d('rotate', `dek → ${ev.dekId}`, 'workload');
    case 'sidecar-load':
      return d('sidecar', ev.sidecar === null ? 'none (not bootstrapped)' : `storage dek ${ev.sidecar.activeStorage}, raft dek ${ev.sidecar.activeRaft}, ${ev.sidecar.keys.length} key(s)`, 'workload');
    case 'admission-check':
      return d('admission', `on ${ev.leader} under dek ${ev.dekId}: ${ev.row === undefined ? 'no row in its slot' : 'a row in its slot'}, ${ev.decision}`, ev.decision === 'refuse' ? 'halt' : 'workload');
    case 'add-node':
      return d('add-node', describeAddedId(ev.fullNodeId), 'workload');
    case 'nonce':
      return d('nonce', `dek ${ev.dekId} ${hex16(ev.nodeId16)}/e${ev.epoch}/#${ev.writeCount} (${ev.proposal === true ? 'sealed proposal' : 'entry'} #${ev.index})`, 'workload');
    default:
      // Exhaustive today; a kind added to the contract later lands here.
      return describeUnknown(ev as unknown as { kind: string });
  }
}

function describeApply(ev: Extract<TraceEvent, { kind: 'apply' }>, names: NodeNames): EventDescription {
  const entry = describeEntry(ev.entryHex, names);
  const plainKv = ev.result.kind === 'kv' && entry.startsWith('kv ');
  const outcome = plainKv ? '' : ` → ${describeResult(ev.result)}`;
  return { verb: 'apply', text: `#${ev.index} t${ev.term} ${entry}${outcome}`, tone: resultTone(ev.result) };
}

function describePartition(groups: readonly (readonly string[])[], oneWay?: { from: string; to: string }): string {
  if (oneWay) return `drop ${oneWay.from} → ${oneWay.to} (one-way)`;
  return `partition ${describeGroups(groups)}`;
}

function describeAddedId(fullNodeId: string): string {
  const full = parseFullId(fullNodeId);
  return full !== undefined ? `full ${fullIdHex(full)} (slot ${hex16(low16(full))})` : `full ${showFullId(fullNodeId)}`;
}

/** A kind this module does not know yet: its fields, as JSON. */
function describeUnknown(ev: { kind: string }): EventDescription {
  const { kind, t: _t, node: _n, ...rest } = ev as { kind: string; t?: number; node?: string };
  return { verb: kind, text: JSON.stringify(rest), tone: 'frame' };
}
