// applySequences: one node's applier over a sequence of entries, restarts and
// guard checks (production-main.md §2, §4). Each step is one check, applied
// even after an earlier step halted (each is one apply attempt, as the
// vectors' harness does), and compared field by field: the outcome, the rows
// the entry applied, the registry traffic, then the sidecar, the keystore,
// the state cache and the rows after it.
import {
  Keystore,
  MemoryRegistryStore,
  MemorySidecarStore,
  StartupError,
  StoreFault,
  checkLocalEpochRollback,
  fakeKek,
  fromHex,
  startProcess,
  toHex,
} from '../../applier/index.ts';
import type { MainFsm, MainFsmFactory, RegistryStore, RowResult, Sidecar, StateCache } from '../../applier/index.ts';
import { expectEqual, jsonDifferences, rowDifferences } from './checks.ts';
import type { NamedCheck } from './checks.ts';
import { registrationWord, vectorOutcome } from './main-outcome.ts';
import type { ApplierConfig, ApplySequence, EntryStep, GuardStep, RestartStep, RowResultVector, SidecarVector, StoreOpVector } from './main-schema.ts';

/** The registry of the node under test: records every call, and fails the nth call of an op when a step asks for it. */
class TracingRegistry implements RegistryStore {
  readonly rows = new MemoryRegistryStore();
  trace: StoreOpVector[] = [];
  private fault: EntryStep['fault'];
  private calls = { get: 0, set: 0 };

  beginStep(fault?: EntryStep['fault']): void {
    this.trace = [];
    this.fault = fault;
    this.calls = { get: 0, set: 0 };
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const keyHex = toHex(key);
    if (this.faults('get')) {
      this.trace.push({ op: 'get', keyHex, fault: true });
      throw new StoreFault('injected read fault');
    }
    const value = this.rows.get(key);
    this.trace.push(value === undefined ? { op: 'get', keyHex, found: false } : { op: 'get', keyHex, found: true, valueHex: toHex(value) });
    return value;
  }

