// What a start-up guard pass read and decided, as one `guard-check` trace
// event: the guards judged (in order, up to the first that refused), their
// inputs (the node's full id, the epochs before and after the bump, the
// members or registry rows it compared against, the sidecar epochs the
// rollback guard read) and the refusal. The oracle re-judges §9.1 on exactly
// these inputs (src/model/invariants/guard-decisions.ts), so a guard that
// lets a node through that it must stop is caught even when the applier's
// halt later fails the node closed.
import { fullIdHex } from '../../trace/ids.ts';
import type { GuardName, TraceEvent, TraceRow } from '../../trace/types.ts';
import type { Refusal } from './guards.ts';
import type { GuardPolicy } from './policy.ts';
import type { RegistryView } from './registry-view.ts';

type GuardCheckEvent = Extract<TraceEvent, { kind: 'guard-check' }>;

export class GuardCheck {
  private readonly guards: GuardName[] = [];
  private epoch: number | undefined;
  private envelope: boolean | undefined;
  private cutover: { snapshot: number; sidecar: number } | undefined;
  private members: { fullNodeId: string; node: string }[] | undefined;
  private view: { rows: TraceRow[]; through?: number; compare?: GuardPolicy['compare']; sidecar?: Record<string, number> } | undefined;

  constructor(
    readonly node: string,
    private readonly fullNodeId: bigint,
    private readonly dekId: number,
    private readonly epochBefore: number,
  ) {}

  /** fsm 'main', row 1: the raft cutover index of the newest local snapshot's header and of the sidecar. */
  cutoverDivergence(cutover: { snapshot: number; sidecar: number }, refusal: Refusal | undefined): Refusal | undefined {
    this.guards.push('cutover-divergence');
    this.cutover = cutover;
    return refusal;
  }

  exhaustion(refusal: Refusal | undefined): Refusal | undefined {
    this.guards.push('exhaustion');
    return refusal;
  }

  /** fsm 'main', row 10's own check on the epoch it bumps from. */
  bumpExhausted(refusal: Refusal | undefined): Refusal | undefined {
    this.guards.push('bump-exhausted');
    return refusal;
  }

  bumped(epoch: number): void {
    this.epoch = epoch;
  }

  memberCollision(members: readonly { raftId: string; fullNodeId: bigint }[], refusal: Refusal | undefined): Refusal | undefined {
    this.guards.push('member-collision');
    this.members = members.map((m) => ({ fullNodeId: fullIdHex(m.fullNodeId), node: m.raftId }));
    return refusal;
  }

  /** The registry guards read `view`: its rows, and (caught up) the committed index they are the registry of. */
  read(view: RegistryView): void {
    this.view = { rows: [...view.stored], ...(view.through !== undefined ? { through: view.through } : {}) };
  }

  /** fsm 'main', row 9: the node's own row as the disk holds it (absent: none) and the sidecar's envelope flag. */
  ownRow(row: TraceRow | undefined, envelope: boolean, refusal: Refusal | undefined): Refusal | undefined {
    this.guards.push('own-row-pre-bump');
    this.view = { rows: row === undefined ? [] : [row] };
    this.envelope = envelope;
    return refusal;
  }

  registryCollision(refusal: Refusal | undefined): Refusal | undefined {
    this.guards.push('registry-collision');
    return refusal;
  }

  rollback(compare: GuardPolicy['compare'], sidecar: Record<string, number>, refusal: Refusal | undefined): Refusal | undefined {
    this.guards.push('rollback');
    if (this.view !== undefined) Object.assign(this.view, { compare, sidecar });
    return refusal;
  }

  /** The event, or undefined when no guard was judged (keys in canonical order). */
  event(t: number, refusal: Refusal | undefined): GuardCheckEvent | undefined {
    if (this.guards.length === 0) return undefined;
    const v = this.view;
    return {
      ...(v?.compare !== undefined ? { compare: v.compare } : {}),
      ...(this.cutover !== undefined ? { cutover: this.cutover } : {}),
      dekId: this.dekId,
      ...(this.epoch !== undefined ? { epoch: this.epoch } : {}),
      ...(this.envelope !== undefined ? { envelope: this.envelope } : {}),
      epochBefore: this.epochBefore,
      fullNodeId: fullIdHex(this.fullNodeId),
      guards: this.guards,
      kind: 'guard-check',
      ...(this.members !== undefined ? { members: this.members } : {}),
      node: this.node,
      // A refusal ends the pass: the refusing guard is the last one judged.
      ...(refusal !== undefined ? { refused: this.guards[this.guards.length - 1] } : {}),
      ...(v !== undefined ? { rows: v.rows } : {}),
      ...(v?.sidecar !== undefined ? { sidecar: v.sidecar } : {}),
      t,
      ...(v?.through !== undefined ? { through: v.through } : {}),
    };
  }
}
