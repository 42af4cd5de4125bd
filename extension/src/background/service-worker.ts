// Service worker: loads the WASM core, checks who is asking, validates messages and routes them
// to the core. It owns the vault's lock state: the unlocked private key lives in the core's WASM
// memory, parked in chrome.storage.session so that a worker restart does not lock the vault,
// and an alarm locks it after the configured idle time (see SECURITY.md).

import init, {
  coreVersion,
  ec2CreateKeyPair,
  ec2DeleteKeyPair,
  ec2DescribeKeyPairs,
  iamDeleteAccessKey,
  iamKeySlot,
  iamUpdateAccessKey,
  signAwsRequest,
  stsGetCallerIdentity,
  vaultChangePassphrase,
  vaultCreate,
  vaultDescribe,
  vaultExport,
  vaultImport,
  vaultIsUnlocked,
  vaultListEntries,
  vaultLock,
  vaultResume,
  vaultSessionKey,
  vaultUnlock,
} from '../../../build/pkg/keysmith_core.js';
import {
  AUTO_LOCK_ALARM,
  type AwsSignature,
  type CallerIdentity,
  type CreatedAccessKey,
  type CreatedKeyPair,
  type KeyPairInfo,
  type KeySlotDecision,
  DEFAULT_SETTINGS,
  type DeleteResult,
  type EntrySummary,
  type ErrorInfo,
  type ExportedText,
  type ImportResult,
  MessageValidationError,
  type MessageOf,
  type MessageType,
  type PingResult,
  type Reply,
  type RequestMessage,
  type ResultByType,
  SENDER_REQUIREMENT,
  STORAGE,
  type Settings,
  type VaultList,
  type VaultListItem,
  type VaultStatus,
  WorkerErrorCode,
  parseMessageType,
  parseRequestMessage,
  parseSettings,
} from '../shared/messages.js';
import { awsFlows, makeQueue } from './aws-flows.js';
import { consoleHandlers, consoleSenderMayAsk } from './console.js';
import { createConsoleLimiter } from './console-limit.js';
import { scalewayHandlers } from './scaleway.js';
import { type SignerArgs, createSigners } from './signers.js';
import { CREATE_MEASURE, recordMeasure } from './timings.js';
import { isConsoleMessageType } from '../shared/console-messages.js';
import { createVaultFile } from './vault-file.js';
import { makeGate } from './vault-gate.js';


/** What chrome.storage.session holds while the vault is unlocked. */
interface ParkedKey {
  /** vaultSessionKey(): the unwrapped private key, base64. */
  sessionKey: string;
  /** When the vault locks itself unless used before (ms since the epoch). */
  lockAt: number;
}

// No top-level await: MV3 refuses to start a worker that awaits at top level, and listeners must
// be registered synchronously on every start. Handlers await these promises instead.
const coreReady: Promise<void> = init({
  module_or_path: chrome.runtime.getURL('core/keysmith_core_bg.wasm'),
}).then(() => undefined);
coreReady.catch((error: unknown) => {
  // Reported to every caller as core_unavailable; logged once here for the developer.
  console.error('Keysmith: the WASM core failed to load:', describeError(error));
});

/**
 * Vault operations that change the lock state or the header run one at a time, in order:
 * unlock, lock, create, change passphrase, vault-file import, the auto-lock alarm, and the resume
 * on start.
 */
const serially = makeQueue();

/**
 * Settings changes run one at a time too (their own queue: a change may touch the vault, which
 * queues on the vault's), so two options windows saving at once cannot lose each other's change.
 */
const settingsSerially = makeQueue();

/**
 * Every message runs under a shared hold of this gate, and a vault-file import (which replaces
 * the vault's key pair) under an exclusive one: a create that read the header, sealed its key to
 * it and stores the entry cannot straddle the replacement (vault-gate.ts). A passphrase change
 * keeps the key pair, so it needs no more than the vault queue. Taken once per message, here
 * (never from a handler: the console's dispatch runs inside its message's hold), and the import
 * joins the vault queue only once it holds the gate, so a held message waiting on that queue
 * (touchVault) never waits for the import that waits for it.
 */
const vaultGate = makeGate();
const REPLACES_VAULT: ReadonlySet<MessageType> = new Set(['vault.importFile']);

/**
 * Creates and "Vault this key" that console pages ask for are counted in a sliding window
 * (console-limit.ts); over the limit they are refused before the handler runs. Only the console
 * message types are counted: the popup's and options' creates never are.
 */
const consoleLimit = createConsoleLimiter();

/**
 * Settles once the core is loaded and the lock state from before a restart is restored. Queued
 * first, synchronously, so every vault operation runs after it.
 */
