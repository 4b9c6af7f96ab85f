// The consensus state machine of one node, modelled on etcd raft: follower /
// candidate / leader, randomized election timeouts, RequestVote with the
// up-to-date check, AppendEntries with the log-matching check and conflict
// truncation, the commit rule (a leader commits only an entry of its own term,
// by counting replicas), InstallSnapshot for followers that need compacted
// entries, per-peer probe/replicate/snapshot flow control, CheckQuorum and
// PreVote, and membership changes through the log, one at a time (conf.ts).
// Persistent state (term, vote, commit, log) lives on the node's Disk and is
// written synced. Everything else here is volatile and dies with the process.
// The node (node.ts) provides the RaftHost: clock, network, timers, trace,
// and the state machine side of snapshots.
import type { TraceEvent } from '../../trace/types.ts';
import { applyChange, changes, foldConf, isMember, isVoter, quorumOf } from './conf.ts';
import type { Conf, ConfChange } from './conf.ts';
import type { Entry, RaftDiskState, Snapshot } from './log.ts';

export const MSG_VOTE = 0;
export const MSG_VOTE_RESP = 1;
export const MSG_APP = 2;
export const MSG_APP_RESP = 3;
export const MSG_SNAP = 4;
export const MSG_PREVOTE = 5;
export const MSG_PREVOTE_RESP = 6;

/**
 * One Raft message. One class with every field keeps V8's property access
 * monomorphic. A message in flight is itself the event-queue item that
 * delivers it (time, seq, etype), which saves an allocation per message.
 */
export class Message {
  time = 0;
  seq = 0;
  /** Event type for the simulator's queue: 0 = deliver. */
  readonly etype = 0;
  constructor(
    public type: number,
    public from: number,
    public to: number,
    public term: number,
    /** VOTE: candidate's last index; APP: prevIndex; APP_RESP: match index or rejected prevIndex. */
    public index: number,
    /** VOTE: candidate's last term; APP: prevTerm; APP_RESP reject: the term at the hint in the follower's log. */
    public logTerm: number,
    public entries: Entry[] | null,
    public commit: number,
    /** VOTE_RESP / APP_RESP: rejected? */
    public reject: boolean,
    /** APP_RESP reject: the follower's hint (an index the leader may retry after). */
    public hint: number,
    public snapshot: Snapshot | null,
  ) {}

  clone(): Message {
    return new Message(
      this.type,
      this.from,
      this.to,
      this.term,
      this.index,
      this.logTerm,
      this.entries,
      this.commit,
      this.reject,
      this.hint,
      this.snapshot,
    );
  }
}

export interface RaftHost {
  now(): number;
  record(event: TraceEvent): void;
  /** Sends `msg`, once this step's writes that must be durable first are (etcd's Ready: persist, then send). */
  send(msg: Message): void;
  /** Make this step's writes durable now (fsync). False: the node crashed doing it (a crash point, a failed fsync). */
  persisted(): boolean;
  /** A freshly drawn election timeout (ms). */
  electionTimeout(): number;
  /** The election deadline moved to `deadline`: make sure a timer fires by then. */
  armElectionTimer(deadline: number): void;
  /** This node granted its vote in the current term (the response is sent). */
  voted(): void;
  /** This follower acknowledged log entries it just appended, from index `from` on (the response is sent). */
  acked(): void;
  /** This node just became leader: start its heartbeat timer. */
  startHeartbeat(): void;
  /** This node won an election: its empty entry is appended, not yet sent. */
  elected(): void;
  /** The commit index advanced: run the apply loop. */
  committed(): void;
  /** The node's latest local snapshot (for a follower that needs compacted entries). */
  latestSnapshot(): Snapshot | null;
  /**
   * Make `snap`, received from node `from`, the node's persisted snapshot
   * (Raft's storage, with the log reset below). False: the node crashed right
   * after (a crash point), before its state machine took the snapshot.
   */
  persistSnapshot(snap: Snapshot, from: number): boolean;
  /** Replace the state machine by `snap` received from node `from`. False: the node crashed doing it (a crash point). */
  installSnapshot(snap: Snapshot, from: number): boolean;
  /** A leader's empty entry. */
  noop(index: number, term: number): Entry;
  /** A configuration entry carrying `change` (conf.ts). */
  confEntry(index: number, term: number, change: ConfChange): Entry;
  nodeName(index: number): string;
}

