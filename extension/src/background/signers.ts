// Signer identities in the service worker: the vault entries whose credential signs provider
// calls. Provider handlers get a signer with loadSigner(signerId, provider): its sealed record
// (and, for an MFA signer, its sealed MFA session), which the core opens with the unlocked
// vault key. No signer secret is ever read here: JS holds only sealed records.
//
// Where things live: long-term signers in chrome.storage.local like every entry (sealed; which
// entries are signers is inside the seal); role credentials and MFA sessions in
// chrome.storage.session only (sealed too), removed on lock and when they expire.

import {
  signerAddAws,
  signerAddScaleway,
  signerSetMfa,
  stsGetSessionToken,
  vaultIsUnlocked,
  vaultListEntries,
} from '../../../build/pkg/keysmith_core.js';
import {
  type MessageOf,
  type ResultByType,
  STORAGE,
  type Settings,
  type SignerItem,
  type SignerProvider,
  type SignerSummary,
  WorkerErrorCode,
} from '../shared/messages.js';

/** A sealed record as stored: chrome.storage[storageKey] = value. */
export interface SealedRef {
  storageKey: string;
  value: string;
}

/** What a provider call takes to sign: the core opens these with the unlocked vault key. */
export interface SignerArgs {
  signer: SealedRef;
  /** An MFA signer's current session, which signs in its place. */
  session?: SealedRef;
}

export interface LoadedSigner {
  args: SignerArgs;
  item: SignerItem;
}

/** An MFA session as chrome.storage.session holds it, under STORAGE.mfaPrefix + signer id. */
interface StoredMfaSession extends SealedRef {
  expiration: string;
}

export interface SignerWorkerDeps {
  requireCore: () => Promise<void>;
  loadSettings: () => Promise<Settings>;
  loadHeader: () => Promise<string | undefined>;
  /** Restarts the idle timer after a use of the unlocked vault. */
  touchVault: () => Promise<void>;
  /** Deletes a stored entry the way vault.delete does (kept sealed for undo). */
  deleteEntry: (storageKey: string) => Promise<unknown>;
  fail: (code: string, message: string) => Error;
}

type SignerMessageType =
  | 'signers.list'
  | 'signers.addAws'
  | 'signers.addScaleway'
  | 'signers.setMfa'
  | 'signers.remove'
  | 'signers.mfaSession';
type SignerHandlers = { [T in SignerMessageType]: (message: MessageOf<T>) => Promise<ResultByType[T]> };

/** A listed entry as the core returns it (vaultListEntries), signer member included. */
interface Listed {
  storageKey: string;
  id?: string;
  kind?: string;
  provider?: SignerProvider;
  accessKeyId?: string;
  accessKey?: string;
  description?: string | null;
  expiration?: string | null;
  createdMs?: number;
  bearerType?: 'user' | 'application';
  bearerId?: string;
  organizationId?: string | null;
  defaultProjectId?: string | null;
  signer?: SignerSummary;
  error?: unknown;
}

function isExpired(expiration: string | null | undefined, now = Date.now()): boolean {
  if (expiration === null || expiration === undefined) {
    return false;
  }
  const at = Date.parse(expiration);
  return !Number.isNaN(at) && at <= now;
}

async function storedPairs(area: chrome.storage.StorageArea, prefix: string): Promise<[string, unknown][]> {
  const all: Record<string, unknown> = await area.get(null);
  return Object.entries(all).filter(([key]) => key.startsWith(prefix));
}

function mfaKey(signerId: string): string {
  return STORAGE.mfaPrefix + signerId;
}