const workerReady: Promise<void> = serially(async () => {
  await coreReady;
  await restoreLockState();
});
workerReady.catch(() => undefined); // coreReady's failure is reported by requireCore

restrictLocalStorage();

// First run: the options page walks through creating the vault and adding a signer identity.
chrome.runtime.onInstalled.addListener((details) => {
  if (details.reason !== 'install') {
    return;
  }
  // #welcome: the options page shows only the first-run steps until the vault exists.
  chrome.tabs.create({ url: chrome.runtime.getURL('options.html#welcome') }).catch((error: unknown) => {
    console.warn('Keysmith: could not open the first-run page:', describeError(error));
  });
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name !== AUTO_LOCK_ALARM) {
    return;
  }
  serially(autoLock).catch((error: unknown) => {
    console.error('Keysmith: auto-lock failed:', describeError(error));
  });
});

/**
 * The auto-lock alarm's work, in the queue. An alarm that fired just as the vault was used or
 * unlocked has its lock queued behind that operation, which parked a new deadline (and replaced
 * the alarm): the vault was not idle after all, so it stays open until the new deadline. Without
 * a parked deadline still ahead, it locks.
 */
async function autoLock(): Promise<void> {
  const parked = vaultIsUnlocked() ? await loadParkedKey() : undefined;
  if (parked !== undefined && parked.lockAt > Date.now()) {
    // The alarm parkKey set is normally there; make sure of it, so the vault cannot stay open.
    const alarm = await chrome.alarms.get(AUTO_LOCK_ALARM);
    if (alarm === undefined || alarm.scheduledTime > parked.lockAt) {
      await chrome.alarms.create(AUTO_LOCK_ALARM, { when: parked.lockAt });
    }
    return;
  }
  await lockVault('idle timeout');
}

class WorkerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerError';
  }
}

/** The user already has two access keys: carries the choice the popup shows. */
class KeyLimitError extends WorkerError {
  constructor(
    userName: string | undefined,
    readonly keySlot: KeySlotDecision,
  ) {
    super(
      WorkerErrorCode.keyLimit,
      `${userName === undefined ? 'the signing user' : `user ${userName}`} already has two access keys (the most IAM allows): deactivate or delete one first`,
    );
    this.name = 'KeyLimitError';
  }
}

type SenderKind = 'extension-page' | 'content-script' | 'foreign';

/**
 * Classifies a sender. An extension page (popup, options, a tab showing one of our pages) has
 * our id and a URL inside our origin; a content script has our id but the URL of the web page
 * it runs in. Anything else is foreign (we declare no externally_connectable, so Chrome should
 * never deliver such a message to onMessage; checked anyway).
 */
function classifySender(sender: chrome.runtime.MessageSender): SenderKind {
  if (sender.id !== chrome.runtime.id) {
    return 'foreign';
  }
  const extensionBase = chrome.runtime.getURL('');
  const extensionOrigin = extensionBase.replace(/\/$/, '');
  const urlIsOurs = typeof sender.url === 'string' && sender.url.startsWith(extensionBase);
  const originIsOurs = sender.origin === undefined || sender.origin === extensionOrigin;
  return urlIsOurs && originIsOurs ? 'extension-page' : 'content-script';
}

function senderMayAsk(kind: SenderKind, type: MessageType, sender: chrome.runtime.MessageSender): boolean {
  switch (SENDER_REQUIREMENT[type]) {
    case 'any-extension-context':
      return kind !== 'foreign';
    case 'extension-page':
      return kind === 'extension-page';
    case 'console-content-script':
      return kind === 'content-script' && isConsoleMessageType(type) && consoleSenderMayAsk(sender, type);
  }
}

chrome.runtime.onMessage.addListener((message: unknown, sender, sendResponse: (reply: Reply<unknown>) => void) => {
  handleMessage(message, sender).then(sendResponse, (error: unknown) => {
    // handleMessage turns every failure into a reply; reaching this is a bug worth seeing.
    console.error('Keysmith: unexpected failure while handling a message:', describeError(error));
    sendResponse({ ok: false, error: { code: WorkerErrorCode.internal, message: 'internal error in the service worker' } });
  });
  return true; // the reply is sent asynchronously
});

