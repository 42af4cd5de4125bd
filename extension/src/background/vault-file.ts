// The whole vault as one file: exported (header and sealed entries, as stored: never plaintext)
// and imported on another browser, where every entry is opened with the file's passphrase before
// anything is written, so a changed or cut-short file is refused and changes nothing. What the
// last vault file held is recorded (hashes of the sealed values, no secret), so that replacing
// the vault can say exactly which entries are in no vault file (vault.fileState).

import { vaultDescribe, vaultIsUnlocked, vaultListEntries, vaultLock, vaultResume, vaultUnlock } from '../../../build/pkg/keysmith_core.js';
import {
  type ExportedText,
  type MessageOf,
  STORAGE,
  VAULT_FILE_VERSION,
  type VaultFile,
  type VaultFileRecord,
  type VaultFileState,
  type VaultStatus,
  WorkerErrorCode,
  parseVaultFile,
  parseVaultFileRecord,
} from '../shared/messages.js';
// A sealed value's SHA-256 is enough to tell whether the stored entry is the file's.
import { sha256Hex } from '../shared/digest.js';

export interface VaultFileDeps {
  requireCore: () => Promise<void>;
  loadHeader: () => Promise<string | undefined>;
  loadParkedKey: () => Promise<{ sessionKey: string } | undefined>;
  storedEntries: (area: chrome.storage.StorageArea, prefix: string) => Promise<[string, string][]>;
  /** The vault queue: lock-state changes run one at a time. */
  serially: <T>(run: () => Promise<T>) => Promise<T>;
  /** Parks the unlocked key with a fresh deadline (from inside the queue). */
  parkKey: () => Promise<void>;
  forgetSessionSigners: () => Promise<void>;
  vaultStatus: () => Promise<VaultStatus>;
  fail: (code: string, message: string) => Error;
}

