// The client side of the cluster: a proposal goes to the node the client
// thinks leads, follows "not leader, try X" redirects, and, if no leader
// applies it before its time-out, is retried elsewhere as a new proposal: the
// old attempt may still commit, so one request can commit twice (the
// duplicates spec §5 warns of). A proposal is done once the leader that
// accepted an attempt applies that attempt's entry (the client got its answer).
import { fromHex, toHex } from '../../applier/hex.ts';
import { entryDigest } from '../../trace/digest.ts';
import type { Bytes, ClientParams } from '../config.ts';
import type { SimNode } from '../process/node.ts';
import type { Entry } from '../raft/log.ts';
import type { TraceRecorder } from '../trace.ts';

export interface ProposeOptions {
  /** The node the client sends to first (default: the node it last saw lead). */
  node?: string;
  /** Base of the trace's requestId (default `p<n>`); attempt k is `<base>#<k>`. */
  requestId?: string;
  maxAttempts?: number;
  /** An attempt was accepted by leader `node` (a `propose` event was recorded). */
  onAttempt?(attempt: number, node: string, requestId: string): void;
  /** The accepting leader applied the entry (the client got its answer). */
  onApplied?(index: number, node: string): void;
  /** Every attempt timed out. */
  onGiveUp?(): void;
  /** Checked before each submission: false drops the proposal for good (its client process is gone). */
  wanted?(): boolean;
}

/** What a proposal attempt leaves on the entry it created (Entry.origin). */
interface EntryOrigin {
  proposalId: number;
  attempt: number;
  node: SimNode;
  incarnation: number;
}

/** A client request, retried as new proposals until one is applied at the leader that took it. */
class Proposal {
  attempt = 0;
  done = false;
  accepted: EntryOrigin | null = null;
  deadline = 0;
  constructor(
    readonly id: number,
    readonly base: string,
    readonly data: Uint8Array,
    readonly dataHex: string,
    readonly digest: string,
    readonly maxAttempts: number,
    public target: number,
    readonly opts: ProposeOptions,
  ) {}
}

/** What the clients need from the simulator. */
export interface ClientEnv {
  readonly nodes: readonly SimNode[];
  readonly trace: TraceRecorder;
  readonly clientParams: ClientParams;
  /** Whether the engine applies ahead of commit (a broken variant: a new entry must reach its apply loop). */
  readonly appliesUncommitted: boolean;
  now(): number;
  node(name: string): SimNode;
  /** Runs `fn` at virtual time `time` (after everything already scheduled for it). */
  at(time: number, fn: () => void): void;
  /** Leader `node` is about to take `data`: 'refuse' turns the client away (it asks again after a redirect delay). */
  mayPropose(node: SimNode, data: Uint8Array): 'refuse' | undefined;
  /** Leader `node` took `data` at `index` (after its `propose` event was recorded). */
  proposed(node: SimNode, data: Uint8Array, index: number): void;
}

export interface ClientStats {
  proposals: number;
  accepted: number;
  applied: number;
  givenUp: number;
}

export class Clients {
  readonly stats: ClientStats = { proposals: 0, accepted: 0, applied: 0, givenUp: 0 };
  private nextProposalId = 1;
  /** The node a client last saw accept a proposal as leader. */
  private clientLeader = 0;
  // Proposals are found through the entry's origin; keep a small index by id.
  private readonly live = new Map<number, Proposal>();

  constructor(private readonly env: ClientEnv) {}

  /** A client proposal: goes to the leader (following redirects), retried as a new proposal after a timeout. */
  propose(data: Bytes, opts: ProposeOptions = {}): void {
    const env = this.env;
    // An empty entry is allowed: it commits like any other and the engine skips it, as it skips Raft's no-ops.
    const bytes = typeof data === 'string' ? fromHex(data) : data.slice();
    const id = this.nextProposalId++;
    const target = opts.node !== undefined ? env.node(opts.node).idx : this.clientLeader;
    const p = new Proposal(
      id,
      opts.requestId ?? `p${id}`,
      bytes,
      toHex(bytes),
      entryDigest(bytes),
      opts.maxAttempts ?? env.clientParams.maxAttempts,
      target,
      opts,
    );
    this.stats.proposals++;
    this.live.set(id, p);
    this.startAttempt(p);
  }

  /** Called by a node's apply loop for an entry a client proposed. */
  entryApplied(node: SimNode, entry: Entry): void {
    const origin = entry.origin as EntryOrigin;
    if (origin.node !== node || origin.incarnation !== node.incarnation) return;
    const p = this.live.get(origin.proposalId);
    if (p === undefined || p.done || p.attempt !== origin.attempt) return;
    this.live.delete(p.id);
    p.done = true;
    this.stats.applied++;
    p.opts.onApplied?.(entry.index, node.name);
  }

  private startAttempt(p: Proposal): void {
    p.attempt++;
    p.accepted = null;
    p.deadline = this.env.now() + this.env.clientParams.proposalTimeoutMs;
    const attempt = p.attempt;
    this.env.at(p.deadline, () => this.attemptTimedOut(p, attempt));
    this.submit(p);
  }

  private submit(p: Proposal): void {
    const env = this.env;
    if (p.done || p.accepted !== null) return;
    if (p.opts.wanted?.() === false) {
      p.done = true;
      this.live.delete(p.id);
      return;
    }
    const node = env.nodes[p.target] as SimNode;
    const raft = node.raft;
    if (raft !== null && node.isLeader()) {
      if (env.mayPropose(node, p.data) === 'refuse') return this.submitLater(p);
      const origin: EntryOrigin = { proposalId: p.id, attempt: p.attempt, node, incarnation: node.incarnation };
      const entry = raft.propose(
        (index, term): Entry => ({ index, term, data: p.data, hex: p.dataHex, digest: p.digest, origin }),
      );
      if (entry === null) return;
      p.accepted = origin;
      this.clientLeader = node.idx;
      this.stats.accepted++;
      const requestId = `${p.base}#${p.attempt}`;
      env.trace.record({ entryHex: p.dataHex, kind: 'propose', node: node.name, requestId, t: env.now() });
      env.proposed(node, p.data, entry.index);
      p.opts.onAttempt?.(p.attempt, node.name, requestId);
      node.stepDone();
      if (node.applyPending || env.appliesUncommitted) node.runApply();
      return;
    }
    // Not the leader (or down): follow its hint, else try the next node.
    const hint = raft !== null ? raft.leader : -1;
    p.target = hint >= 0 && hint !== node.idx ? hint : (p.target + 1) % env.nodes.length;
    this.submitLater(p);
  }

  /** Submits `p` again after a redirect delay, if its attempt has not timed out by then. */
  private submitLater(p: Proposal): void {
    const at = this.env.now() + this.env.clientParams.redirectDelayMs;
    const attempt = p.attempt;
    if (at < p.deadline) {
      this.env.at(at, () => {
        if (!p.done && p.attempt === attempt) this.submit(p);
      });
    }
  }

  private attemptTimedOut(p: Proposal, attempt: number): void {
    if (p.done || attempt !== p.attempt) return;
    if (p.attempt >= p.maxAttempts) {
      p.done = true;
      this.live.delete(p.id);
      this.stats.givenUp++;
      p.opts.onGiveUp?.();
      return;
    }
    // Retry at another node; a retry is a new proposal (the old one may still commit).
    if (p.accepted !== null) p.target = (p.accepted.node.idx + 1) % this.env.nodes.length;
    this.startAttempt(p);
  }
}