async function handleMessage(raw: unknown, sender: chrome.runtime.MessageSender): Promise<Reply<unknown>> {
  let label = 'message';
  try {
    const kind = classifySender(sender);
    if (kind === 'foreign') {
      throw new WorkerError(WorkerErrorCode.senderNotAllowed, 'messages from other extensions or web pages are not accepted');
    }
    // The sender is checked on the type alone, before the rest of the message is even parsed.
    const type = parseMessageType(raw);
    label = type;
    if (!senderMayAsk(kind, type, sender)) {
      throw new WorkerError(
        WorkerErrorCode.senderNotAllowed,
        SENDER_REQUIREMENT[type] === 'console-content-script'
          ? `"${type}" is only accepted from Keysmith's content scripts in the AWS and Scaleway consoles`
          : `"${type}" is only accepted from Keysmith's own pages, not from content scripts`,
      );
    }
    const message = parseRequestMessage(raw);
    const hold = REPLACES_VAULT.has(type) ? vaultGate.exclusive : vaultGate.shared;
    return { ok: true, result: await consoleLimit.limit(type, () => hold(() => route(message))) };
  } catch (error) {
    const info = toErrorInfo(error);
    // Codes and provider messages only: requests and credentials are never logged.
    console.warn(`Keysmith: ${label} failed: ${info.code}${info.providerCode ? ` (${info.providerCode})` : ''}`);
    return { ok: false, error: info };
  }
}

/** Signer identities: `signers.loadSigner(signerId, provider)` is how a handler gets one. */
const signers = createSigners({
  requireCore: () => requireCore(),
  loadSettings: () => loadSettings(),
  loadHeader: () => loadHeader(),
  touchVault: () => touchVault(),
  deleteEntry: (storageKey) => deleteEntry({ type: 'vault.delete', storageKey }),
  fail: (code, message) => new WorkerError(code, message),
});

/** Users, pending markers and rotations (aws-flows.ts), on the worker's signer path. */
const awsFlow = awsFlows({
  requireCore: () => requireCore(),
  providerArgs: (signerId) => providerArgs(signerId),
  signerKeyId: async (signerId) => (await signers.loadSigner(signerId, 'aws')).item.keyId,
  requireVaultForCreate: () => requireVaultForCreate(),
  requireUnlockedVault: async () => {
    await requireHeader();
    requireUnlocked();
  },
  storedEntries: () => storedEntries(chrome.storage.local, STORAGE.entryPrefix),
  touchVault: () => touchVault(),
  keySlot: (message) => keySlot(message),
  fail: (code, message) => new WorkerError(code, message),
  keyLimit: (userName, slot) => new KeyLimitError(userName, slot),
  errorInfo: (error) => toErrorInfo(error),
  describeError: (error) => describeError(error),
  deletedKey: (storageKey) => deletedKey(storageKey),
});

/** The whole vault as a file: export, and import on another browser (vault-file.ts). */
const vaultFile = createVaultFile({
  requireCore: () => requireCore(),
  loadHeader: () => loadHeader(),
  loadParkedKey: () => loadParkedKey(),
  storedEntries: (area, prefix) => storedEntries(area, prefix),
  serially: (run) => serially(run),
  parkKey: () => parkKey(),
  forgetSessionSigners: () => signers.forgetSessionSigners(),
  vaultStatus: () => vaultStatus(),
  fail: (code, message) => new WorkerError(code, message),
});

/** One handler per message type, each checked against its contract's result type. */
type Handlers = { [T in MessageType]: (message: MessageOf<T>) => Promise<ResultByType[T]> };

const HANDLERS: Handlers = {
  ping: () => ping(),
  'settings.get': () => loadSettings(),
  'settings.set': (message) => settingsSerially(() => updateSettings(message)),
  'vault.status': () => vaultStatus(),
  'vault.create': (message) => serially(() => createVault(message)),
  'vault.unlock': (message) => serially(() => unlockVault(message)),
  'vault.lock': () =>
    serially(async () => {
      await lockVault('asked');
      return vaultStatus();
    }),
  'vault.list': () => listEntries(),
  'vault.export': exportEntry,
  'vault.import': importEntries,
  'vault.delete': deleteEntry,
  'vault.restore': restoreEntry,
  'vault.changePassphrase': (message) => serially(() => changePassphrase(message)),
  ...vaultFile.handlers,
  ...signers.handlers,
  'aws.getCallerIdentity': getCallerIdentity,
  'aws.createAccessKey': createAccessKey,
  'aws.sign': sign,
  'aws.keySlot': keySlot,
  'aws.updateAccessKey': updateAccessKey,
  'aws.deleteAccessKey': deleteAccessKey,
  'aws.createKeyPair': createKeyPair,
  'aws.describeKeyPairs': describeKeyPairs,
  'aws.deleteKeyPair': deleteKeyPair,
  ...awsFlow.handlers,
  ...scalewayHandlers({
    requireCore: () => requireCore(),
    loadSettings: () => loadSettings(),
    loadHeader: () => loadHeader(),
    loadSigner: (signerId, provider) => signers.loadSigner(signerId, provider),
    fail: (code, message) => new WorkerError(code, message),
  }),
  ...consoleHandlers({
    requireCore: () => requireCore(),
    loadSettings: () => loadSettings(),
    loadHeader: () => loadHeader(),
    dispatch: <M extends RequestMessage>(message: M) => route(message) as Promise<ResultByType[M['type']]>,
    fail: (code, message) => new WorkerError(code, message),
  }),
};