export interface RaftOptions {
  maxBatch: number;
  /**
   * PreVote (etcd's PreVote): a node whose election timer fires first asks
   * the voters whether they would vote for it in the next term, without
   * raising its own term; only with a majority of yes does it campaign. A
   * voter says yes only to an up-to-date log. So a node with a stale log, or
   * cut off and back, cannot force elections on a healthy cluster. The vote
   * lease (step) is on with PreVote and without it.
   */
  preVote: boolean;
  /**
   * CheckQuorum: a leader steps down when it has not heard from a quorum of
   * voters within the minimum election timeout.
   */
  checkQuorum: boolean;
  /** Broken variant: a leader commits what it has without waiting for a majority. */
  commitWithoutMajority: boolean;
  /** Broken variant: an entry of an earlier term commits once a majority holds it (no current-term check). */
  commitOldTerm?: boolean;
  /**
   * The cluster's configuration before any configuration entry (conf.ts):
   * voters, and learners, which replicate and apply but never vote, campaign
   * or count toward a quorum. A slot in neither is not a member (yet).
   */
  initialConf: Conf;
  /** Broken variant: a leader proposes a configuration change while an earlier one is still uncommitted. */
  concurrentConfChanges?: boolean;
  /** Broken variant: learners' acknowledgements count toward the commit majority. */
  learnerCountsInQuorum?: boolean;
  /** Broken variant: a conflict truncation keeps the configuration; appended configuration entries are applied on top of it. */
  truncationKeepsConf?: boolean;
  /** Broken variant: a learner's election timer fires as a voter's does (no promotable check). */
  learnerCampaigns?: boolean;
  /** Broken variant: the state machine takes an installed snapshot before Raft persists it. */
  installBeforePersist?: boolean;
  /** Broken variant: a stale append acknowledgement (duplicated or reordered) begets an append, as any other. */
  staleAckResends?: boolean;
}

export const FOLLOWER = 0;
export const CANDIDATE = 1;
export const LEADER = 2;
export const PRE_CANDIDATE = 3;

const PROBE = 0;
const REPLICATE = 1;
const SNAPSHOT = 2;

export class RaftNode {
  role = FOLLOWER;
  /** Known leader of the current term, or -1. */
  leader = -1;
  electionDeadline = 0;
  private readonly n: number;
  /** The configuration of this node's log (its last configuration entry, committed or not). */
  private conf!: Conf;
  private quorum!: number;
  private readonly peers: number[];
  // candidate
  private granted = 0;
  private rejected = 0;
  private voters: boolean[];
  // leader
  private next: number[];
  private match: number[];
  private state: number[];
  private paused: boolean[];
  private pendingSnapshot: number[];
  private active: boolean[];
  private quorumCheckAt = 0;
  /** When this node last heard from the leader of its term (the vote lease). */
  private leaderContactAt = Number.NEGATIVE_INFINITY;
  private readonly scratch: number[];
  private readonly electionMin: number;

  constructor(
    readonly id: number,
    readonly name: string,
    n: number,
    /** The node's disk: mutated in place (synced writes). */
    readonly hs: RaftDiskState,
    private readonly host: RaftHost,
    private readonly opts: RaftOptions,
    electionMin: number,
  ) {
    this.n = n;
    this.refreshConf();
    this.peers = [];
    for (let i = 0; i < n; i++) if (i !== id) this.peers.push(i);
    this.voters = new Array<boolean>(n).fill(false);
    this.next = new Array<number>(n).fill(0);
    this.match = new Array<number>(n).fill(0);
    this.state = new Array<number>(n).fill(PROBE);
    this.paused = new Array<boolean>(n).fill(false);
    this.pendingSnapshot = new Array<number>(n).fill(0);
    this.active = new Array<boolean>(n).fill(false);
    this.scratch = new Array<number>(n).fill(0);
    this.electionMin = electionMin;
    this.resetElectionTimer();
  }

  // --- log access -----------------------------------------------------------

  get commit(): number {
    return this.hs.commit;
  }

