// AWS create-and-vault with pending markers (orphan detection), the IAM user screen, and
// recorded rotations: the service worker's handlers for the aws-flow-messages.ts contracts.
// Provider calls get their signer (a vault entry id) through the worker's providerArgs, like
// every aws.* handler; records live in aws-records.ts; pause points (test build only) in test-pause.ts.

import {
  iamAttachUserPolicy,
  iamCreateAccessKey,
  iamCreateUser,
  iamDeleteAccessKey,
  iamListAccessKeys,
  iamListAttachedUserPolicies,
  iamUpdateAccessKey,
  rotationAdvance,
  vaultListEntries,
} from '../../../build/pkg/keysmith_core.js';
import {
  type AttachedPolicy,
  type AwsFlowMessageType,
  type IamUser,
  ORPHAN_CLOCK_MARGIN_MS,
  type OrphanCheck,
  type PendingCreate,
  type RotationRecord,
  orphansOf,
} from '../shared/aws-flow-messages.js';
import {
  type CreatedAccessKey,
  type ErrorInfo,
  type KeySlotDecision,
  type MessageOf,
  type ResultByType,
  WorkerErrorCode,
} from '../shared/messages.js';
import {
  abandonPending,
  clearPending,
  listRotations,
  loadPending,
  loadRotation,
  localBytesFree,
  markPending,
  newRecordId,
  removeRotation,
  saveRotation,
  stalePending,
} from './aws-records.js';
import type { SignerArgs } from './signers.js';
import { pausePoint } from './test-pause.js';
import { type CreateTimings, sumTimings } from './timings.js';

/** What the handlers need from the worker. */
export interface AwsFlowDeps {
  requireCore: () => Promise<void>;
  /** The worker's one way to turn a message's signer id into call arguments (sealed signer, endpoint). */
  providerArgs: (signerId: string) => Promise<SignerArgs & { endpoint?: string }>;
  /** The access key id of a vaulted AWS signer (its SignerItem.keyId): its long-term key, even under MFA. */
  signerKeyId: (signerId: string) => Promise<string>;
  /** The vault header; refuses (no_vault) when there is no vault to put a new key in. */
  requireVaultForCreate: () => Promise<string>;
  /** Refuses unless a vault exists and is unlocked. */
  requireUnlockedVault: () => Promise<void>;
  /** The sealed entries in chrome.storage.local, as [storageKey, value]. */
  storedEntries: () => Promise<[string, string][]>;
  /** Restarts the vault's idle timer. */
  touchVault: () => Promise<void>;
  keySlot: (message: { signerId: string; userName?: string }) => Promise<KeySlotDecision>;
  /** An error the worker reports with `code`. */
  fail: (code: string, message: string) => Error;
  /** The key_limit error, carrying the two-key choice. */
  keyLimit: (userName: string | undefined, slot: KeySlotDecision) => Error;
  errorInfo: (error: unknown) => ErrorInfo;
  describeError: (error: unknown) => string;
  /** The chrome.storage.session key a deleted entry is kept under, for undo. */
  deletedKey: (storageKey: string) => string;
}

/** Room a create needs in chrome.storage.local: its marker and sealed entry (~1 KB), with margin. */
const CREATE_HEADROOM_BYTES = 64 * 1024;

type AwsFlowHandlers = { [T in AwsFlowMessageType]: (message: MessageOf<T>) => Promise<ResultByType[T]> };
type AwsArgs = Awaited<ReturnType<AwsFlowDeps['providerArgs']>>;
type CreatedByCore = Awaited<ReturnType<typeof iamCreateAccessKey>>;