export function createSigners(deps: SignerWorkerDeps): {
  handlers: SignerHandlers;
  loadSigner: (signerId: string, provider: SignerProvider) => Promise<LoadedSigner>;
  forgetSessionSigners: () => Promise<void>;
} {
  /**
   * What each sealed record opened to, by storage key, while the vault is unlocked: listing
   * signers opens only records it has not seen with that value before, instead of every entry
   * of the vault on every console click (~0.15 ms each). Metadata only (what vault.list shows),
   * kept in the worker's memory and dropped on lock.
   */
  let opened = new Map<string, { value: string; listed: Listed }>();

  /** vaultListEntries over `pairs` (in order), opening only what `opened` does not hold. */
  function listOpened(pairs: [string, string][], area: 'local' | 'session'): Listed[] {
    const cacheKey = (storageKey: string): string => `${area}:${storageKey}`;
    const fresh = pairs.filter(([key, value]) => opened.get(cacheKey(key))?.value !== value);
    const openedNow = new Map<string, Listed>();
    (vaultListEntries(fresh) as Listed[]).forEach((listed, i) => {
      const [key, value] = fresh[i] as [string, string];
      openedNow.set(key, listed);
      if (!('error' in listed)) {
        opened.set(cacheKey(key), { value, listed });
      }
    });
    const stored = new Set(pairs.map(([key]) => cacheKey(key)));
    for (const key of opened.keys()) {
      if (key.startsWith(`${area}:`) && !stored.has(key)) {
        opened.delete(key);
      }
    }
    return pairs.map(([key]) => openedNow.get(key) ?? (opened.get(cacheKey(key)) as { listed: Listed }).listed);
  }

  /**
   * As requireUnlockedVault, without reading the header when the vault is unlocked (an unlocked
   * vault has one): the signer lookups of every create call this, one storage read fewer each.
   */
  async function requireUnlocked(): Promise<void> {
    await deps.requireCore();
    if (!vaultIsUnlocked()) {
      await requireUnlockedVault(); // throws no_vault or vault_locked
    }
  }

  async function requireUnlockedVault(): Promise<string> {
    await deps.requireCore();
    const header = await deps.loadHeader();
    if (header === undefined) {
      throw deps.fail(WorkerErrorCode.noVault, 'there is no vault yet: set up the vault, then add a signer identity');
    }
    if (!vaultIsUnlocked()) {
      throw deps.fail(
        WorkerErrorCode.vaultLocked,
        'the vault is locked: unlock it so that Keysmith can use your signer identity',
      );
    }
    return header;
  }

  async function loadMfaSession(signerId: string): Promise<StoredMfaSession | undefined> {
    const key = mfaKey(signerId);
    const stored: Record<string, unknown> = await chrome.storage.session.get(key);
    const value = stored[key] as Partial<StoredMfaSession> | undefined;
    if (
      typeof value?.storageKey !== 'string' ||
      typeof value.value !== 'string' ||
      typeof value.expiration !== 'string'
    ) {
      return undefined;
    }
    if (isExpired(value.expiration)) {
      await chrome.storage.session.remove(key);
      return undefined;
    }
    return { storageKey: value.storageKey, value: value.value, expiration: value.expiration };
  }

  /** The signer item for a listed entry, or undefined when the entry is not a signer. */
  async function toItem(listed: Listed, sessionOnly: boolean): Promise<SignerItem | undefined> {
    if (listed.signer === undefined || listed.id === undefined || listed.provider === undefined) {
      return undefined;
    }
    const kind = listed.kind as SignerItem['kind'];
    const item: SignerItem = {
      id: listed.id,
      provider: listed.provider,
      kind,
      keyId: listed.accessKeyId ?? listed.accessKey ?? '',
      description: listed.description ?? null,
      createdMs: listed.createdMs ?? 0,
      sessionOnly,
      expiration: listed.expiration ?? null,
      signer: { ...listed.signer },
      mfaSessionExpiration: null,
    };
    if (listed.provider === 'scaleway' && listed.bearerType !== undefined && listed.bearerId !== undefined) {
      item.bearerType = listed.bearerType;
      item.bearerId = listed.bearerId;
      item.organizationId = listed.organizationId ?? null;
      item.defaultProjectId = listed.defaultProjectId ?? null;
    }
    if (listed.signer.mfaSerial !== null) {
      item.mfaSessionExpiration = (await loadMfaSession(listed.id))?.expiration ?? null;
    }
    return item;
  }

  /** Finds a signer's sealed record: chrome.storage.local, else (role credentials) session. */
  async function findRecord(signerId: string): Promise<{ ref: SealedRef; sessionOnly: boolean } | undefined> {
    const storageKey = STORAGE.entryPrefix + signerId;
    for (const [area, sessionOnly] of [
      [chrome.storage.local, false],
      [chrome.storage.session, true],
    ] as const) {
      const stored: Record<string, unknown> = await area.get(storageKey);
      const value = stored[storageKey];
      if (typeof value === 'string') {
        return { ref: { storageKey, value }, sessionOnly };
      }
    }
    return undefined;
  }

  function noSigner(provider: SignerProvider): Error {
    return deps.fail(
      WorkerErrorCode.noSigner,
      `there is no ${provider === 'aws' ? 'AWS' : 'Scaleway'} signer identity with this id: add one on the options page`,
    );
  }

  /**
   * THE way a provider handler obtains its signer: the sealed record of signer `signerId`
   * (checked to be a signer for `provider`), plus an MFA signer's live session. Throws
   * vault_locked while the vault is locked and no_signer for an unknown id; role credentials
   * past their expiry are dropped and reported as no_signer.
   */
  async function loadSigner(signerId: string, provider: SignerProvider): Promise<LoadedSigner> {
    await requireUnlocked();
    const found = await findRecord(signerId);
    if (found === undefined) {
      throw noSigner(provider);
    }
    const [listed] = vaultListEntries([[found.ref.storageKey, found.ref.value]]) as Listed[];
    const item = listed === undefined || 'error' in listed ? undefined : await toItem(listed, found.sessionOnly);
    if (item === undefined || item.provider !== provider) {
      throw noSigner(provider);
    }
    if (found.sessionOnly && isExpired(item.expiration)) {
      await chrome.storage.session.remove(found.ref.storageKey);
      throw deps.fail(
        WorkerErrorCode.noSigner,
        `these role credentials expired at ${item.expiration ?? '?'} and were removed: paste fresh ones on the options page`,
      );
    }
    const args: SignerArgs = { signer: found.ref };
    if (item.signer.mfaSerial !== null) {
      const session = await loadMfaSession(signerId);
      if (session !== undefined) {
        args.session = { storageKey: session.storageKey, value: session.value };
      }
    }
    await deps.touchVault();
    return { args, item };
  }

  /** Every signer, newest first; expired role credentials are removed on the way. */
  async function listSigners(): Promise<SignerItem[]> {
    await requireUnlocked();
    const items: SignerItem[] = [];
    // Both areas read at once: one storage round trip of latency, not two.
    const areas = await Promise.all([chrome.storage.local, chrome.storage.session].map((area) => storedPairs(area, STORAGE.entryPrefix)));
    for (const [stored, sessionOnly] of [
      [areas[0], false],
      [areas[1], true],
    ] as const) {
      const pairs = (stored ?? []).filter((pair): pair is [string, string] => typeof pair[1] === 'string');
      for (const listed of listOpened(pairs, sessionOnly ? 'session' : 'local')) {
        const item = 'error' in listed ? undefined : await toItem(listed, sessionOnly);
        if (item === undefined) {
          continue;
        }
        if (sessionOnly && isExpired(item.expiration)) {
          await chrome.storage.session.remove(listed.storageKey);
          continue;
        }
        items.push(item);
      }
    }
    await deps.touchVault();
    return items.sort((a, b) => b.createdMs - a.createdMs || a.id.localeCompare(b.id));
  }

  async function awsEndpoint(): Promise<{ endpoint?: string }> {
    const { endpoints } = await deps.loadSettings();
    return endpoints.aws === undefined ? {} : { endpoint: endpoints.aws };
  }

  /** Stores a just-verified signer: role credentials for the session only. */
  async function store(entry: SealedRef, summary: Listed): Promise<SignerItem> {
    const sessionOnly = summary.kind === 'aws_temporary_credentials';
    await (sessionOnly ? chrome.storage.session : chrome.storage.local).set({ [entry.storageKey]: entry.value });
    const item = await toItem({ ...summary, storageKey: entry.storageKey }, sessionOnly);
    if (item === undefined) {
      throw deps.fail(WorkerErrorCode.internal, 'the core sealed a signer without its signer record');
    }
    await deps.touchVault();
    return item;
  }

  const handlers: SignerHandlers = {
    'signers.list': async () => ({ signers: await listSigners() }),

    'signers.addAws': async (message) => {
      const header = await requireUnlockedVault();
      const input = message.text !== undefined ? { text: message.text } : { credentials: message.credentials };
      const added = await signerAddAws({
        ...input,
        ...(await awsEndpoint()),
        ...(message.mfaSerial === undefined ? {} : { mfaSerial: message.mfaSerial }),
        ...(message.description === undefined ? {} : { description: message.description }),
        vaultHeader: header,
      });
      return store(added.entry, added.summary as Listed);
    },

    'signers.addScaleway': async (message) => {
      const header = await requireUnlockedVault();
      const { endpoints } = await deps.loadSettings();
      const added = await signerAddScaleway({
        accessKey: message.accessKey,
        secretKey: message.secretKey,
        ...(message.description === undefined ? {} : { description: message.description }),
        ...(endpoints.scaleway === undefined ? {} : { apiBase: endpoints.scaleway }),
        vaultHeader: header,
      });
      const item = await store(added.entry, added.summary as Listed);
      return { ...item, bearerName: added.identity.bearerName ?? null };
    },

    'signers.setMfa': async (message) => {
      const header = await requireUnlockedVault();
      const found = await findRecord(message.signerId);
      if (found === undefined) {
        throw noSigner('aws');
      }
      if (found.sessionOnly) {
        throw deps.fail(
          WorkerErrorCode.badRequest,
          'MFA applies to long-term keys; role credentials are already a session',
        );
      }
      const resealed = signerSetMfa(header, found.ref.storageKey, found.ref.value, message.mfaSerial ?? undefined);
      await chrome.storage.local.set({ [resealed.storageKey]: resealed.value });
      await chrome.storage.session.remove(mfaKey(message.signerId));
      const item = await toItem({ ...(resealed.summary as Listed), storageKey: resealed.storageKey }, false);
      if (item === undefined) {
        throw noSigner('aws');
      }
      await deps.touchVault();
      return item;
    },

    'signers.remove': async (message) => {
      await requireUnlockedVault();
      const found = await findRecord(message.signerId);
      if (found === undefined) {
        throw deps.fail(WorkerErrorCode.noSigner, 'there is no signer identity with this id (already removed?)');
      }
      await chrome.storage.session.remove(mfaKey(message.signerId));
      if (found.sessionOnly) {
        await chrome.storage.session.remove(found.ref.storageKey);
      } else {
        await deps.deleteEntry(found.ref.storageKey);
      }
      return { signerId: message.signerId };
    },

    'signers.mfaSession': async (message) => {
      const header = await requireUnlockedVault();
      const { args, item } = await loadSigner(message.signerId, 'aws');
      if (item.signer.mfaSerial === null) {
        throw deps.fail(
          WorkerErrorCode.badRequest,
          'this signer does not require MFA: record its MFA device on the options page first',
        );
      }
      const session = await stsGetSessionToken({
        signer: args.signer,
        ...(await awsEndpoint()),
        tokenCode: message.tokenCode,
        vaultHeader: header,
      });
      if (session.entry === undefined) {
        throw deps.fail(WorkerErrorCode.internal, 'the core returned no sealed MFA session');
      }
      const stored: StoredMfaSession = {
        storageKey: session.entry.storageKey,
        value: session.entry.value,
        expiration: session.expiration,
      };
      await chrome.storage.session.set({ [mfaKey(message.signerId)]: stored });
      return { signerId: message.signerId, expiration: session.expiration };
    },
  };

  /**
   * On lock: role credentials and MFA sessions are for the unlocked session only, and what the
   * records opened to is forgotten.
   */
  async function forgetSessionSigners(): Promise<void> {
    opened = new Map();
    const keys = [
      ...(await storedPairs(chrome.storage.session, STORAGE.entryPrefix)),
      ...(await storedPairs(chrome.storage.session, STORAGE.mfaPrefix)),
    ].map(([key]) => key);
    if (keys.length > 0) {
      await chrome.storage.session.remove(keys);
    }
  }

  return { handlers, loadSigner, forgetSessionSigners };
}
