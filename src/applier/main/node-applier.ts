// Main's FSM as one node process of the `production` configuration runs it:
// with the fake KEK of the vectors, a keystore hydrated from the node's
// sidecar at process start (in memory: gone with the process), the sidecar
// file itself, and the epochs the process pinned (WithLocalEpoch and
// WithRaftLocalEpoch: the sidecar's local_epoch of the active storage and
// raft DEKs after the start-up bump).
// Its answers are told in Stage 6A's vocabulary (stage6a.ts), which the
// simulator's engine and trace speak.
import type { ApplierFactory } from '../types.ts';
import { fakeKek } from './kek.ts';
import { stage6aResponse } from './stage6a.ts';
import { raftCutoverDek, stateOf } from './sidecar.ts';
import { hydrateKeystore } from './startup.ts';
import type { MainFsmFactory } from './types.ts';

/** An ApplierFactory over main's FSM for nodes that hand it their sidecar; a node without one gets the registry-only FSM. */
export function mainNodeFactory(main: MainFsmFactory): ApplierFactory {
  return (registry, node) => {
    const sidecar = node?.sidecar;
    const doc = sidecar?.read();
    const fsm =
      sidecar === undefined
        ? main({ registry })
        : main({
            registry,
            kek: fakeKek,
            keystore: hydrateKeystore(doc, fakeKek),
            sidecar,
            stateCache: stateOf(doc),
            localEpoch: doc?.keys.get(doc.activeStorage)?.localEpoch ?? 0,
            // Before the raft cutover the raft epoch is not bumped, and a process pins 0 (startup.ts startProcess).
            raftLocalEpoch: doc?.keys.get(raftCutoverDek(doc))?.localEpoch ?? 0,
          });
    const { proposed, settle } = fsm;
    return {
      apply: (entry, at) => stage6aResponse(fsm.apply(at?.index ?? 0, entry)),
      ...(proposed ? { proposed: proposed.bind(fsm) } : {}),
      // Unbound: the simulator settles each distinct function once.
      ...(settle ? { settle } : {}),
    };
  };
}