/** The handlers, and createAndVault for the worker's own aws.createAccessKey. */
export function awsFlows(deps: AwsFlowDeps): {
  handlers: AwsFlowHandlers;
  createAndVault: typeof createAndVault;
} {
  /** Rotations change one user's keys in several steps: one rotation operation at a time. */
  const oneRotationAtATime = makeQueue();
  const handlers: AwsFlowHandlers = {
    'aws.createUser': createUser,
    'aws.attachUserPolicy': attachUserPolicy,
    'aws.listAttachedUserPolicies': listAttachedUserPolicies,
    'aws.pendingCreates': () => stalePending(),
    'aws.findOrphans': findOrphans,
    'aws.dismissPending': async (message) => {
      await clearPending(message.markerId);
      return { markerId: message.markerId };
    },
    'aws.rotation.start': (message) => oneRotationAtATime(() => startRotation(message)),
    'aws.rotation.list': () => listRotations(),
    'aws.rotation.resume': (message) => oneRotationAtATime(() => resumeRotation(message)),
    'aws.rotation.confirm': (message) => oneRotationAtATime(() => confirmRotation(message)),
    'aws.rotation.rollback': (message) => oneRotationAtATime(() => rollBackRotation(message)),
  };
  return { handlers, createAndVault };

  // The rest are function declarations (hoisted): no statement below this line runs.

  /**
   * Create and vault, with a pending marker around the part whose outcome a dead worker would
   * leave unknown: written before CreateAccessKey is sent, cleared once the sealed entry is
   * stored (or AWS answered no). A marker left behind is reported as a possible orphan
   * (aws.pendingCreates, aws.findOrphans). `onAnswered` runs after AWS answered, before storing.
   */
  async function createAndVault(
    args: AwsArgs,
    header: string,
    userName: string | undefined,
    purpose: PendingCreate['purpose'],
    options: { pushSecret?: { region: string; name: string }; onAnswered?: (created: CreatedByCore) => Promise<void> },
  ): Promise<CreatedAccessKey & { storageKey: string; timings: CreateTimings }> {
    const who = userName ?? 'the signing user';
    if ((await localBytesFree()) < CREATE_HEADROOM_BYTES) {
      throw deps.fail(
        WorkerErrorCode.storageFull,
        "the browser's storage for Keysmith is full, so a new key could not be vaulted: nothing was created. " +
          'Delete entries you no longer need, then try again',
      );
    }
    let marker: PendingCreate;
    try {
      marker = await markPending(userName, purpose);
    } catch (error) {
      throw deps.fail(
        WorkerErrorCode.storageFailed,
        `the create could not be recorded before sending it (${deps.describeError(error)}): nothing was created`,
      );
    }
    KEYSMITH_TEST: await pausePoint('before-request');
    let created: CreatedByCore;
    try {
      created = await iamCreateAccessKey({
        ...args,
        ...(userName === undefined ? {} : { userName }),
        vaultHeader: header,
        ...(options.pushSecret === undefined
          ? {}
          : { pushSecret: { ...options.pushSecret, clientRequestToken: crypto.randomUUID() } }),
      });
    } catch (error) {
      if (outcomeKnown(error)) {
        await clearPending(marker.id);
        throw error;
      }
      abandonPending(marker.id);
      throw deps.fail(
        WorkerErrorCode.outcomeUnknown,
        `${deps.errorInfo(error).message}. AWS may have created a key for ${who} all the same: ` +
          'it is listed under "Unfinished creates", where you can check and delete it',
      );
    }
    let storeMs = 0;
    try {
      await options.onAnswered?.(created);
      KEYSMITH_TEST: await pausePoint('after-provider');
      // Persist first, answer second: once the caller hears "created", the key is in the vault.
      const storing = performance.now();
      await chrome.storage.local.set({ [created.entry.storageKey]: created.entry.value });
      storeMs = performance.now() - storing;
    } catch (error) {
      throw await undoUnvaulted(args, userName, created, marker, error);
    }
    KEYSMITH_TEST: await pausePoint('after-store');
    await clearPending(marker.id).catch((error: unknown) => {
      // The key is vaulted; a marker left behind only makes the next check find nothing.
      console.warn('Keysmith: could not clear a pending-create marker:', deps.describeError(error));
    });
    const result: CreatedAccessKey & { storageKey: string; timings: CreateTimings } = {
      timings: sumTimings([created.timings], storeMs),
      accessKeyId: created.accessKeyId,
      userName: created.userName,
      status: created.status,
      createDate: created.createDate,
      entryId: created.entry.id,
      storageKey: created.entry.storageKey,
    };
    if (created.pushed !== undefined) {
      result.pushed = { arn: created.pushed.arn, name: created.pushed.name, versionId: created.pushed.versionId };
    }
    if (created.pushError !== undefined) {
      result.pushError = deps.errorInfo(created.pushError);
    }
    return result;
  }

  /**
   * Did AWS definitely not create the key? A 4xx error answer, or an error raised before
   * anything was sent, says so; no answer, an unreadable one, a 5xx, or a key the core could not
   * seal leave it open.
   */
  function outcomeKnown(error: unknown): boolean {
    const info = deps.errorInfo(error);
    if (info.code === 'provider_error') {
      return info.status !== undefined && info.status < 500;
    }
    return !['network', 'malformed_response', 'not_vaulted', WorkerErrorCode.internal].includes(info.code);
  }

  /**
   * The key exists in AWS but its sealed entry could not be stored (storage full, or failing):
   * it is deleted in IAM, since its secret is about to be lost; if that fails too, its marker
   * stays and it is reported as an orphan.
   */
  async function undoUnvaulted(
    args: AwsArgs,
    userName: string | undefined,
    created: CreatedByCore,
    marker: PendingCreate,
    cause: unknown,
  ): Promise<Error> {
    const why = deps.describeError(cause);
    try {
      await iamDeleteAccessKey({ ...args, ...(userName === undefined ? {} : { userName }), accessKeyId: created.accessKeyId });
    } catch (error) {
      abandonPending(marker.id);
      return deps.fail(
        WorkerErrorCode.notVaulted,
        `access key ${created.accessKeyId} was created for ${created.userName} but could not be saved (${why}), ` +
          `and deleting it failed too (${deps.errorInfo(error).message}): it is listed under "Unfinished creates"`,
      );
    }
    await clearPending(marker.id).catch(() => undefined);
    return deps.fail(
      WorkerErrorCode.storageFailed,
      `access key ${created.accessKeyId} was created for ${created.userName} but could not be saved (${why}); ` +
        'Keysmith deleted it again in IAM, so nothing is left behind. Free some space and create it again',
    );
  }

  /** A pending create's user: their keys, each marked in the vault or not (needs the vault open). */
  async function findOrphans(message: MessageOf<'aws.findOrphans'>): Promise<OrphanCheck> {
    await deps.requireCore();
    await deps.requireUnlockedVault();
    const marker = await loadPending(message.markerId);
    if (marker === undefined) {
      throw deps.fail(WorkerErrorCode.notFound, 'this unfinished create was already resolved');
    }
    const listed: { accessKeyId: string; status: string; createDate: string }[] = await iamListAccessKeys({
      ...(await deps.providerArgs(message.signerId)),
      ...(marker.userName === null ? {} : { userName: marker.userName }),
    });
    const signerKeyId = await deps.signerKeyId(message.signerId);
    const vaulted = new Set<string>();
    for (const item of vaultListEntries(await deps.storedEntries())) {
      if (!('error' in item) && typeof item.accessKeyId === 'string') {
        vaulted.add(item.accessKeyId);
      }
    }
    const since = marker.startedAt - ORPHAN_CLOCK_MARGIN_MS;
    const keys = listed.map((key) => {
      const created = Date.parse(key.createDate);
      return {
        accessKeyId: key.accessKeyId,
        status: key.status,
        createDate: key.createDate,
        inVault: vaulted.has(key.accessKeyId),
        isSigner: key.accessKeyId === signerKeyId,
        // A date AWS wrote that cannot be read counts as new: better shown than hidden.
        newerThanMarker: Number.isNaN(created) || created >= since,
      };
    });
    const check: OrphanCheck = { marker, keys, resolved: false };
    check.resolved = orphansOf(check).length === 0;
    if (check.resolved) {
      await clearPending(marker.id);
    }
    await deps.touchVault();
    return check;
  }

  // ----- IAM users -----------------------------------------------------------------------------------

  async function createUser(message: MessageOf<'aws.createUser'>): Promise<IamUser> {
    await deps.requireCore();
    const user: IamUser = await iamCreateUser({ ...(await deps.providerArgs(message.signerId)), userName: message.userName });
    return { userName: user.userName, userId: user.userId, arn: user.arn, path: user.path, createDate: user.createDate };
  }

  async function attachUserPolicy(message: MessageOf<'aws.attachUserPolicy'>): Promise<{ policyArn: string }> {
    await deps.requireCore();
    const attached: { policyArn: string } = await iamAttachUserPolicy({
      ...(await deps.providerArgs(message.signerId)),
      userName: message.userName,
      policy: message.policy,
    });
    return { policyArn: attached.policyArn };
  }

  async function listAttachedUserPolicies(message: MessageOf<'aws.listAttachedUserPolicies'>): Promise<AttachedPolicy[]> {
    await deps.requireCore();
    const policies: AttachedPolicy[] = await iamListAttachedUserPolicies({
      ...(await deps.providerArgs(message.signerId)),
      userName: message.userName,
    });
    return policies.map((policy) => ({ policyName: policy.policyName, policyArn: policy.policyArn }));
  }

  // ----- rotation ------------------------------------------------------------------------------------

  /** Records `done` (if any) through the core's step machine, and saves the record. */
  async function advanceRotation(
    record: RotationRecord,
    done?: string,
    extra: { newKeyId?: string; entryStorageKey?: string } = {},
  ): Promise<RotationRecord> {
    const step = {
      userName: record.userName,
      oldKeyId: record.oldKeyId,
      state: record.state,
      ...(record.newKeyId === undefined ? {} : { newKeyId: record.newKeyId }),
    };
    const advice = rotationAdvance(step, done, extra.newKeyId);
    const next: RotationRecord = {
      ...record,
      ...(extra.entryStorageKey === undefined ? {} : { entryStorageKey: extra.entryStorageKey }),
      state: advice.step.state,
      next: advice.next,
      canRollBack: advice.rollback !== null,
    };
    if (advice.step.newKeyId !== undefined) {
      next.newKeyId = advice.step.newKeyId;
    }
    return saveRotation(next);
  }

  async function requireRotation(id: string): Promise<RotationRecord> {
    const record = await loadRotation(id);
    if (record === undefined) {
      throw deps.fail(WorkerErrorCode.notFound, 'there is no such rotation (finished or rolled back already?)');
    }
    return record;
  }

  async function startRotation(message: MessageOf<'aws.rotation.start'>): Promise<RotationRecord> {
    await deps.requireCore();
    const header = await deps.requireVaultForCreate();
    const running = (await listRotations()).find((record) => record.userName === message.userName);
    if (running !== undefined) {
      throw deps.fail(
        WorkerErrorCode.rotationBlocked,
        `a rotation of ${message.userName}'s key ${running.oldKeyId} is unfinished: resume or roll it back first`,
      );
    }
    const slot = await deps.keySlot(message);
    const old = slot.keys.find((key) => key.accessKeyId === message.oldKeyId);
    if (old === undefined) {
      throw deps.fail(WorkerErrorCode.notFound, `${message.userName} has no access key ${message.oldKeyId}`);
    }
    if (old.isSigner) {
      throw deps.fail(
        WorkerErrorCode.rotationBlocked,
        `${message.oldKeyId} is the key that signs Keysmith's requests: deactivating it half-way would lock Keysmith out. ` +
          'Sign with another identity to rotate it',
      );
    }
    if (!slot.canCreate) {
      // Rotation needs the second slot for the new key.
      throw deps.keyLimit(message.userName, slot);
    }
    const now = Date.now();
    const record = await advanceRotation({
      id: newRecordId(),
      userName: message.userName,
      oldKeyId: message.oldKeyId,
      state: 'started',
      startedAt: now,
      updatedAt: now,
      next: 'create_new_key',
      canRollBack: true,
    });
    return runRotation(record, await deps.providerArgs(message.signerId), header);
  }

  async function resumeRotation(message: MessageOf<'aws.rotation.resume'>): Promise<RotationRecord> {
    await deps.requireCore();
    const header = await deps.requireVaultForCreate();
    const record = await requireRotation(message.rotationId);
    return runRotation(record, await deps.providerArgs(message.signerId), header);
  }

  /** Runs the forward steps up to the user's confirmation, recording each. */
  async function runRotation(start: RotationRecord, args: AwsArgs, header: string): Promise<RotationRecord> {
    let record = start;
    for (;;) {
      switch (record.next) {
        case 'create_new_key': {
          const created = await createAndVault(args, header, record.userName, 'rotation', {
            onAnswered: async (answer) => {
              record = await advanceRotation(record, 'create_new_key', {
                newKeyId: answer.accessKeyId,
                entryStorageKey: answer.entry.storageKey,
              });
            },
          });
          record = await advanceRotation(record, 'vault_new_key');
          console.info(`Keysmith: rotation ${record.id}: new key ${created.accessKeyId} vaulted`);
          break;
        }
        case 'vault_new_key': {
          // Resumed after the worker stopped between AWS's answer and the store.
          const key = record.entryStorageKey;
          const stored = key === undefined ? {} : await chrome.storage.local.get(key);
          if (key === undefined || typeof (stored as Record<string, unknown>)[key] !== 'string') {
            throw deps.fail(
              WorkerErrorCode.rotationBlocked,
              `the new key ${record.newKeyId ?? ''} was created, but its secret was lost before it reached the vault: ` +
                `roll this rotation back (that deletes it; ${record.oldKeyId} was not touched)`,
            );
          }
          record = await advanceRotation(record, 'vault_new_key');
          break;
        }
        case 'deactivate_old_key':
          await iamUpdateAccessKey({ ...args, userName: record.userName, accessKeyId: record.oldKeyId, status: 'Inactive' });
          record = await advanceRotation(record, 'deactivate_old_key');
          break;
        default:
          // await_confirmation, or nothing left to do.
          return record;
      }
    }
  }

  async function confirmRotation(message: MessageOf<'aws.rotation.confirm'>): Promise<RotationRecord> {
    await deps.requireCore();
    const record = await requireRotation(message.rotationId);
    if (record.next !== 'await_confirmation') {
      throw deps.fail(
        WorkerErrorCode.rotationBlocked,
        `the old key ${record.oldKeyId} is not deactivated yet: resume the rotation first`,
      );
    }
    await deleteKeyIfPresent(await deps.providerArgs(message.signerId), record.userName, record.oldKeyId);
    const done = await advanceRotation(record, 'delete_old_key');
    await removeRotation(done.id);
    return done;
  }

  /** Deletes a key; one already gone (a step repeated after the worker stopped) counts as done. */
  async function deleteKeyIfPresent(args: AwsArgs, userName: string, accessKeyId: string): Promise<void> {
    try {
      await iamDeleteAccessKey({ ...args, userName, accessKeyId });
    } catch (error) {
      if (deps.errorInfo(error).providerCode !== 'NoSuchEntity') {
        throw error;
      }
    }
  }

  /** Undoes a rotation: the old key active again first, then the new key deleted (and its entry). */
  async function rollBackRotation(message: MessageOf<'aws.rotation.rollback'>): Promise<RotationRecord> {
    await deps.requireCore();
    const record = await requireRotation(message.rotationId);
    const args = await deps.providerArgs(message.signerId);
    const step = {
      userName: record.userName,
      oldKeyId: record.oldKeyId,
      state: record.state,
      ...(record.newKeyId === undefined ? {} : { newKeyId: record.newKeyId }),
    };
    const plan = rotationAdvance(step, undefined, undefined).rollback;
    if (plan === null) {
      throw deps.fail(WorkerErrorCode.rotationBlocked, 'the old key is already deleted: this rotation cannot be rolled back');
    }
    for (const action of plan) {
      if (action === 'reactivate_old_key') {
        await iamUpdateAccessKey({ ...args, userName: record.userName, accessKeyId: record.oldKeyId, status: 'Active' });
      } else if (action === 'delete_new_key' && record.newKeyId !== undefined) {
        await deleteKeyIfPresent(args, record.userName, record.newKeyId);
        if (record.entryStorageKey !== undefined) {
          // Its key no longer exists: the entry goes to "recently deleted" (undo until the browser closes).
          const stored: Record<string, unknown> = await chrome.storage.local.get(record.entryStorageKey);
          const value = stored[record.entryStorageKey];
          if (typeof value === 'string') {
            await chrome.storage.session.set({ [deps.deletedKey(record.entryStorageKey)]: value });
            await chrome.storage.local.remove(record.entryStorageKey);
          }
        }
      }
    }
    const done = await advanceRotation(record, 'rolled_back');
    await removeRotation(done.id);
    return done;
  }
}

/** A queue: each run starts once the previous one settled, whatever its outcome. */
export function makeQueue(): <T>(run: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(run: () => Promise<T>): Promise<T> => {
    const next = tail.then(
      () => run(),
      () => run(),
    );
    tail = next.catch(() => undefined);
    return next;
  };
}