function route(message: RequestMessage): Promise<unknown> {
  // TypeScript cannot correlate message.type with the matching handler's parameter; HANDLERS is
  // typed per message above, so this single widening is safe.
  const handler = HANDLERS[message.type] as (message: RequestMessage) => Promise<unknown>;
  return handler(message);
}

async function requireCore(): Promise<void> {
  try {
    await coreReady;
    await workerReady;
  } catch (error) {
    throw new WorkerError(WorkerErrorCode.coreUnavailable, `the Keysmith core could not be loaded: ${describeError(error)}`);
  }
}

async function ping(): Promise<PingResult> {
  await requireCore();
  return { coreVersion: coreVersion() };
}

/**
 * The settings and the vault header as this worker last read or wrote them: one create reads
 * them several times, and every chrome.storage call is a round trip to the browser process.
 * Writes here go through writeRecord; chrome.storage.onChanged drops a copy that anything else
 * changes; a failed read is not kept.
 */
const recordCache = new Map<string, Promise<Record<string, unknown>>>();
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local') {
    for (const key of Object.keys(changes)) {
      recordCache.delete(key);
    }
  }
});

function readRecord(key: string): Promise<Record<string, unknown>> {
  let read = recordCache.get(key);
  if (read === undefined) {
    read = chrome.storage.local.get(key);
    recordCache.set(key, read);
    read.catch(() => recordCache.delete(key));
  }
  return read;
}

async function writeRecord(key: string, value: unknown): Promise<void> {
  recordCache.delete(key);
  try {
    await chrome.storage.local.set({ [key]: value });
  } finally {
    // A read that started while writing may hold the old value.
    recordCache.delete(key);
  }
}

async function loadSettings(): Promise<Settings> {
  const stored = await readRecord(STORAGE.settings);
  const value = stored[STORAGE.settings];
  if (value === undefined) {
    return DEFAULT_SETTINGS;
  }
  try {
    return parseSettings(value);
  } catch (error) {
    // A corrupt settings record must not send credentials somewhere unexpected: fall back to the
    // real provider hosts (and the default auto-lock), and say so.
    console.warn('Keysmith: stored settings are invalid, using defaults:', describeError(error));
    return DEFAULT_SETTINGS;
  }
}

/** Applies the fields the message carries, and only those, over the stored settings. */
async function updateSettings(message: MessageOf<'settings.set'>): Promise<Settings> {
  const current = await loadSettings();
  const { type: _type, ...change } = message;
  const settings: Settings = { ...current, ...change };
  await writeRecord(STORAGE.settings, settings);
  if (settings.autoLockMinutes !== current.autoLockMinutes) {
    // A new timeout applies from now on, to the vault as it is (never coalesced away).
    await serially(parkKey);
  }
  return settings;
}

/**
 * Base arguments shared by AWS calls: the signer's sealed record (opened in the core with the
 * unlocked vault key; with its MFA session when it has one) plus the custom endpoint, if any.
 */
async function providerArgs(signerId: string): Promise<SignerArgs & { endpoint?: string }> {
  const { args } = await signers.loadSigner(signerId, 'aws');
  const { endpoints } = await loadSettings();
  return endpoints.aws === undefined ? { ...args } : { ...args, endpoint: endpoints.aws };
}

async function getCallerIdentity(message: MessageOf<'aws.getCallerIdentity'>): Promise<CallerIdentity> {
  await requireCore();
  const identity: CallerIdentity = await stsGetCallerIdentity(await providerArgs(message.signerId));
  return { account: identity.account, arn: identity.arn, userId: identity.userId };
}

async function createAccessKey(message: MessageOf<'aws.createAccessKey'>): Promise<CreatedAccessKey> {
  const started = performance.now();
  await requireCore();
  // Refused before any provider call: a key whose secret has nowhere to go must not be made.
  const header = await requireVaultForCreate();
  const args = await providerArgs(message.signerId);
  // Created straight away: with both slots taken, IAM refuses (LimitExceeded) and creates
  // nothing, and the core's error then carries the user's keys and a suggestion (keySlot), so
  // the user chooses which key to free, never silently. Listing first would cost every create
  // one to two more round trips to IAM for the same choice (and could be stale by the create).
  try {
    const { storageKey: _storageKey, timings, ...created } = await awsFlow.createAndVault(
      args,
      header,
      message.userName,
      'create',
      { ...(message.pushSecret === undefined ? {} : { pushSecret: message.pushSecret }) },
    );
    recordMeasure(CREATE_MEASURE.awsCreateAccessKey, started, timings);
    return created;
  } catch (error) {
    const keySlot = (error as { keySlot?: KeySlotDecision } | null)?.keySlot;
    throw keySlot === undefined ? error : new KeyLimitError(message.userName, copyKeySlot(keySlot));
  }
}

