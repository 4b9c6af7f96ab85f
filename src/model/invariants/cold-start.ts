// Production main's cold start, as the oracle predicts it from the trace
// (addendum §3.1-§3.2), for runs whose run-start says `coldStart:
// 'durable-applied-index'`. Per node it follows the durable applied index M
// the engine should hold: a successful data write (an apply that comes back
// as a KV write, opcode 0x00/0x01) moves M to its index; a local snapshot
// records the image's M (as it was) and then raises M to its index; an
// installed snapshot brings the M its image carried; a restore brings back
// the backup's; nothing else moves it (registrations, bootstraps, rotations,
// HLC leases, empty entries, halts). At a restart it predicts the mode and
// the initial applied index A0 the engine must choose (a member of the
// initial cluster has the initial snapshot, of the empty state, until it
// takes one: run-start `initialSnapshot`).
import type { ColdStartMode, TraceEvent } from '../../trace/types.ts';

export interface PredictedStart {
  mode: ColdStartMode;
  appliedIndex: number;
}

/** M per node, and the M each node's snapshot images carry (by snapshot index). */
export class DurableIndexModel {
  private readonly m = new Map<string, number | undefined>();
  private readonly images = new Map<string, Map<number, number | undefined>>();
  private readonly backups = new Map<string, number | undefined>();

  /** Updates M for `ev` (call for every event, after judging a restart against `predict`). */
  observe(ev: TraceEvent): void {
    switch (ev.kind) {
      case 'apply':
        if (ev.result.kind === 'kv' && ev.result.opcode <= 0x01) this.m.set(ev.node, ev.index);
        return;
      case 'snapshot-take': {
        const m = this.m.get(ev.node);
        this.image(ev.node).set(ev.index, m);
        this.m.set(ev.node, Math.max(m ?? 0, ev.index));
        return;
      }
      case 'snapshot-install': {
        const carried = this.images.get(ev.from)?.get(ev.index);
        this.image(ev.node).set(ev.index, carried);
        this.m.set(ev.node, carried);
        return;
      }
      case 'snapshot-persist':
        // The node's newest snapshot, with the image's M; its store (and M) are as they were.
        this.image(ev.node).set(ev.index, this.images.get(ev.from)?.get(ev.index));
        return;
      case 'restart':
        if (ev.coldStart === 'restore') this.m.set(ev.node, this.images.get(ev.node)?.get(ev.appliedIndex));
        return;
      case 'backup':
        this.backups.set(ev.name, this.m.get(ev.node));
        return;
      case 'restore':
        this.m.set(ev.node, ev.name === undefined ? undefined : this.backups.get(ev.name));
        return;
      default:
        return;
    }
  }

  /** The cold start a restart of `node` must make, with its newest local snapshot at `snapshot` (undefined: none; 0: the initial one, of the empty state). */
  predict(node: string, snapshot: number | undefined): PredictedStart {
    if (snapshot === undefined) return { mode: 'none', appliedIndex: 0 };
    const m = this.m.get(node);
    return m !== undefined && m >= snapshot ? { mode: 'skip', appliedIndex: m } : { mode: 'restore', appliedIndex: snapshot };
  }

  private image(node: string): Map<number, number | undefined> {
    let m = this.images.get(node);
    if (m === undefined) this.images.set(node, (m = new Map()));
    return m;
  }
}
