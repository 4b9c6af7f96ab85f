// The encryption sidecar on a node's simulated disk, as the lifecycle reads
// and writes it: the active DEK and a local_epoch per DEK. It is one file,
// rewritten whole and fsync'd on every write (§1 requires the bump to be
// durable before the first encryption), so a synced write makes every earlier
// write durable too. Only the unsynced-epoch-bump variant leaves a bump in the
// page cache (Linux writes dirty pages back after 30 s, longer than a run): a
// crash may lose it.
//
// Two layouts, one interface: Stage 6A's (a table of numbers, which the
// lifecycle alone writes) and production main's document (sidecar-file.ts),
// which main's applier writes too: a bootstrap sets the active DEK and
// rewrites local_epoch 0 (addendum §2.3); the lifecycle only bumps epochs.
import type { Disk } from '../storage/disk.ts';
import { DiskSidecarStore, sidecarFile } from '../storage/sidecar-file.ts';

export interface SidecarAccess {
  /** The active (storage) DEK, or undefined before the node has one. */
  activeDek(disk: Disk): number | undefined;
  /** Main's layout: only bootstraps and rotations set it. */
  setActiveDek(disk: Disk, dekId: number): void;
  /** The last epoch this disk bumped to under `dekId` (0: never used). */
  epoch(disk: Disk, dekId: number): number;
  setEpoch(disk: Disk, dekId: number, epoch: number, synced?: boolean): void;
  /** Every (dekId, epoch) the sidecar holds, by ascending DEK. */
  epochs(disk: Disk): { dekId: number; epoch: number }[];
}

const ACTIVE_DEK = 'active-dek';
const EPOCH_PREFIX = 'epoch/';

function write6a(disk: Disk, key: string, value: number, synced: boolean): void {
  disk.sidecar.write(key, value, synced);
  if (synced) disk.sidecar.sync();
}

/** Stage 6A's sidecar, which only the lifecycle writes. */
export const STAGE6A_SIDECAR: SidecarAccess = {
  activeDek: (disk) => disk.sidecar.get(ACTIVE_DEK),
  setActiveDek: (disk, dekId) => write6a(disk, ACTIVE_DEK, dekId, true),
  epoch: (disk, dekId) => disk.sidecar.get(`${EPOCH_PREFIX}${dekId}`) ?? 0,
  setEpoch: (disk, dekId, epoch, synced = true) => write6a(disk, `${EPOCH_PREFIX}${dekId}`, epoch, synced),
  epochs: (disk) =>
    disk.sidecar
      .sortedKeys()
      .filter((k) => k.startsWith(EPOCH_PREFIX))
      .map((k) => ({ dekId: Number(k.slice(EPOCH_PREFIX.length)), epoch: disk.sidecar.get(k) as number }))
      .sort((a, b) => a.dekId - b.dekId),
};

/** Production main's sidecar document: DEK 0 means none; epochs live in `keys`. */
export const MAIN_SIDECAR: SidecarAccess = {
  activeDek: (disk) => {
    const active = sidecarFile(disk)?.activeStorage ?? 0;
    return active === 0 ? undefined : active;
  },
  setActiveDek: () => {
    throw new Error("main's sidecar: only a bootstrap or rotation apply sets the active DEK");
  },
  epoch: (disk, dekId) => sidecarFile(disk)?.keys.get(dekId)?.localEpoch ?? 0,
  setEpoch: (disk, dekId, localEpoch, synced = true) => {
    const doc = sidecarFile(disk);
    const key = doc?.keys.get(dekId);
    if (doc === undefined || key === undefined) throw new Error(`main's sidecar has no key for DEK ${dekId}`);
    new DiskSidecarStore(disk, synced).write({ ...doc, keys: new Map(doc.keys).set(dekId, { ...key, localEpoch }) });
  },
  epochs: (disk) => [...(sidecarFile(disk)?.keys ?? [])].map(([dekId, k]) => ({ dekId, epoch: k.localEpoch })).sort((a, b) => a.dekId - b.dekId),
};