async function requireVaultForCreate(): Promise<string> {
  const header = await loadHeader();
  if (header === undefined) {
    throw new WorkerError(
      WorkerErrorCode.noVault,
      'set up the vault first: a new key goes straight into the vault, so create the vault before creating keys',
    );
  }
  return header;
}

/** The user's access keys and whether a new one fits (IAM allows two per user). */
async function keySlot(message: { signerId: string; userName?: string }): Promise<KeySlotDecision> {
  await requireCore();
  const decision: KeySlotDecision = await iamKeySlot({
    ...(await providerArgs(message.signerId)),
    ...(message.userName === undefined ? {} : { userName: message.userName }),
  });
  return copyKeySlot(decision);
}

/** A plain copy with only the documented fields (the reply is JSON-serialised anyway). */
function copyKeySlot(decision: KeySlotDecision): KeySlotDecision {
  const copy: KeySlotDecision = {
    canCreate: decision.canCreate,
    keys: decision.keys.map((key) => ({ ...key })),
  };
  if (decision.suggested !== undefined) {
    copy.suggested = { accessKeyId: decision.suggested.accessKeyId, action: decision.suggested.action };
  }
  return copy;
}

/** Activates or deactivates one key; replies with the user's keys as they now are. */
async function updateAccessKey(message: MessageOf<'aws.updateAccessKey'>): Promise<KeySlotDecision> {
  await requireCore();
  await iamUpdateAccessKey({
    ...(await providerArgs(message.signerId)),
    ...(message.userName === undefined ? {} : { userName: message.userName }),
    accessKeyId: message.accessKeyId,
    status: message.status,
  });
  return keySlot(message);
}

/** Deletes one key (this frees its slot); replies with the user's keys as they now are. */
async function deleteAccessKey(message: MessageOf<'aws.deleteAccessKey'>): Promise<KeySlotDecision> {
  await requireCore();
  await iamDeleteAccessKey({
    ...(await providerArgs(message.signerId)),
    ...(message.userName === undefined ? {} : { userName: message.userName }),
    accessKeyId: message.accessKeyId,
  });
  return keySlot(message);
}

async function createKeyPair(message: MessageOf<'aws.createKeyPair'>): Promise<CreatedKeyPair> {
  await requireCore();
  const header = await loadHeader();
  if (header === undefined) {
    throw new WorkerError(
      WorkerErrorCode.noVault,
      'set up the vault first: a new private key goes straight into the vault, so create the vault before creating key pairs',
    );
  }
  const created = await ec2CreateKeyPair({
    ...(await providerArgs(message.signerId)),
    region: message.region,
    keyName: message.keyName,
    ...(message.keyType === undefined ? {} : { keyType: message.keyType }),
    ...(message.keyFormat === undefined ? {} : { keyFormat: message.keyFormat }),
    vaultHeader: header,
  });
  // Persist first, answer second, as for access keys.
  try {
    await chrome.storage.local.set({ [created.entry.storageKey]: created.entry.value });
  } catch (error) {
    throw new WorkerError(
      WorkerErrorCode.notVaulted,
      `key pair ${created.keyName} (${created.keyPairId}) was created in ${created.region} but could not be saved ` +
        `(${describeError(error)}); delete it in EC2 and create a new one`,
    );
  }
  return {
    keyName: created.keyName,
    keyPairId: created.keyPairId,
    keyFingerprint: created.keyFingerprint,
    keyType: created.keyType,
    keyFormat: created.keyFormat,
    region: created.region,
    entryId: created.entry.id,
  };
}

async function describeKeyPairs(message: MessageOf<'aws.describeKeyPairs'>): Promise<KeyPairInfo[]> {
  await requireCore();
  const pairs: KeyPairInfo[] = await ec2DescribeKeyPairs({
    ...(await providerArgs(message.signerId)),
    region: message.region,
    ...(message.keyNames === undefined ? {} : { keyNames: message.keyNames }),
  });
  return pairs.map((pair) => ({
    keyPairId: pair.keyPairId,
    keyName: pair.keyName,
    keyFingerprint: pair.keyFingerprint,
    keyType: pair.keyType,
    createTime: pair.createTime,
  }));
}

async function deleteKeyPair(message: MessageOf<'aws.deleteKeyPair'>): Promise<{ keyName: string }> {
  await requireCore();
  await ec2DeleteKeyPair({ ...(await providerArgs(message.signerId)), region: message.region, keyName: message.keyName });
  return { keyName: message.keyName };
}