export function createVaultFile(deps: VaultFileDeps): {
  handlers: {
    'vault.exportFile': (message: MessageOf<'vault.exportFile'>) => Promise<ExportedText>;
    'vault.importFile': (message: MessageOf<'vault.importFile'>) => Promise<VaultStatus & { imported: number }>;
    'vault.fileState': () => Promise<VaultFileState>;
  };
} {
  async function makeRecord(
    header: string,
    entries: Record<string, string>,
    how: VaultFileRecord['how'],
  ): Promise<VaultFileRecord> {
    const pairs = await Promise.all(Object.entries(entries).map(async ([key, sealed]) => [key, await sha256Hex(sealed)] as const));
    return { vaultId: vaultDescribe(header).vaultId, atMs: Date.now(), how, entries: Object.fromEntries(pairs) };
  }

  /** The record of this vault's last file; undefined if none, damaged, or another vault's. */
  async function loadRecord(header: string): Promise<VaultFileRecord | undefined> {
    const stored: Record<string, unknown> = await chrome.storage.local.get(STORAGE.lastVaultFile);
    const value = stored[STORAGE.lastVaultFile];
    if (value === undefined) {
      return undefined;
    }
    try {
      const record = parseVaultFileRecord(value);
      // A record left from a vault this one replaced says nothing about this one.
      return record.vaultId === vaultDescribe(header).vaultId ? record : undefined;
    } catch (error) {
      // Counted as never exported: the confirmation then warns about every entry, never too few.
      console.warn('Keysmith: the record of the last vault file is unreadable, ignoring it:', error instanceof Error ? error.message : String(error));
      return undefined;
    }
  }

  /**
   * What replacing the vault would lose: the entries that no vault file holds (added since the
   * last one) and those stored differently from it (changed since). Works locked; which of the
   * added entries are signer identities is sealed, so that count needs the unlocked vault.
   */
  async function fileState(): Promise<VaultFileState> {
    await deps.requireCore();
    const header = await deps.loadHeader();
    if (header === undefined) {
      return { exists: false, entryCount: 0, lastFile: null, added: 0, changed: 0, addedSigners: null };
    }
    const [stored, record] = await Promise.all([deps.storedEntries(chrome.storage.local, STORAGE.entryPrefix), loadRecord(header)]);
    const digests = await Promise.all(stored.map(([, sealed]) => sha256Hex(sealed)));
    const added: [string, string][] = [];
    let changed = 0;
    stored.forEach(([key, sealed], index) => {
      const inFile = record?.entries[key];
      if (inFile === undefined) {
        added.push([key, sealed]);
      } else if (inFile !== digests[index]) {
        changed += 1;
      }
    });
    const isSigner = (item: ReturnType<typeof vaultListEntries>[number]): boolean => 'signer' in item && item.signer !== undefined;
    const addedSigners = !vaultIsUnlocked() ? null : added.length === 0 ? 0 : vaultListEntries(added).filter(isSigner).length;
    return {
      exists: true,
      entryCount: stored.length,
      lastFile: record === undefined ? null : { atMs: record.atMs, how: record.how },
      added: added.length,
      changed,
      addedSigners,
    };
  }

  async function exportFile(): Promise<ExportedText> {
    await deps.requireCore();
    const header = await deps.loadHeader();
    if (header === undefined) {
      throw deps.fail(WorkerErrorCode.noVault, 'there is no vault in this browser to export');
    }
    // Only whoever can unlock it may carry the vault away (an offline guessing target otherwise).
    if (!vaultIsUnlocked()) {
      throw deps.fail(WorkerErrorCode.locked, 'the vault is locked: unlock it to export the vault file');
    }
    const entries = Object.fromEntries(await deps.storedEntries(chrome.storage.local, STORAGE.entryPrefix));
    const exportedAt = new Date().toISOString();
    const file: VaultFile = { keysmith: 'vault-file', version: VAULT_FILE_VERSION, exportedAt, header, entries };
    // The worker cannot see the download itself: the reply is taken as the file. Failing to
    // record it only makes a later replace warn about entries the file does hold.
    try {
      await chrome.storage.local.set({ [STORAGE.lastVaultFile]: await makeRecord(header, entries, 'exported') });
    } catch (error) {
      console.warn('Keysmith: could not record the vault-file export:', error instanceof Error ? error.message : String(error));
    }
    return { text: `${JSON.stringify(file, null, 2)}\n`, fileName: `keysmith-vault-${exportedAt.slice(0, 10)}.json` };
  }

  function badFile(message: string): Error {
    return deps.fail(WorkerErrorCode.badVaultFile, `${message}; nothing was imported and the vault here is unchanged`);
  }

  /** Opens every entry of the file with its passphrase; throws (leaving the file's key unlocked) if any fails. */
  function checkFile(file: VaultFile, passphrase: string): void {
    try {
      vaultDescribe(file.header);
    } catch {
      throw badFile('the vault file\'s header is damaged or was changed');
    }
    vaultUnlock(file.header, passphrase); // wrong_passphrase: reported as the core says it
    const listing = vaultListEntries(Object.entries(file.entries));
    const damaged = listing.filter((item) => 'error' in item).length;
    if (damaged > 0) {
      throw badFile(
        `${damaged} of the ${listing.length} entries in the file cannot be opened with its key (the file was changed or damaged)`,
      );
    }
  }

  async function importFile(message: MessageOf<'vault.importFile'>): Promise<VaultStatus & { imported: number }> {
    await deps.requireCore();
    let file: VaultFile;
    try {
      file = parseVaultFile(message.text);
    } catch (error) {
      throw badFile(error instanceof Error ? error.message : String(error));
    }
    const existing = await deps.loadHeader();
    if (existing !== undefined && !message.replace) {
      throw deps.fail(
        WorkerErrorCode.vaultExists,
        'this browser already has a vault: confirm that the file should replace it (its entries are lost unless exported first)',
      );
    }
    const parked = await deps.loadParkedKey();
    const wasUnlocked = vaultIsUnlocked();
    /** Back to exactly the lock state from before: the vault here was not touched. */
    const restoreLockState = (): void => {
      vaultLock();
      if (wasUnlocked && existing !== undefined && parked !== undefined) {
        vaultResume(existing, parked.sessionKey);
      }
    };
    try {
      checkFile(file, message.passphrase);
    } catch (error) {
      restoreLockState();
      throw error;
    }
    // One set() for the new header, its entries and the record that the vault now equals the
    // file (all or nothing), then the old entries go.
    const oldEntries = await deps.storedEntries(chrome.storage.local, STORAGE.entryPrefix);
    try {
      const record = await makeRecord(file.header, file.entries, 'imported');
      await chrome.storage.local.set({ [STORAGE.header]: file.header, ...file.entries, [STORAGE.lastVaultFile]: record });
    } catch (error) {
      restoreLockState();
      throw deps.fail(
        WorkerErrorCode.storageFailed,
        `the imported vault could not be saved (${error instanceof Error ? error.message : String(error)}); the vault here is unchanged`,
      );
    }
    const stale = oldEntries.map(([key]) => key).filter((key) => !Object.hasOwn(file.entries, key));
    const deleted = (await deps.storedEntries(chrome.storage.session, STORAGE.deletedPrefix)).map(([key]) => key);
    await Promise.all([
      stale.length > 0 ? chrome.storage.local.remove(stale) : Promise.resolve(),
      // Undo copies and session signers belonged to the replaced vault: they cannot open any more.
      deleted.length > 0 ? chrome.storage.session.remove(deleted) : Promise.resolve(),
      deps.forgetSessionSigners(),
    ]);
    await deps.parkKey();
    return { ...(await deps.vaultStatus()), imported: Object.keys(file.entries).length };
  }

  return {
    handlers: {
      'vault.exportFile': () => exportFile(),
      'vault.importFile': (message) => deps.serially(() => importFile(message)),
      'vault.fileState': () => fileState(),
    },
  };
}