  lastIndex(): number {
    return this.hs.offset + this.hs.entries.length;
  }

  /** Term of the entry at `i`; -1 if compacted away (below offset) or beyond the log. */
  termAt(i: number): number {
    const hs = this.hs;
    if (i === hs.offset) return hs.offsetTerm;
    if (i < hs.offset) return -1;
    const e = hs.entries[i - hs.offset - 1];
    return e === undefined ? -1 : e.term;
  }

  entryAt(i: number): Entry | undefined {
    return this.hs.entries[i - this.hs.offset - 1];
  }

  /** The configuration at `index` (at or past the offset): what a snapshot there carries. */
  confAt(index: number): Conf {
    const hs = this.hs;
    return foldConf(hs.confBase ?? this.opts.initialConf, hs.entries, Math.min(Math.max(0, index - hs.offset), hs.entries.length));
  }

  /** The configuration as of the commit index: the latest one unless a configuration entry is still uncommitted. */
  committedConf(): Conf {
    return this.confPending() ? this.confAt(this.hs.commit) : this.conf;
  }

  /** Whether the log holds a configuration entry past the commit index (the uncommitted tail is short: no fold of the log). */
  private confPending(): boolean {
    for (let i = this.hs.commit + 1; i <= this.lastIndex(); i++) if (this.entryAt(i)?.conf !== undefined) return true;
    return false;
  }

  /** The configuration of this node's log: its last configuration entry's, committed or not. */
  latestConf(): Conf {
    return this.conf;
  }

  /** A leader's view of how much of its log `slot` holds. */
  matchOf(slot: number): number {
    return this.match[slot] as number;
  }

  /** After the log lost or replaced entries: the configuration is its last configuration entry's again. */
  private refreshConf(): void {
    this.setConf(foldConf(this.hs.confBase ?? this.opts.initialConf, this.hs.entries));
  }

  private setConf(conf: Conf): void {
    this.conf = conf;
    this.quorum = quorumOf(conf);
  }

  /** Drops entries up to `index` (inclusive) after a snapshot at `index` of term `term`. */
  compact(index: number, term: number): void {
    const hs = this.hs;
    if (index <= hs.offset) return;
    hs.confBase = this.confAt(index);
    hs.entries = hs.entries.slice(Math.min(index - hs.offset, hs.entries.length));
    hs.offset = index;
    hs.offsetTerm = term;
  }

  // --- timers -----------------------------------------------------------------

  private resetElectionTimer(): void {
    this.electionDeadline = this.host.now() + this.host.electionTimeout();
    this.host.armElectionTimer(this.electionDeadline);
  }

  /** The election timer fired (the caller checked the deadline). */
  tickElection(): void {
    // A node whose own removal is appended but not committed still campaigns
    // (counting only the voters of its latest configuration, itself not among
    // them): it may hold the only copy of that removal, and a leader that
    // stepped down before committing it would otherwise leave the cluster
    // with no one able to win (clean run 7140 of seed 20251202).
    if (this.role === LEADER) return;
    if (!this.opts.learnerCampaigns && !isVoter(this.conf, this.id) && !isVoter(this.committedConf(), this.id)) return;
    if (!this.rejoined()) {
      // Not yet: look again after another timeout (it may have caught up by then).
      this.resetElectionTimer();
      return;
    }
    if (this.opts.preVote) this.preCampaign();
    else this.campaign();
  }

  // A node whose disk was restored rejoins (hs.rejoin, see RejoinState): before
  // its Raft state was discarded it may have voted in any term up to
  // voteAboveTerm and acknowledged entries up to catchUpIndex that its log no
  // longer holds. So it votes only in later terms, judging a candidate's log
  // against the committed prefix (catchUpTerm, catchUpIndex) it is owed (a
  // vote a node holding exactly that prefix may give: Raft's election
  // restriction keeps committed entries), and it campaigns only once its own
  // commit index has reached catchUpIndex; then the marker is cleared (synced,
  // like all Raft state) and it is an ordinary voter again.

  /** True unless the node is still rejoining (clears the marker once it may). */
  private rejoined(): boolean {
    const r = this.hs.rejoin;
    if (r === undefined) return true;
    if (this.hs.term <= r.voteAboveTerm || this.hs.commit < r.catchUpIndex) return false;
    this.hs.rejoin = undefined;
    return true;
  }