async function sign(message: MessageOf<'aws.sign'>): Promise<AwsSignature> {
  await requireCore();
  const { args } = await signers.loadSigner(message.signerId, 'aws');
  const signed: AwsSignature = signAwsRequest(message.request, args, message.options);
  return {
    method: signed.method,
    headers: signed.headers,
    url: signed.url,
    canonicalRequest: signed.canonicalRequest,
    stringToSign: signed.stringToSign,
    signature: signed.signature,
  };
}

// ----- vault ------------------------------------------------------------------------------------

async function loadHeader(): Promise<string | undefined> {
  const stored = await readRecord(STORAGE.header);
  const header = stored[STORAGE.header];
  return typeof header === 'string' ? header : undefined;
}

async function requireHeader(): Promise<string> {
  const header = await loadHeader();
  if (header === undefined) {
    throw new WorkerError(WorkerErrorCode.noVault, 'there is no vault yet: set up the vault first');
  }
  return header;
}

function requireUnlocked(): void {
  if (!vaultIsUnlocked()) {
    throw new WorkerError(WorkerErrorCode.locked, 'the vault is locked: unlock it with your passphrase');
  }
}

async function loadParkedKey(): Promise<ParkedKey | undefined> {
  const stored: Record<string, unknown> = await chrome.storage.session.get(STORAGE.unlocked);
  const value = stored[STORAGE.unlocked];
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ParkedKey).sessionKey === 'string' &&
    typeof (value as ParkedKey).lockAt === 'number'
  ) {
    return value as ParkedKey;
  }
  return undefined;
}

/** Entries in chrome.storage.local (or session, for the deleted ones) as [storageKey, value]. */
async function storedEntries(area: chrome.storage.StorageArea, prefix: string): Promise<[string, string][]> {
  const all: Record<string, unknown> = await area.get(null);
  const pairs: [string, string][] = [];
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(prefix) && typeof value === 'string') {
      pairs.push([key, value]);
    }
  }
  return pairs;
}

/**
 * After a restart: resume from the parked key if the vault was unlocked and its idle time has
 * not run out while the worker was stopped; otherwise make sure nothing stays parked.
 */
async function restoreLockState(): Promise<void> {
  try {
    const parked = await loadParkedKey();
    if (parked === undefined) {
      return;
    }
    const header = await loadHeader();
    if (header === undefined || parked.lockAt <= Date.now()) {
      await lockVault(header === undefined ? 'no vault' : 'idle timeout passed while stopped');
      return;
    }
    vaultResume(header, parked.sessionKey);
    // The alarm survives worker restarts; recreate it only if it went missing.
    const alarm = await chrome.alarms.get(AUTO_LOCK_ALARM);
    if (alarm === undefined) {
      await chrome.alarms.create(AUTO_LOCK_ALARM, { when: parked.lockAt });
    }
  } catch (error) {
    // A parked key that no longer fits the header (or unreadable storage): stay locked.
    console.warn('Keysmith: could not resume the unlocked vault, locking:', describeError(error));
    await lockVault('resume failed').catch(() => undefined);
  }
}

/** Wipes the key in WASM, forgets the parked copy and the alarm. Safe to call when locked. */
async function lockVault(reason: string): Promise<void> {
  const wasUnlocked = vaultIsUnlocked();
  vaultLock();
  lastParkedAt = Number.NEGATIVE_INFINITY;
  await Promise.all([
    chrome.storage.session.remove(STORAGE.unlocked),
    chrome.alarms.clear(AUTO_LOCK_ALARM),
    signers.forgetSessionSigners(),
  ]);
  if (wasUnlocked) {
    console.info(`Keysmith: vault locked (${reason})`);
  }
}

/**
 * Restarts the idle timer: every use of the unlocked vault calls this. Queued, so that it can
 * never park a key again after a lock that ran in between.
 */
function touchVault(): Promise<void> {
  // One flow often reads the vault twice (a console create finds its signer, then opens it):
  // uses this close together are one use, so the deadline is parked once (it ends up at most
  // TOUCH_COALESCE_MS early, against minutes of auto-lock).
  if (performance.now() - lastParkedAt < TOUCH_COALESCE_MS) {
    return Promise.resolve();
  }
  return serially(parkKey);
}

const TOUCH_COALESCE_MS = 250;
/** When parkKey last parked the key (performance.now), or -Infinity since a lock or start. */
let lastParkedAt = Number.NEGATIVE_INFINITY;

/** Parks the key with a fresh deadline, and sets the alarm. Only from inside the queue. */
async function parkKey(): Promise<void> {
  if (!vaultIsUnlocked()) {
    return;
  }
  const { autoLockMinutes } = await loadSettings();
  const lockAt = Date.now() + autoLockMinutes * 60_000;
  const parked: ParkedKey = { sessionKey: vaultSessionKey(), lockAt };
  // Independent writes, one round trip of latency (this runs on every use of the vault).
  await Promise.all([
    chrome.storage.session.set({ [STORAGE.unlocked]: parked }),
    chrome.alarms.create(AUTO_LOCK_ALARM, { when: lockAt }),
  ]);
  lastParkedAt = performance.now();
}

