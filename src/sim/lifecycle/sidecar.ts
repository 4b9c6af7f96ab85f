// The encryption sidecar on a node's simulated disk: the active DEK and a
// local_epoch per DEK. It is one file, rewritten whole and fsync'd on every
// write (§1 requires the bump to be durable before the first encryption), so
// a synced write makes every earlier write durable too. Only the
// unsynced-epoch-bump variant leaves a bump in the page cache (Linux writes
// dirty pages back after 30 s, longer than a run): a crash may lose it.
import type { Disk } from '../storage/disk.ts';

const ACTIVE_DEK = 'active-dek';
const EPOCH_PREFIX = 'epoch/';

/** The last epoch this disk bumped to under `dekId` (0: never used). */
export function sidecarEpoch(disk: Disk, dekId: number): number {
  return disk.sidecar.get(`${EPOCH_PREFIX}${dekId}`) ?? 0;
}

export function setSidecarEpoch(disk: Disk, dekId: number, epoch: number, synced = true): void {
  writeSidecar(disk, `${EPOCH_PREFIX}${dekId}`, epoch, synced);
}

/** Every (dekId, epoch) the sidecar holds, by ascending DEK. */
export function sidecarEpochs(disk: Disk): { dekId: number; epoch: number }[] {
  return disk.sidecar
    .sortedKeys()
    .filter((k) => k.startsWith(EPOCH_PREFIX))
    .map((k) => ({ dekId: Number(k.slice(EPOCH_PREFIX.length)), epoch: disk.sidecar.get(k) as number }))
    .sort((a, b) => a.dekId - b.dekId);
}

export function activeDek(disk: Disk): number | undefined {
  return disk.sidecar.get(ACTIVE_DEK);
}

export function setActiveDek(disk: Disk, dekId: number): void {
  writeSidecar(disk, ACTIVE_DEK, dekId, true);
}

function writeSidecar(disk: Disk, key: string, value: number, synced: boolean): void {
  disk.sidecar.write(key, value, synced);
  if (synced) disk.sidecar.sync();
}
