// Production main's sidecar as a file on a node's simulated disk: the
// SidecarStore main's applier and the lifecycle read and write. Production
// writes it by temp file, fsync, rename and directory fsync, so a write is
// durable when it returns: synced by default. `synced: false` leaves each
// write in the page cache (pending) until the next sync, where a crash keeps
// or loses it by the disk's coin, as for the registry store. The document is
// copied in and out, so no caller aliases what the disk holds; a backup or
// restore of the disk carries it (Disk.copy).
import { toHex } from '../../applier/hex.ts';
import { copySidecar } from '../../applier/main/sidecar.ts';
import type { Sidecar, SidecarStore } from '../../applier/main/sidecar.ts';
import type { TraceSidecar } from '../../trace/types.ts';
import type { Disk } from './disk.ts';

/** The one key of the sidecar table: the whole document is one file. */
const FILE = 'sidecar.json';

export class DiskSidecarStore implements SidecarStore {
  constructor(
    private readonly disk: Disk,
    private readonly synced = true,
  ) {}

  read(): Sidecar | undefined {
    const doc = this.disk.mainSidecar.get(FILE);
    return doc && copySidecar(doc);
  }

  peek(): Sidecar | undefined {
    return this.read();
  }

  write(sidecar: Sidecar): void {
    this.disk.mainSidecar.write(FILE, copySidecar(sidecar), this.synced);
    // One file: a synced write makes every earlier write of it durable too.
    if (this.synced) this.disk.mainSidecar.sync();
  }
}

/** The node's sidecar document on `disk`, without a store (undefined: no file yet). */
export function sidecarFile(disk: Disk): Sidecar | undefined {
  return new DiskSidecarStore(disk).read();
}

/** The replicated part of the sidecar on `disk`, as the trace records it (null: no file yet). */
export function traceSidecar(disk: Disk): TraceSidecar | null {
  const doc = sidecarFile(disk);
  if (doc === undefined) return null;
  return {
    activeRaft: doc.activeRaft,
    activeStorage: doc.activeStorage,
    keys: [...doc.keys]
      .sort(([a], [b]) => a - b)
      .map(([dekId, k]) => ({ dekId, purpose: k.purpose, wrappedHex: toHex(k.wrapped) })),
    raftCutoverIndex: doc.raftEnvelopeCutoverIndex,
    storageCutoverIndex: doc.storageEnvelopeCutoverIndex,
    storageEnvelopeActive: doc.storageEnvelopeActive,
  };
}
