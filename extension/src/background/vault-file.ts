// The whole vault as one file: exported (header and sealed entries, as stored: never plaintext)
// and imported on another browser, where every entry is opened with the file's passphrase before
// anything is written, so a changed or cut-short file is refused and changes nothing.

import { vaultDescribe, vaultIsUnlocked, vaultListEntries, vaultLock, vaultResume, vaultUnlock } from '../../../build/pkg/keysmith_core.js';
import {
  type ExportedText,
  type MessageOf,
  STORAGE,
  VAULT_FILE_VERSION,
  type VaultFile,
  type VaultStatus,
  WorkerErrorCode,
  parseVaultFile,
} from '../shared/messages.js';

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
  };
} {
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
    // One set() for the new header and entries (all or nothing), then the old entries go.
    const oldEntries = await deps.storedEntries(chrome.storage.local, STORAGE.entryPrefix);
    try {
      await chrome.storage.local.set({ [STORAGE.header]: file.header, ...file.entries });
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
    },
  };
}