  /** A rejoining node may vote in `term`, for a candidate whose log ends at (lastTerm, lastIndex)? */
  private rejoinVoteOk(term: number, lastTerm: number, lastIndex: number): boolean {
    if (this.rejoined()) return true;
    const r = this.hs.rejoin as NonNullable<RaftDiskState['rejoin']>;
    if (term <= r.voteAboveTerm) return false;
    return lastTerm > r.catchUpTerm || (lastTerm === r.catchUpTerm && lastIndex >= r.catchUpIndex);
  }

  /** The leader's heartbeat: resend what each peer is missing (or an empty append carrying the commit index). */
  tickHeartbeat(): void {
    if (this.role !== LEADER) return;
    const now = this.host.now();
    if (this.opts.checkQuorum && now >= this.quorumCheckAt) {
      // CheckQuorum: step down if a majority has not been heard from.
      let heard = isVoter(this.conf, this.id) ? 1 : 0;
      for (const p of this.peers) {
        if (this.active[p] && isVoter(this.conf, p)) heard++;
        this.active[p] = false;
      }
      this.quorumCheckAt = now + this.electionMin;
      if (heard < this.quorum) {
        this.becomeFollower(this.hs.term, -1);
        return;
      }
    }
    for (const p of this.peers) {
      this.paused[p] = false;
      if (isMember(this.conf, p)) this.sendAppend(p, true);
    }
  }

  // --- roles ------------------------------------------------------------------

  /**
   * `resetTimer` false: a follower or candidate keeps its election deadline
   * (Raft's Figure 2: the timer restarts only on an AppendEntries from the
   * current leader or on granting a vote). A leader stepping down always
   * arms a fresh one.
   */
  private becomeFollower(term: number, leader: number, resetTimer = true): void {
    const hs = this.hs;
    if (term > hs.term) {
      hs.term = term;
      hs.vote = -1;
    }
    const wasLeader = this.role === LEADER;
    this.role = FOLLOWER;
    this.leader = leader;
    if (resetTimer || wasLeader) this.resetElectionTimer();
  }

  /** PreVote: ask the voters about the next term without entering it. */
  private preCampaign(): void {
    this.startElection(PRE_CANDIDATE, MSG_PREVOTE, this.hs.term + 1, () => this.campaign());
  }

  private campaign(): void {
    const hs = this.hs;
    hs.term += 1;
    hs.vote = this.id;
    this.startElection(CANDIDATE, MSG_VOTE, hs.term, () => this.becomeLeader());
  }

  /** One round of (pre)votes for `term`: this node's own yes, then a request to every other voter; `won` when a quorum says yes. */
  private startElection(role: number, request: number, term: number, won: () => void): void {
    this.role = role;
    this.leader = -1;
    this.voters.fill(false);
    this.voters[this.id] = true;
    this.granted = isVoter(this.conf, this.id) ? 1 : 0;
    this.rejected = 0;
    this.resetElectionTimer();
    if (this.granted >= this.quorum) {
      won();
      return;
    }
    const last = this.lastIndex();
    const lastTerm = this.termAt(last);
    for (const p of this.peers) {
      if (!isVoter(this.conf, p)) continue;
      this.host.send(new Message(request, this.id, p, term, last, lastTerm, null, 0, false, 0, null));
    }
  }

  private becomeLeader(): void {
    const hs = this.hs;
    this.role = LEADER;
    this.leader = this.id;
    const now = this.host.now();
    this.host.record({ kind: 'became-leader', node: this.name, t: now, term: hs.term });
    const last = this.lastIndex();
    for (const p of this.peers) {
      this.next[p] = last + 1;
      this.match[p] = 0;
      this.state[p] = PROBE;
      this.paused[p] = false;
      this.active[p] = false;
    }
    this.quorumCheckAt = now + this.electionMin;
    this.host.startHeartbeat();
    // etcd appends an empty entry so that entries of earlier terms can commit.
    this.appendLocal(this.host.noop(last + 1, hs.term));
    this.host.elected();
    this.broadcast(true);
  }

