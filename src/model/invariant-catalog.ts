// The invariants the oracle checks (spec §7), one entry each: a stable name
// used in reports, fixtures and the CLI, the spec section it is, the design
// sections it serves, a one-line meaning and the paragraph a violation report
// prints. `regsim invariants` and the README table are generated from this list.

export type InvariantName =
  | 'no-nonce-reuse'
  | 'replay-idempotence'
  | 'no-silent-rollback'
  | 'collisions-halt'
  | 'replica-agreement'
  | 'fail-closed-halts'
  | 'raft-safety'
  | 'liveness';

export type InvariantKind = 'safety' | 'liveness';

export interface InvariantInfo {
  name: InvariantName;
  /** The number in spec §7 (0-6); liveness is not one of them. */
  number: number | null;
  kind: InvariantKind;
  /** The section of the spec (writer-registry.md) that states it. */
  section: string;
  /** The design-doc and spec sections whose guarantee it protects. */
  serves: readonly string[];
  /** One line: what must hold. */
  meaning: string;
  /** One paragraph, printed under a violation: why it matters and what usually breaks it. */
  explanation: string;
}

export const INVARIANTS: readonly InvariantInfo[] = [
  {
    name: 'no-nonce-reuse',
    number: 0,
    kind: 'safety',
    section: '§7.0',
    serves: ['spec §1', 'design §4.1', 'design §5.6', 'design §9.1'],
    meaning:
      'No (DEK, nonce) pair is ever used twice in the cluster history, and every process counts its write_count ' +
      'from the first value, one by one.',
    explanation:
      'Every encrypted value uses the AES-GCM nonce node_id16 ‖ local_epoch ‖ write_count under its DEK, and ' +
      'GCM loses both confidentiality and integrity if a nonce repeats under one key. The writer registry exists ' +
      'only to make this impossible: local_epoch is bumped at every start and registered before the first write, ' +
      'and the registry rejects a 16-bit id claimed by a second full id. A reuse means some layer let a writer ' +
      'encrypt with an epoch it (or another node sharing its low 16 bits) had already used: typically a node ' +
      'restored from a stale backup that re-bumped to an old epoch with the §9.1 start-up guard off (equal-epoch ' +
      'registration is accepted as an idempotent replay, so the applier alone cannot stop it), or a colliding ' +
      'low-16 id that was never halted. A write_count that starts elsewhere or skips is the counter a reuse comes ' +
      'from: a count carried to a new (DEK, epoch), or started below the first value, is one a process may have used.',
  },
  {
    name: 'replay-idempotence',
    number: 1,
    kind: 'safety',
    section: '§7.1',
    serves: ['spec §4', 'spec §6', 'design §4.1 case 2'],
    meaning:
      'Re-applying committed entries after a crash or snapshot install leaves the registry byte-identical to one ' +
      'in-order application, with the same halt decisions.',
    explanation:
      'After a restart the engine re-applies every committed entry after its last local snapshot on top of a store ' +
      'that already holds their effects, and after an InstallSnapshot it continues from the snapshot. Both must ' +
      'end in exactly the registry a single in-order application of the committed log produces (the reference ' +
      'model), and must make the same halt decisions; a replayed registration may only turn into a no-op. A ' +
      'mismatch means a replay was not idempotent (the historic `<=` rollback bug halts every replay of an ' +
      'equal epoch), a synced registry write was lost, a snapshot was taken or installed without its registry ' +
      'rows, or the applier computed a different row than spec §3 prescribes.',
  },
  {
    name: 'no-silent-rollback',
    number: 2,
    kind: 'safety',
    section: '§7.2',
    serves: ['design §4.1 case 3', 'design §9.1'],
    meaning:
      "A row's last_seen never decreases, and every committed registration with a lower epoch than the " +
      'registered one for the same full id halts (rollback) on every replica that reaches it; every start-up ' +
      'rollback and exhaustion guard decision is the one §9.1 makes on what the guard read; and every start reads ' +
      'on its sidecar at least the epoch its disk was bumped to, registered or encrypted under; only a running ' +
      'process registers, at the epoch it holds.',
    explanation:
      'last_seen is the registry\'s memory of the highest epoch a writer has used under a DEK; the start-up guard ' +
      'compares the sidecar epoch with it, so lowering it re-opens epochs (and therefore nonces) that were already ' +
      'used. A registration carrying a lower epoch than last_seen can only come from a node whose sidecar went ' +
      'back (a stale backup): the applier must fail closed on it on every replica instead of accepting it. A ' +
      'violation is either a replica that applied such a registration (or overwrote last_seen with a lower ' +
      'value), or a row whose last_seen went down on a node, e.g. a registry write that was not durable and was ' +
      'lost in a crash, or a start-up guard that let a node with a stale or exhausted epoch through (or refused ' +
      'one that is not), or read a registry that is not the committed one at the index it caught up to: the ' +
      "applier's later halt may mask such a guard, but that halt is the outage the guard exists to prevent. A " +
      'start that reads a lower epoch than its disk was used at lost a synced sidecar write (or its bump was ' +
      'never made durable before it was used): it bumps to an epoch its predecessor already used.',
  },
  {
    name: 'collisions-halt',
    number: 3,
    kind: 'safety',
    section: '§7.3',
    serves: ['design §4.1 case 4', 'design §6.1', 'design §9.1'],
    meaning:
      'Every committed registration whose slot is owned by a different full id halts (collision) on every ' +
      'replica that reaches it, the row keeps its original owner, and every start-up collision guard decision ' +
      'is the one §9.1 makes on the members or registry the guard read.',
    explanation:
      'Two different raft ids can share the low 16 bits that go into the nonce. The registry row for ' +
      '(DEK, low16) records which full id owns the slot; a registration from another full id must halt the ' +
      'apply loop on every replica and leave the row untouched, because letting the newcomer in (or handing it ' +
      "the row) lets two writers produce the same nonces under one DEK. A violation is a replica that applied a " +
      'colliding registration, a row whose owning full id changed, or a start-up collision guard that let a ' +
      'colliding node through (every replica then halts on its registration: a cluster-wide outage) or refused ' +
      'one that does not collide.',
  },
  {
    name: 'replica-agreement',
    number: 4,
    kind: 'safety',
    section: '§7.4',
    serves: ['design §4.1', 'design §6.3'],
    meaning:
      'Replicas that applied the same index hold identical registry state there, and replicas that halt at an ' +
      'index halt for the same reason.',
    explanation:
      'The registry is replicated state: its value after index i must be a function of the committed log alone, ' +
      'whatever node computes it. This check is independent of the reference model: it compares replicas with ' +
      'each other (only replicas whose store is not ahead of the index because of a replay window). A ' +
      'disagreement means the applier depends on something other than the log and its own rows (clock, node ' +
      'identity, apply history) or that one replica lost or gained state the others did not.',
  },
  {
    name: 'fail-closed-halts',
    number: 5,
    kind: 'safety',
    section: '§7.5',
    serves: ['spec §4', 'design §6.3'],
    meaning: 'A halted node never advances its applied index past the halting entry, across any number of restarts.',
    explanation:
      'A halt response stops the apply loop without advancing the applied index; the process exits and, after a ' +
      'restart, applies the same entry again and halts again. Skipping the entry would silently drop a ' +
      'registration decision (a collision or rollback that was supposed to stop the cluster) and desynchronise ' +
      'the replica from the log. Only a state replacement (an InstallSnapshot at or beyond the halting index) or ' +
      'a successful re-application of that same entry lets the node move on. A violation is an apply, snapshot, ' +
      'restart or final state whose applied index is past an unresolved halt.',
  },
  {
    name: 'raft-safety',
    number: 6,
    kind: 'safety',
    section: '§7.6',
    serves: ['spec §4'],
    meaning:
      'One leader per term, and only a voter leads; a leader commits only what a majority of its configuration\'s ' +
      'voters hold; matching logs, committed entries never lost, and every node applies exactly the ' +
      'committed log: each entry only after it committed, in order, none skipped or applied twice.',
    explanation:
      'Every registry invariant assumes the log underneath is a correct Raft log and that the engine applies it ' +
      'faithfully. The reference history is the committed log (commit events), never what nodes applied: an ' +
      'engine that applies an entry before it commits, applies another entry than the committed one, passes a ' +
      'committed entry without applying or halting on it, or resumes after a restart from another index than its ' +
      'last persisted snapshot is caught even when every node does the same. If two leaders share a term, two ' +
      'logs disagree at the same (index, term) or a committed entry is overwritten or truncated, replicas diverge ' +
      'for reasons that have nothing to do with the applier. A violation here is a bug in the simulated Raft or ' +
      'engine (or a fault, such as a stale disk restore, that Raft itself does not tolerate), and the registry ' +
      'verdicts of the same run should be read with that in mind.',
  },
  {
    name: 'liveness',
    number: null,
    kind: 'liveness',
    section: 'architecture: failure classes',
    serves: ['spec §4'],
    meaning:
      'After faults stop, a quorum of healthy voters elects a leader and commits a fresh entry within 8 election ' +
      'time-outs, and every healthy node applies it and everything committed before; and the cluster never sends ' +
      'several times the messages its heartbeats, elections and recorded work account for (no message storm).',
    explanation:
      'Once the fault schedule ends the simulator heals the network and a client proposes one more entry (the ' +
      'liveness probe), retrying until a leader applies it. If a quorum of the voters is up, not halted and not ' +
      'rejoining, a leader must commit the probe within the bound (counted in the run\'s election time-outs) and ' +
      'every node that is up and not halted must apply it within the bound of its commit or of its own last start, ' +
      'and everything committed a bound before run-end. A failure points at a cluster that never elects a leader ' +
      'again, a stuck apply loop, a lost snapshot transfer, a replica that never re-joins, or an engine that waits ' +
      'for something that will not happen. Halted nodes are excluded: failing closed is the intended outcome for ' +
      'them and the safety checks judge whether the halt was right. A message storm (every window of the run is ' +
      'judged, faults or not) points at an engine that answers a duplicated or stale message as a new one, so ' +
      'each duplicate starts traffic that never dies out.',
  },
];

const BY_NAME: ReadonlyMap<InvariantName, InvariantInfo> = new Map(INVARIANTS.map((info) => [info.name, info]));

/** The catalog entry of `name`. */
export function invariantInfo(name: InvariantName): InvariantInfo {
  const info = BY_NAME.get(name);
  if (!info) throw new Error(`unknown invariant "${name}"`);
  return info;
}

/** Whether `name` is an invariant's name (for CLI input). */
export function isInvariantName(name: string): name is InvariantName {
  return BY_NAME.has(name as InvariantName);
}

/** All names, in catalog order (spec §7 order, liveness last). */
export const INVARIANT_NAMES: readonly InvariantName[] = INVARIANTS.map((info) => info.name);

/** The catalog as a Markdown table (README, `regsim invariants --markdown`). */
export function catalogMarkdown(): string {
  const cell = (text: string): string => text.replaceAll('|', '\\|');
  const lines = ['| # | name | spec | serves | what must hold |', '|---|---|---|---|---|'];
  for (const i of INVARIANTS) {
    lines.push(
      `| ${i.number ?? '–'} | \`${i.name}\` | ${cell(i.section)} | ${cell(i.serves.join(', '))} | ${cell(i.meaning)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
