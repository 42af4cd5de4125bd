// AWS create-and-vault bookkeeping in chrome.storage.local (restricted to trusted contexts):
// pending-create markers, for orphan detection, and rotation records, for resume or rollback.
// Ids, user names, steps and times only: never a secret.

import type { PendingCreate, RotationRecord } from '../shared/aws-flow-messages.js';
import { STORAGE } from '../shared/messages.js';

export function newRecordId(): string {
  return crypto.randomUUID().replace(/-/g, '');
}

/**
 * Markers of creates running in this worker instance: not orphans while they run. A restarted
 * worker starts with none, so every marker it finds is from a create that never finished.
 */
const running = new Set<string>();

/** Written (and awaited) before CreateAccessKey is sent; throws if storage refuses it. */
export async function markPending(userName: string | undefined, purpose: PendingCreate['purpose']): Promise<PendingCreate> {
  const marker: PendingCreate = { id: newRecordId(), userName: userName ?? null, startedAt: Date.now(), purpose };
  running.add(marker.id);
  try {
    await chrome.storage.local.set({ [STORAGE.pendingPrefix + marker.id]: marker });
  } catch (error) {
    running.delete(marker.id);
    throw error;
  }
  return marker;
}

/** The outcome is known (vaulted, or AWS said no): the marker goes. */
export async function clearPending(id: string): Promise<void> {
  await chrome.storage.local.remove(STORAGE.pendingPrefix + id);
  running.delete(id);
}

/** The outcome is unknown: the marker stays, and is reported from now on. */
export function abandonPending(id: string): void {
  running.delete(id);
}

function isPending(value: unknown): value is PendingCreate {
  const v = value as PendingCreate;
  return typeof value === 'object' && value !== null && typeof v.id === 'string' && typeof v.startedAt === 'number';
}

/** Markers of creates that are not running: each may have left a key outside the vault. */
export async function stalePending(): Promise<PendingCreate[]> {
  const all: Record<string, unknown> = await chrome.storage.local.get(null);
  return Object.entries(all)
    .filter(([key, value]) => key.startsWith(STORAGE.pendingPrefix) && isPending(value) && !running.has(value.id))
    .map(([, value]) => value as PendingCreate)
    .sort((a, b) => a.startedAt - b.startedAt);
}

export async function loadPending(id: string): Promise<PendingCreate | undefined> {
  const key = STORAGE.pendingPrefix + id;
  const stored: Record<string, unknown> = await chrome.storage.local.get(key);
  const value = stored[key];
  return isPending(value) ? value : undefined;
}

// ----- rotations ---------------------------------------------------------------------------------

export async function saveRotation(record: RotationRecord): Promise<RotationRecord> {
  const saved = { ...record, updatedAt: Date.now() };
  await chrome.storage.local.set({ [STORAGE.rotationPrefix + record.id]: saved });
  return saved;
}

export async function removeRotation(id: string): Promise<void> {
  await chrome.storage.local.remove(STORAGE.rotationPrefix + id);
}

function isRotation(value: unknown): value is RotationRecord {
  const v = value as RotationRecord;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof v.id === 'string' &&
    typeof v.userName === 'string' &&
    typeof v.oldKeyId === 'string' &&
    typeof v.state === 'string'
  );
}

export async function loadRotation(id: string): Promise<RotationRecord | undefined> {
  const key = STORAGE.rotationPrefix + id;
  const stored: Record<string, unknown> = await chrome.storage.local.get(key);
  const value = stored[key];
  return isRotation(value) ? value : undefined;
}

export async function listRotations(): Promise<RotationRecord[]> {
  const all: Record<string, unknown> = await chrome.storage.local.get(null);
  return Object.entries(all)
    .filter(([key, value]) => key.startsWith(STORAGE.rotationPrefix) && isRotation(value))
    .map(([, value]) => value as RotationRecord)
    .sort((a, b) => a.startedAt - b.startedAt);
}

/** Bytes chrome.storage.local may still take (Infinity with unlimitedStorage). */
export async function localBytesFree(): Promise<number> {
  const quota = chrome.storage.local.QUOTA_BYTES;
  if (typeof quota !== 'number' || chrome.runtime.getManifest().permissions?.includes('unlimitedStorage') === true) {
    return Number.POSITIVE_INFINITY;
  }
  return quota - (await chrome.storage.local.getBytesInUse(null));
}