  /** A client proposal at the leader. Returns the entry appended, or null if this node is not the leader. */
  propose(make: (index: number, term: number) => Entry): Entry | null {
    if (this.role !== LEADER) return null;
    const entry = make(this.lastIndex() + 1, this.hs.term);
    this.appendLocal(entry);
    this.broadcast(false);
    return entry;
  }

  /**
   * A membership change at the leader (null if this node is not the leader,
   * if the change changes nothing, or if an earlier change is not committed
   * yet: one at a time, as etcd requires).
   */
  proposeConf(change: ConfChange): Entry | null {
    if (this.role !== LEADER || !changes(this.conf, change)) return null;
    if (!this.opts.concurrentConfChanges && this.confPending()) return null;
    // Not before an entry of its own term is committed (etcd's pendingConfIndex at becomeLeader; the fix
    // of Ongaro's single-server change bug): an old leader's uncommitted change could otherwise still win
    // an election under a configuration whose majority misses this one's (clean run 1331 of seed 20250901).
    if (this.termAt(this.hs.commit) !== this.hs.term) return null;
    return this.propose((index, term) => this.host.confEntry(index, term, change));
  }

  private appendLocal(entry: Entry): void {
    this.hs.entries.push(entry);
    if (entry.conf !== undefined) {
      this.setConf(applyChange(this.conf, entry.conf));
    }
    this.host.record({
      digest: entry.digest,
      index: entry.index,
      kind: 'append',
      node: this.name,
      t: this.host.now(),
      term: entry.term,
    });
    this.maybeCommit();
  }

  // --- leader side of replication ----------------------------------------------

  private broadcast(allowEmpty: boolean): void {
    for (const p of this.peers) if (isMember(this.conf, p)) this.sendAppend(p, allowEmpty);
  }

  private sendAppend(p: number, allowEmpty: boolean): void {
    if (this.paused[p]) return;
    const hs = this.hs;
    const next = this.next[p] as number;
    if (next <= hs.offset || this.state[p] === SNAPSHOT) {
      this.sendSnapshot(p);
      return;
    }
    const last = this.lastIndex();
    const prevIndex = next - 1;
    let entries: Entry[] | null = null;
    if (next <= last) {
      const from = next - hs.offset - 1;
      entries = hs.entries.slice(from, Math.min(from + this.opts.maxBatch, hs.entries.length));
    } else if (!allowEmpty) {
      return;
    }
    this.host.send(
      new Message(MSG_APP, this.id, p, hs.term, prevIndex, this.termAt(prevIndex), entries, hs.commit, false, 0, null),
    );
    if (this.state[p] === REPLICATE) {
      if (entries !== null) this.next[p] = next + entries.length;
    } else {
      this.paused[p] = true;
    }
  }

  private sendSnapshot(p: number): void {
    const snap = this.host.latestSnapshot();
    if (snap === null) return; // cannot happen: the log is only compacted behind a snapshot
    this.state[p] = SNAPSHOT;
    this.pendingSnapshot[p] = snap.index;
    this.paused[p] = true;
    this.host.send(new Message(MSG_SNAP, this.id, p, this.hs.term, snap.index, snap.term, null, 0, false, 0, snap));
  }

  private maybeCommit(): void {
    const hs = this.hs;
    let candidate: number;
    if (this.opts.commitWithoutMajority) {
      candidate = this.lastIndex();
    } else {
      // The quorum-th largest match index (the leader's own is its last index):
      // an insertion sort into a scratch array, descending (n <= 7).
      const m = this.scratch;
      const n = this.n;
      let k = 0;
      const counted = this.opts.learnerCountsInQuorum ? this.conf.voters | this.conf.learners : this.conf.voters;
      for (let i = 0; i < n; i++) {
        if (((counted >> i) & 1) === 0) continue;
        const v = i === this.id ? this.lastIndex() : (this.match[i] as number);
        let j = k++;
        while (j > 0 && (m[j - 1] as number) < v) {
          m[j] = m[j - 1] as number;
          j--;
        }
        m[j] = v;
      }
      if (k < this.quorum) return; // no voter left (every one removed)
      candidate = m[this.quorum - 1] as number;
    }
    // Only an entry of the leader's own term commits by counting replicas (Raft §5.4.2, figure 8).
    if (candidate <= hs.commit || (this.termAt(candidate) !== hs.term && !this.opts.commitOldTerm)) return;
    this.commitTo(candidate);
    if (this.role !== LEADER) return;
    this.broadcast(true);
    // A leader that committed its own removal steps down (the Raft dissertation, §4.2.2).
    if (!isVoter(this.committedConf(), this.id)) this.becomeFollower(hs.term, -1);
  }

