// §7.2 no-silent-rollback, the sidecar half: the local epoch a process bumped
// to, registered under or encrypted under is on its disk when the node next
// starts. §1 makes the bump durable before the first registration or
// encryption under it, so a start that reads a lower epoch on the same disk
// read a synced write that did not survive (a bump left unsynced, written
// late, or written after the registration it guards). Such a start bumps to
// an epoch its predecessor already used: its nonces repeat, or, if its rollback
// guard sees the row, the node is refused for a rollback nobody made.
// The disk is another one after a restore (an operator rewind) and on a fresh
// member; production main's bootstrap and rotation applies (0x04/0x05) write
// local_epoch themselves (the bootstrap replay trap, which rows 12 and 13
// judge): each of these forgets what the node used, as a bump that wraps the
// u16 to 0 does (the exhaustion guard off; the applier's rollback halt judges it).
// One violation per start. Code: 'epoch-lost'.
import type { TraceEvent } from '../../trace/types.ts';
import { SIDECAR_OPCODES } from './node-states.ts';

export interface EpochLossFinding {
  eventIndex: number;
  node: string;
  message: string;
}

/** The highest epoch a node used under one DEK, and where the trace shows it. */
interface Used {
  epoch: number;
  eventIndex: number;
  how: string;
}

export function epochLossFindings(trace: readonly TraceEvent[]): EpochLossFinding[] {
  const disks = new DiskEpochs();
  const out: EpochLossFinding[] = [];
  for (let e = 0; e < trace.length; e++) {
    const lost = disks.step(trace[e] as TraceEvent, e);
    if (lost !== undefined) out.push({ eventIndex: e, node: (trace[e] as { node: string }).node, message: lost });
  }
  return out;
}

/** Per node, what its present disk has been used at, followed event by event. */
class DiskEpochs {
  /** node -> dekId -> the highest epoch used. */
  private readonly used = new Map<string, Map<number, Used>>();
  /**
   * node -> its latest run of consecutive epoch bumps, not yet counted in
   * `used`: a start bumps (main: its storage and raft epochs), then its
   * guard-check reads the sidecar as it was before them.
   */
  private readonly run = new Map<string, (Used & { dekId: number })[]>();
  /** node -> the kind of its last event. */
  private readonly lastKind = new Map<string, string>();
  /** The nodes whose present start was judged: a policy that checks again once caught up checks the same start. */
  private readonly judged = new Set<string>();

  /** Takes in one event; for a start that read below what its disk used, says so. */
  step(ev: TraceEvent, e: number): string | undefined {
    if (!('node' in ev)) return undefined;
    const after = this.lastKind.get(ev.node);
    this.lastKind.set(ev.node, ev.kind);
    switch (ev.kind) {
      case 'epoch-bump': {
        const bump = { dekId: ev.dekId, epoch: ev.epoch, eventIndex: e, how: 'bumped to' };
        // A crash loop's bump ended its start.
        if (ev.starts !== undefined) return void this.use(ev.node, ev.dekId, bump);
        if (after !== 'epoch-bump') this.foldRun(ev.node);
        this.run.set(ev.node, [...(this.run.get(ev.node) ?? []), bump]);
        return undefined;
      }
      case 'register-propose':
        return void this.use(ev.node, ev.dekId, { epoch: ev.epoch, eventIndex: e, how: 'registered' });
      case 'nonce':
        return void this.use(ev.node, ev.dekId, { epoch: ev.epoch, eventIndex: e, how: 'encrypted under' });
      case 'crash':
      case 'restart':
        return void this.judged.delete(ev.node);
      case 'restore':
      case 'add-node':
        return void this.forget(ev.node);
      case 'apply':
        // Even one that halts: main's bootstrap may have rewritten the sidecar before the registry read that halted it.
        if (SIDECAR_OPCODES.has(ev.entryHex.slice(0, 2))) this.forget(ev.node);
        return undefined;
      case 'guard-check':
        return this.judge(ev, after === 'epoch-bump');
      default:
        return undefined;
    }
  }

  private judge(ev: Extract<TraceEvent, { kind: 'guard-check' }>, afterBumps: boolean): string | undefined {
    const own = afterBumps && !this.judged.has(ev.node) ? (this.run.get(ev.node) ?? []) : [];
    if (own.length === 0) this.foldRun(ev.node);
    this.run.delete(ev.node);
    if (this.judged.has(ev.node)) return undefined;
    this.judged.add(ev.node);
    const lost = lostEpoch(ev, this.used.get(ev.node));
    for (const b of own) this.use(ev.node, b.dekId, b);
    return lost;
  }

  private use(node: string, dekId: number, u: Used): void {
    let deks = this.used.get(node);
    if (deks === undefined) this.used.set(node, (deks = new Map()));
    const before = deks.get(dekId);
    // A bump to 0 is the u16 wrapping (the exhaustion guard off): the disk holds 0 from then on.
    const wrapped = u.how === 'bumped to' && u.epoch === 0;
    if (before === undefined || u.epoch > before.epoch || wrapped) deks.set(dekId, u);
  }

  private foldRun(node: string): void {
    for (const b of this.run.get(node) ?? []) this.use(node, b.dekId, b);
    this.run.delete(node);
  }

  private forget(node: string): void {
    this.used.delete(node);
    this.run.delete(node);
    this.judged.delete(node);
  }
}

/** What a start read below what its disk used, if it did: the active DEK's epoch and the others the rollback guard read. */
function lostEpoch(ev: Extract<TraceEvent, { kind: 'guard-check' }>, used: ReadonlyMap<number, Used> | undefined): string | undefined {
  if (used === undefined) return undefined;
  const read: [number, number][] = [[ev.dekId, ev.epochBefore], ...Object.entries(ev.sidecar ?? {}).map(([d, epoch]): [number, number] => [Number(d), epoch])];
  for (const [dekId, epoch] of read) {
    const u = used.get(dekId);
    if (u === undefined || epoch >= u.epoch) continue;
    return `${ev.node} started reading local_epoch ${epoch} under dek ${dekId} from its sidecar, below the epoch ${u.epoch} it ${u.how} at event #${u.eventIndex} on the same disk: a synced epoch did not survive (§1: the bump is durable before the node registers or encrypts under it)`;
  }
  return undefined;
}
