// §7.0 no-nonce-reuse, the counter's half: a process's nonces are
// (nodeId16 ‖ epoch ‖ write_count) with write_count counting its
// encryptions, from the first value on, one by one. Stage 6A counts from 0
// per DEK (a DEK switch bumps the epoch and starts again); production main
// counts from 1 per process across its storage rotations (§5.8: a rotation
// keeps the epoch and the count), and its raft seals on a counter of their
// own, from 1 per process across raft rotations. A counter that starts elsewhere or skips is not yet a reuse, but it is
// the counter a reuse comes from: a count carried over to a new (DEK, epoch),
// or started below the first value, is one an earlier process may have used.
// A process ends at a crash, a halt, a refusal, an exit or a restore
// (processEndedBy); its successor counts again.
// One violation per node and counter. Code: 'write-count-sequence'.
import type { TraceEvent } from '../../trace/types.ts';
import { processEndedBy } from './node-states.ts';

export interface WriteCountFinding {
  eventIndex: number;
  node: string;
  message: string;
}

export function writeCountFindings(trace: readonly TraceEvent[]): WriteCountFinding[] {
  const start = trace[0];
  const main = start?.kind === 'run-start' && start.fsm === 'main';
  const first = main ? 1n : 0n;
  const out: WriteCountFinding[] = [];
  /** node -> counter -> the last write_count its process used. */
  const last = new Map<string, Map<string, bigint>>();
  const reported = new Set<string>();
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    const ended = processEndedBy(ev);
    if (ended !== undefined) {
      last.delete(ended);
      continue;
    }
    switch (ev.kind) {
      case 'nonce': {
        const counter = ev.proposal === true ? 'raft' : main ? 'storage' : `dek ${ev.dekId}`;
        let counters = last.get(ev.node);
        if (counters === undefined) last.set(ev.node, (counters = new Map()));
        const before = counters.get(counter);
        const count = BigInt(ev.writeCount);
        counters.set(counter, count);
        const due = before === undefined ? first : before + 1n;
        if (count === due || reported.has(`${ev.node}|${counter}`)) break;
        reported.add(`${ev.node}|${counter}`);
        const after = before === undefined ? `its process's first under that counter (${counter})` : `its last under ${counter} was ${before}`;
        out.push({
          eventIndex: e,
          node: ev.node,
          message: `${ev.node} sealed index ${ev.index} with write_count ${count} under dek ${ev.dekId} at epoch ${ev.epoch}, but ${after}: it must be ${due}`,
        });
        break;
      }
      default:
        break;
    }
  }
  return out;
}