  private commitTo(index: number): void {
    const hs = this.hs;
    if (index <= hs.commit) return;
    const now = this.host.now();
    for (let i = hs.commit + 1; i <= index; i++) {
      const e = this.entryAt(i);
      if (e === undefined) continue;
      this.host.record({ digest: e.digest, index: i, kind: 'commit', node: this.name, t: now, term: e.term });
    }
    hs.commit = index;
    this.host.committed();
  }

  // --- message handling ---------------------------------------------------------

  step(m: Message): void {
    const hs = this.hs;
    const isVote = m.type === MSG_VOTE || m.type === MSG_PREVOTE;
    if (isVote && m.term > hs.term && this.inLease()) {
      // A leader is alive: a (pre)vote request for a later term is ignored,
      // its term not taken (the dissertation's §4.2.3, etcd's lease). Always on,
      // not only with CheckQuorum as etcd has it: a member whose removal is
      // appended hears no leader and campaigns, and without the lease its
      // terms depose every leader before the removal commits (clean run 88180
      // of seed 20250901, fixtures/regressions/removed-member-disrupts).
      return;
    }
    if (m.term > hs.term && (m.type === MSG_PREVOTE || (m.type === MSG_PREVOTE_RESP && !m.reject))) {
      // A PreVote round moves nobody's term: the request asks about term+1, and a yes answers in it.
    } else if (m.term > hs.term) {
      const leader = m.type === MSG_APP || m.type === MSG_SNAP ? m.from : -1;
      // A vote request (or a rejection) from a higher term moves this node to
      // that term without restarting its election timer (Figure 2): otherwise a
      // candidate whose log is too stale to win keeps pushing back the timers of
      // the nodes that could, and elections livelock (there is no PreVote).
      // Granting the vote restarts it (handleVote).
      const vote = m.type === MSG_VOTE || m.type === MSG_VOTE_RESP;
      this.becomeFollower(m.term, leader, !vote);
    } else if (m.term < hs.term) {
      // A stale leader learns the newer term from the rejection and steps down.
      if (m.type === MSG_APP || m.type === MSG_SNAP) {
        this.host.send(new Message(MSG_APP_RESP, this.id, m.from, hs.term, m.index, 0, null, 0, true, 0, null));
      } else if (m.type === MSG_VOTE || m.type === MSG_PREVOTE) {
        const resp = m.type === MSG_VOTE ? MSG_VOTE_RESP : MSG_PREVOTE_RESP;
        this.host.send(new Message(resp, this.id, m.from, hs.term, 0, 0, null, 0, true, 0, null));
      }
      return;
    }
    switch (m.type) {
      case MSG_VOTE:
        this.handleVote(m);
        break;
      case MSG_VOTE_RESP:
        this.handleVoteResp(m);
        break;
      case MSG_APP:
        this.handleAppend(m);
        break;
      case MSG_APP_RESP:
        this.handleAppendResp(m);
        break;
      case MSG_SNAP:
        this.handleSnapshot(m);
        break;
      case MSG_PREVOTE:
        this.handlePreVote(m);
        break;
      case MSG_PREVOTE_RESP:
        this.handlePreVoteResp(m);
        break;
    }
  }

  /** Has this node heard from a live leader within the minimum election timeout (or is it the leader)? */
  private inLease(): boolean {
    if (this.role === LEADER) return true;
    return this.leader !== -1 && this.host.now() - this.leaderContactAt < this.electionMin;
  }

  /** Would this node vote for the sender in term m.term? Nothing changes here: no term, no vote, no timer. */
  private handlePreVote(m: Message): void {
    const last = this.lastIndex();
    const lastTerm = this.termAt(last);
    const upToDate = m.logTerm > lastTerm || (m.logTerm === lastTerm && m.index >= last);
    const grant = upToDate && m.term > this.hs.term && this.rejoinVoteOk(m.term, m.logTerm, m.index);
    this.host.send(new Message(MSG_PREVOTE_RESP, this.id, m.from, grant ? m.term : this.hs.term, 0, 0, null, 0, !grant, 0, null));
  }