  /** Untraced: what an external applier is sent ahead (its reads are traced when it makes them). */
  peek(key: Uint8Array): Uint8Array | undefined {
    return this.rows.get(key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    const op: StoreOpVector = { op: 'set', keyHex: toHex(key), valueHex: toHex(value) };
    if (this.faults('set')) {
      this.trace.push({ ...op, fault: true });
      throw new StoreFault('injected write fault');
    }
    this.rows.set(key, value);
    this.trace.push(op);
  }

  private faults(op: 'get' | 'set'): boolean {
    return ++this.calls[op] === this.fault?.nth && this.fault.op === op;
  }
}

/** One simulated node: durable registry and sidecar, and what its current process holds. */
interface Node {
  factory: MainFsmFactory;
  config: ApplierConfig;
  registry: TracingRegistry;
  sidecar?: MemorySidecarStore;
  keystore?: Keystore;
  cache: StateCache;
  fsm: MainFsm;
}

/** (Re)builds the node's applier over its stores, as the vectors' harness builds production's. */
function open(node: Omit<Node, 'cache' | 'fsm'>): Node {
  const cache: StateCache = { activeStorage: 0, storageEnvelopeActive: false };
  const { config, registry, sidecar, keystore } = node;
  const kek = config.kek ? fakeKek : undefined;
  const fsm = node.factory({ registry, kek, keystore, sidecar, stateCache: cache, localEpoch: config.localEpoch, raftLocalEpoch: config.raftLocalEpoch });
  return { ...node, cache, fsm };
}

function newNode(seq: ApplySequence, factory: MainFsmFactory): Node {
  const registry = new TracingRegistry();
  for (const row of seq.initialRows) registry.rows.set(fromHex(row.keyHex), fromHex(row.valueHex));
  const config = seq.applier;
  return open({
    factory,
    config,
    registry,
    sidecar: config.sidecar ? new MemorySidecarStore() : undefined,
    keystore: config.keystore ? new Keystore() : undefined,
  });
}

function rowResultJson(r: RowResult): RowResultVector {
  return r.value === undefined ? { keyHex: toHex(r.key), result: r.result } : { keyHex: toHex(r.key), result: r.result, valueHex: toHex(r.value) };
}

function sidecarJson(s: Sidecar | undefined): SidecarVector | null {
  if (s === undefined) return null;
  const { keys, ...fields } = s;
  const keyList = [...keys].sort(([a], [b]) => a - b).map(([id, k]) => ({ id, purpose: k.purpose, wrappedHex: toHex(k.wrapped), localEpoch: k.localEpoch }));
  return { ...fields, keys: keyList };
}

function entryStep(node: Node, step: EntryStep): string[] {
  node.registry.beginStep(step.fault);
  const response = node.fsm.apply(step.raftIndex, fromHex(step.entryHex));
  const { message: _text, ...outcome } = step.outcome;
  const rows = response.kind === 'applied' || response.kind === 'halt' ? response.rows.map(rowResultJson) : [];
  return [
    ...jsonDifferences('outcome', vectorOutcome(response), outcome),
    ...(step.registration === undefined ? [] : expectEqual('registration', registrationWord(response), step.registration)),
    ...jsonDifferences('rowResults', rows, step.rowResults ?? []),
    ...jsonDifferences('storeTrace', node.registry.trace, step.storeTrace ?? []),
  ];
}

/** A process restart: durable stores kept, the keystore rebuilt from the sidecar and the epochs bumped (startProcess). */
function restartStep(node: Node, step: RestartStep): [Node, string[]] {
  const started = node.sidecar && node.config.kek ? startProcess(node.sidecar, fakeKek) : undefined;
  const config = { ...node.config, localEpoch: started?.localEpoch ?? 0, raftLocalEpoch: started?.raftLocalEpoch ?? 0 };
  const keystore = node.config.keystore ? (started?.keystore ?? new Keystore()) : undefined;
  const restarted = open({ ...node, config, keystore });
  return [restarted, jsonDifferences('applierAfterRestart', config, step.applierAfterRestart)];
}

/** Production's CheckLocalEpochRollback for the vector's node, against this node's sidecar and rows. */
function guardStep(node: Node, step: GuardStep): string[] {
  const doc = node.sidecar?.read();
  const activeStorage = doc?.activeStorage ?? 0;
  const input = {
    activeStorageDekId: activeStorage,
    sidecarLocalEpoch: doc?.keys.get(activeStorage)?.localEpoch ?? 0,
    storageEnvelopeActive: doc?.storageEnvelopeActive ?? false,
  };
  node.registry.beginStep();
  let result = 'ok';
  try {
    checkLocalEpochRollback({ registry: node.registry, fullNodeId: BigInt(step.guard.fullNodeId), activeStorage, ...input });
  } catch (err) {
    if (!(err instanceof StartupError) || err.reason !== 'local-epoch-rollback') throw err;
    result = 'ErrLocalEpochRollback';
  }
  const { function: _primitive, fullNodeId: _node, message: _text, ...want } = step.guard;
  return jsonDifferences('guard', { ...input, result }, want);
}

function stateDifferences(node: Node, step: EntryStep | RestartStep | GuardStep): string[] {
  return [
    ...jsonDifferences('sidecar', sidecarJson(node.sidecar?.read()), step.sidecarAfter),
    ...jsonDifferences('keystore', node.keystore?.ids() ?? [], step.keystoreIdsAfter),
    ...jsonDifferences('stateCache', { ...node.cache }, step.stateCacheAfter),
    ...rowDifferences(node.registry.rows.rowsHex(), step.rowsAfter),
  ];
}

function sequenceChecks(seq: ApplySequence, i: number, factory: MainFsmFactory): NamedCheck[] {
  let node: Node | undefined;
  return seq.steps.map((step, j): NamedCheck => [
    `applySequences[${i}] ${seq.name} step ${j}`,
    () => {
      node ??= newNode(seq, factory);
      const problems: string[] = [];
      if (step.kind === 'entry') problems.push(...entryStep(node, step));
      else if (step.kind === 'guard') problems.push(...guardStep(node, step));
      else {
        const [restarted, differences] = restartStep(node, step);
        node = restarted;
        problems.push(...differences);
      }
      problems.push(...stateDifferences(node, step));
      if (j === seq.steps.length - 1) problems.push(...rowDifferences(node.registry.rows.rowsHex(), seq.finalRows, 'final row'));
      return problems;
    },
  ]);
}

export function applySequenceChecks(sequences: readonly ApplySequence[], factory: MainFsmFactory): NamedCheck[] {
  return sequences.flatMap((seq, i) => sequenceChecks(seq, i, factory));
}