async function vaultStatus(): Promise<VaultStatus> {
  await requireCore();
  const [header, settings, entries, parked] = await Promise.all([
    loadHeader(),
    loadSettings(),
    storedEntries(chrome.storage.local, STORAGE.entryPrefix),
    loadParkedKey(),
  ]);
  const unlocked = header !== undefined && vaultIsUnlocked();
  let kdf: VaultStatus['kdf'] = null;
  if (header !== undefined) {
    try {
      kdf = vaultDescribe(header).kdf;
    } catch (error) {
      console.warn('Keysmith: the stored vault header cannot be read:', describeError(error));
    }
  }
  return {
    exists: header !== undefined,
    unlocked,
    entryCount: entries.length,
    kdf,
    autoLockMinutes: settings.autoLockMinutes,
    autoLockAt: unlocked && parked !== undefined ? parked.lockAt : null,
  };
}

async function createVault(message: MessageOf<'vault.create'>): Promise<VaultStatus> {
  await requireCore();
  if ((await loadHeader()) !== undefined) {
    throw new WorkerError(WorkerErrorCode.vaultExists, 'a vault already exists: unlock it instead');
  }
  const created = vaultCreate(message.passphrase, undefined);
  try {
    await writeRecord(STORAGE.header, created.header);
  } catch (error) {
    vaultLock();
    throw new WorkerError(WorkerErrorCode.storageFailed, `the vault could not be saved: ${describeError(error)}`);
  }
  await parkKey();
  return vaultStatus();
}

async function unlockVault(message: MessageOf<'vault.unlock'>): Promise<VaultStatus> {
  await requireCore();
  const header = await requireHeader();
  vaultUnlock(header, message.passphrase); // Argon2id: about a second; throws wrong_passphrase
  await parkKey();
  return vaultStatus();
}

async function changePassphrase(message: MessageOf<'vault.changePassphrase'>): Promise<VaultStatus> {
  await requireCore();
  const header = await requireHeader();
  requireUnlocked();
  // Proof that whoever changes it knows it: an unlocked vault left unattended is not enough.
  // Unlocking again with the same header yields the same key (Argon2id: about a second).
  vaultUnlock(header, message.currentPassphrase);
  const changed = vaultChangePassphrase(header, message.newPassphrase);
  await writeRecord(STORAGE.header, changed.header);
  await parkKey();
  return vaultStatus();
}

/** The core's listing, made safe to send (errors become plain {code, message}). */
function toListItems(listing: ReturnType<typeof vaultListEntries>): VaultListItem[] {
  return listing.map((item): VaultListItem => {
    if ('error' in item) {
      return { storageKey: item.storageKey, error: toErrorInfo(item.error) };
    }
    return { ...(item as EntrySummary & { storageKey: string; id: string; createdMs: number }) };
  });
}

function newestFirst(a: VaultListItem, b: VaultListItem): number {
  const time = (item: VaultListItem) => ('createdMs' in item ? item.createdMs : 0);
  return time(b) - time(a) || a.storageKey.localeCompare(b.storageKey);
}

async function listEntries(): Promise<VaultList> {
  await requireCore();
  await requireHeader();
  requireUnlocked();
  const [stored, deleted] = await Promise.all([
    storedEntries(chrome.storage.local, STORAGE.entryPrefix),
    storedEntries(chrome.storage.session, STORAGE.deletedPrefix),
  ]);
  // Deleted entries are listed under their own storage keys, so restore can name them.
  const deletedAsEntries = deleted.map(([key, value]): [string, string] => [
    STORAGE.entryPrefix + key.slice(STORAGE.deletedPrefix.length),
    value,
  ]);
  const result: VaultList = {
    entries: toListItems(vaultListEntries(stored)).sort(newestFirst),
    deleted: toListItems(vaultListEntries(deletedAsEntries)).sort(newestFirst),
  };
  await touchVault();
  return result;
}

async function loadEntry(storageKey: string): Promise<string> {
  const stored: Record<string, unknown> = await chrome.storage.local.get(storageKey);
  const value = stored[storageKey];
  if (typeof value !== 'string') {
    throw new WorkerError(WorkerErrorCode.notFound, 'there is no such entry in the vault (was it deleted?)');
  }
  return value;
}

async function exportEntry(message: MessageOf<'vault.export'>): Promise<ExportedText> {
  await requireCore();
  await requireHeader();
  requireUnlocked();
  const value = await loadEntry(message.storageKey);
  const exported = vaultExport(message.storageKey, value, message.format, message.options);
  await touchVault();
  return { text: exported.text, fileName: exported.fileName };
}