  private handlePreVoteResp(m: Message): void {
    if (this.role !== PRE_CANDIDATE || (!m.reject && m.term !== this.hs.term + 1)) return;
    this.countVote(m, () => this.campaign());
  }


  private handleVote(m: Message): void {
    const hs = this.hs;
    const canVote = (hs.vote === m.from || (hs.vote === -1 && this.leader === -1)) && this.rejoinVoteOk(hs.term, m.logTerm, m.index);
    const last = this.lastIndex();
    const lastTerm = this.termAt(last);
    const upToDate = m.logTerm > lastTerm || (m.logTerm === lastTerm && m.index >= last);
    const grant = canVote && upToDate;
    if (grant) {
      hs.vote = m.from;
      this.resetElectionTimer();
    }
    this.host.send(new Message(MSG_VOTE_RESP, this.id, m.from, hs.term, 0, 0, null, 0, !grant, 0, null));
    if (grant) this.host.voted();
  }

  private handleVoteResp(m: Message): void {
    if (this.role === CANDIDATE) this.countVote(m, () => this.becomeLeader());
  }

  /** A (pre)vote answer: `won` once a quorum said yes; back to follower once a quorum said no. */
  private countVote(m: Message, won: () => void): void {
    if (this.voters[m.from] || !isVoter(this.conf, m.from)) return;
    this.voters[m.from] = true;
    if (m.reject) this.rejected++;
    else this.granted++;
    if (this.granted >= this.quorum) won();
    else if (this.rejected >= this.quorum) this.becomeFollower(this.hs.term, -1);
  }

  private handleAppend(m: Message): void {
    const hs = this.hs;
    if (this.role !== FOLLOWER || this.leader !== m.from) this.becomeFollower(hs.term, m.from);
    else this.resetElectionTimer();
    this.leaderContactAt = this.host.now();
    if (m.index < hs.commit) {
      this.reply(m.from, hs.commit, false, 0);
      return;
    }
    if (this.termAt(m.index) !== m.logTerm) {
      // Log-matching check failed: hint the leader where to retry.
      const last = this.lastIndex();
      let hint = Math.min(m.index - 1, last);
      while (hint > hs.offset && this.termAt(hint) > m.logTerm) hint--;
      this.reply(m.from, m.index, true, hint, this.termAt(hint));
      return;
    }
    const entries = m.entries;
    let lastNew = m.index;
    let appendedFrom = -1;
    if (entries !== null && entries.length > 0) {
      lastNew = m.index + entries.length;
      const now = this.host.now();
      let k = 0;
      // Skip entries we already have (same index and term).
      while (k < entries.length) {
        const e = entries[k] as Entry;
        const t = this.termAt(e.index);
        if (t === -1 || t !== e.term) break;
        k++;
      }
      if (k < entries.length) {
        const first = entries[k] as Entry;
        let confChanged = false;
        if (first.index <= this.lastIndex()) {
          // Conflict: drop our entries from here on.
          hs.entries = hs.entries.slice(0, first.index - hs.offset - 1);
          this.host.record({ fromIndex: first.index, kind: 'truncate', node: this.name, t: now });
          confChanged = !this.opts.truncationKeepsConf;
        }
        appendedFrom = first.index;
        for (; k < entries.length; k++) {
          const e = entries[k] as Entry;
          hs.entries.push(e);
          if (e.conf !== undefined && this.opts.truncationKeepsConf) this.setConf(applyChange(this.conf, e.conf));
          else if (e.conf !== undefined) confChanged = true;
          this.host.record({ digest: e.digest, index: e.index, kind: 'append', node: this.name, t: now, term: e.term });
        }
        if (confChanged) this.refreshConf();
      }
    }
    // etcd's Ready order: the new entries are durable before the node commits, acknowledges or applies them.
    if (appendedFrom >= 0 && !this.host.persisted()) return;
    const commit = Math.min(m.commit, lastNew);
    if (commit > hs.commit) this.commitTo(commit);
    this.reply(m.from, lastNew, false, 0);
    if (appendedFrom >= 0) this.host.acked();
  }

  private reply(to: number, index: number, reject: boolean, hint: number, hintTerm = 0): void {
    this.host.send(new Message(MSG_APP_RESP, this.id, to, this.hs.term, index, hintTerm, null, 0, reject, hint, null));
  }

  /**
   * etcd's findConflictByTerm on the leader's side: the last index at or
   * below the follower's hint whose term is at most the follower's term
   * there. Without it a follower whose divergent tail has lower terms than
   * the leader's is probed back one index per round trip (clean run 27673:
   * hundreds of round trips, no commit for seconds after faults ended).
   */
  private probeFrom(hint: number, hintTerm: number): number {
    let i = Math.min(hint, this.lastIndex());
    while (i > this.hs.offset && this.termAt(i) > hintTerm) i--;
    return i;
  }

  private handleAppendResp(m: Message): void {
    if (this.role !== LEADER || !isMember(this.conf, m.from)) return;
    const p = m.from;
    this.active[p] = true;
    if (m.reject) {
      if (m.index <= (this.match[p] as number)) {
        if (m.index !== (this.next[p] as number) - 1) return; // stale
        // The follower lacks an entry it acknowledged: its disk went back in
        // time (restore from backup). etcd would stall here; we back up to
        // its hint so a restored node can rejoin. (Lowering match is safe:
        // commit never goes back, and a lower match only delays commits.)
        this.match[p] = Math.min(this.match[p] as number, m.hint);
      }
      this.state[p] = PROBE;
      this.next[p] = Math.max((this.match[p] as number) + 1, Math.min(m.index, this.probeFrom(m.hint, m.logTerm) + 1));
      this.paused[p] = false;
      this.sendAppend(p, true);
      return;
    }
    const wasPaused = this.paused[p];
    if (m.index > (this.match[p] as number)) {
      this.match[p] = m.index;
      if (this.state[p] !== REPLICATE) {
        if (this.state[p] === PROBE || m.index >= (this.pendingSnapshot[p] as number)) this.state[p] = REPLICATE;
      }
      if ((this.next[p] as number) <= m.index) this.next[p] = m.index + 1;
      this.paused[p] = false;
      this.maybeCommit();
    } else if (this.state[p] === PROBE && (m.index === this.match[p] || this.opts.staleAckResends)) {
      // As etcd: only an answer at the match index lets a probing peer go on.
      this.paused[p] = false;
    } else if (!this.opts.staleAckResends) {
      // A stale answer (duplicated or reordered) sends nothing. Sending on it
      // made every duplicate answer beget an append, a storm without bound.
      return;
    }
    if (this.role === LEADER && (wasPaused || (this.next[p] as number) <= this.lastIndex())) this.sendAppend(p, false);
  }

  private handleSnapshot(m: Message): void {
    const hs = this.hs;
    const snap = m.snapshot as Snapshot;
    if (this.role !== FOLLOWER || this.leader !== m.from) this.becomeFollower(hs.term, m.from);
    else this.resetElectionTimer();
    this.leaderContactAt = this.host.now();
    if (snap.index <= hs.commit) {
      this.reply(m.from, hs.commit, false, 0);
      return;
    }
    if (this.termAt(snap.index) === snap.term) {
      // We have the entry: just fast-forward the commit index.
      this.commitTo(snap.index);
      this.reply(m.from, snap.index, false, 0);
      return;
    }
    // etcd's order: persist the snapshot (and the log it replaces), then hand it to the state machine.
    const persist = (): boolean => {
      hs.entries = [];
      hs.offset = snap.index;
      hs.offsetTerm = snap.term;
      hs.confBase = snap.conf;
      hs.commit = snap.index;
      this.refreshConf();
      return this.host.persistSnapshot(snap, m.from);
    };
    // Each false is a crash at the crash point after that step.
    if (!this.opts.installBeforePersist && !persist()) return;
    if (!this.host.installSnapshot(snap, m.from)) return;
    if (this.opts.installBeforePersist && !persist()) return;
    this.reply(m.from, snap.index, false, 0);
  }
}