async function importEntries(message: MessageOf<'vault.import'>): Promise<ImportResult> {
  await requireCore();
  const header = await requireHeader();
  // All or nothing: the core refuses the whole text on the first bad line, and every sealed
  // record is written in one set().
  const records = vaultImport(header, message.text, message.fileName, Date.now());
  const items: Record<string, string> = {};
  for (const record of records) {
    items[record.storageKey] = record.value;
  }
  await chrome.storage.local.set(items);
  await touchVault();
  return {
    imported: records.map((record) => ({ ...(record.summary as EntrySummary), storageKey: record.storageKey, id: record.id })),
  };
}

function deletedKey(storageKey: string): string {
  return STORAGE.deletedPrefix + storageKey.slice(STORAGE.entryPrefix.length);
}

async function deleteEntry(message: MessageOf<'vault.delete'>): Promise<DeleteResult> {
  await requireCore();
  await requireHeader();
  requireUnlocked();
  const value = await loadEntry(message.storageKey);
  // The sealed value (never plaintext) is kept for undo until the browser closes; kept first,
  // removed second, so a failure in between loses nothing.
  await chrome.storage.session.set({ [deletedKey(message.storageKey)]: value });
  await chrome.storage.local.remove(message.storageKey);
  await touchVault();
  return { storageKey: message.storageKey };
}

async function restoreEntry(message: MessageOf<'vault.restore'>): Promise<DeleteResult> {
  await requireCore();
  await requireHeader();
  const key = deletedKey(message.storageKey);
  const stored: Record<string, unknown> = await chrome.storage.session.get(key);
  const value = stored[key];
  if (typeof value !== 'string') {
    throw new WorkerError(WorkerErrorCode.notFound, 'this entry can no longer be restored (deleted in an earlier browser session?)');
  }
  await chrome.storage.local.set({ [message.storageKey]: value });
  await chrome.storage.session.remove(key);
  await touchVault();
  return { storageKey: message.storageKey };
}

/**
 * Content scripts may read chrome.storage.local by default. The vault there is sealed, but a
 * compromised console page could still replace the header (so that new keys are sealed to an
 * attacker's key) or delete entries: restrict the area to the extension's own pages and worker.
 * chrome.storage.session keeps its default (trusted contexts only); it is never widened.
 */
function restrictLocalStorage(): void {
  chrome.storage.local.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' }).catch((error: unknown) => {
    // Chrome before local.setAccessLevel support: the sealed vault stays readable by content scripts.
    console.warn('Keysmith: could not restrict chrome.storage.local to trusted contexts:', describeError(error));
  });
}

function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof KeyLimitError) {
    return { code: error.code, message: error.message, keySlot: error.keySlot };
  }
  if (error instanceof WorkerError || error instanceof MessageValidationError) {
    return { code: error.code, message: error.message };
  }
  if (error instanceof WebAssembly.RuntimeError) {
    // A trap (e.g. a panic with panic=abort) inside the core.
    return { code: WorkerErrorCode.internal, message: `the Keysmith core failed: ${error.message}` };
  }
  if (typeof error === 'object' && error !== null) {
    // Errors thrown by the core carry .code, and for provider errors .providerCode and .status.
    const fields = error as {
      code?: unknown;
      message?: unknown;
      providerCode?: unknown;
      status?: unknown;
      line?: unknown;
      missingPermission?: unknown;
      requestId?: unknown;
      keySlot?: unknown;
      retryAfterMs?: unknown;
    };
    const info: ErrorInfo = {
      code: typeof fields.code === 'string' ? fields.code : WorkerErrorCode.internal,
      message: typeof fields.message === 'string' ? fields.message : describeError(error),
    };
    if (typeof fields.providerCode === 'string') {
      info.providerCode = fields.providerCode;
    }
    if (typeof fields.status === 'number') {
      info.status = fields.status;
    }
    if (typeof fields.line === 'number') {
      info.line = fields.line;
    }
    if (typeof fields.missingPermission === 'string') {
      info.missingPermission = fields.missingPermission;
    }
    if (typeof fields.requestId === 'string') {
      info.requestId = fields.requestId;
    }
    if (typeof fields.retryAfterMs === 'number') {
      info.retryAfterMs = fields.retryAfterMs;
    }
    if (typeof fields.keySlot === 'object' && fields.keySlot !== null) {
      // The core's LimitExceeded error: the same choice as iamKeySlot.
      info.keySlot = copyKeySlot(fields.keySlot as KeySlotDecision);
    }
    return info;
  }
  return { code: WorkerErrorCode.internal, message: describeError(error) };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
