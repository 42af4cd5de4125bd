// The service worker's console handlers: what the AWS and Scaleway console content scripts may
// ask. Only a content script of ours, on a console host, reaches them (consoleSenderMayAsk); it
// never gets a secret back, only an entry id and the key's public id. "Vault this key" seals a
// key the console displays; the create buttons run the popup's flows with the signer identity
// that consoleSigner() resolves. Creates and "Vault this key" are counted by the console rate
// limit before these handlers run (console-limit.ts, in the worker's dispatch).

import { scalewayGetApiKey, vaultSealEntry } from '../../../build/pkg/keysmith_core.js';
import {
  CONSOLE_MESSAGE_PROVIDER,
  type ConsoleMessageType,
  type ConsoleProvider,
  type ConsoleVaulted,
  ConsoleErrorCode,
  type DisplayedKey,
  consoleProviderOf,
} from '../shared/console-messages.js';
import {
  type MessageOf,
  type RequestMessage,
  type ResultByType,
  type Settings,
  parseEc2Region,
} from '../shared/messages.js';
import { CREATE_MEASURE, recordMeasure } from './timings.js';

/** What the handlers need from the worker. */
export interface ConsoleWorkerDeps {
  requireCore: () => Promise<void>;
  loadSettings: () => Promise<Settings>;
  loadHeader: () => Promise<string | undefined>;
  /** Runs another handler of the worker (the popup's flows), without a sender check. */
  dispatch: <M extends RequestMessage>(message: M) => Promise<ResultByType[M['type']]>;
  /** An error the worker reports with `code`. */
  fail: (code: string, message: string) => Error;
}

type ConsoleHandlers = {
  [T in ConsoleMessageType]: (message: MessageOf<T>) => Promise<ResultByType[T]>;
};

/** The signer identity a console create button uses: a vaulted signer's id, never a credential. */
export interface ConsoleSigner {
  provider: ConsoleProvider;
  signerId: string;
}

/** A console action refused with a code of console-messages' ConsoleErrorCode. */
export class ConsoleError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleError';
  }
}

/**
 * THE one place the console buttons get a signer identity: the most recent vaulted signer of
 * `provider` (the same default as the popup's selectors; `signers.list` is newest first). The
 * vault must exist (`no_vault`) and be unlocked to read it (`vault_locked`), both checked by
 * `signers.list` before anything else; with no signer, `no_signer` tells the user where to add one. Content scripts never see what this returns, and it is only an id: the
 * worker's `loadSigner` hands the sealed record to the core, which opens it inside WASM.
 */
export async function consoleSigner(deps: ConsoleWorkerDeps, provider: ConsoleProvider): Promise<ConsoleSigner> {
  const { signers } = await deps.dispatch({ type: 'signers.list' });
  const signer = signers.find((item) => item.provider === provider);
  if (signer === undefined) {
    throw new ConsoleError(
      ConsoleErrorCode.noSigner,
      `add a ${provider === 'aws' ? 'AWS' : 'Scaleway'} signer identity in Keysmith's options: it is what creates keys for you`,
    );
  }
  return { provider, signerId: signer.id };
}

/**
 * Whether `sender` may send console message `type`: one of our content scripts (checked by the
 * caller: our id, not an extension page), in the top frame of a tab, on an https console host of
 * the provider the message is for.
 */
export function consoleSenderMayAsk(sender: chrome.runtime.MessageSender, type: ConsoleMessageType): boolean {
  if (sender.tab === undefined || (sender.frameId !== undefined && sender.frameId !== 0)) {
    return false;
  }
  // sender.origin (Chrome 80+) is the frame's origin; sender.url the document's URL. Both must agree.
  const fromUrl = consoleProviderOf(typeof sender.url === 'string' ? safeOrigin(sender.url) : undefined);
  const fromOrigin = sender.origin === undefined ? fromUrl : consoleProviderOf(sender.origin);
  if (fromUrl === undefined || fromOrigin !== fromUrl) {
    return false;
  }
  const wanted = CONSOLE_MESSAGE_PROVIDER[type];
  return wanted === 'either' || wanted === fromUrl;
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** A default EC2 key pair name: keysmith-YYYYMMDD-HHMMSS (UTC). */
function defaultKeyPairName(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `keysmith-${stamp}`;
}

export function consoleHandlers(deps: ConsoleWorkerDeps): ConsoleHandlers {
  async function requireHeader(): Promise<string> {
    await deps.requireCore();
    const header = await deps.loadHeader();
    if (header === undefined) {
      throw deps.fail('no_vault', "set up Keysmith's vault first: open Keysmith and create it, then come back");
    }
    return header;
  }

  /** Seals `entry` (the vault's inside-the-box JSON) and stores it; persist first, then answer. */
  async function sealAndStore(header: string, entry: object, keyId: string): Promise<ConsoleVaulted> {
    const sealed = vaultSealEntry(header, JSON.stringify(entry), Date.now());
    try {
      await chrome.storage.local.set({ [sealed.storageKey]: sealed.value });
    } catch (error) {
      throw deps.fail('not_vaulted', `key ${keyId} could not be saved in the vault (${String(error)}); it is still shown on the page`);
    }
    return { entryId: sealed.id, keyId };
  }

  /**
   * Who a displayed Scaleway key belongs to. Asked of Scaleway with the key itself (the secret
   * goes only to the Scaleway API, as for any call); a new key often may not read IAM, so the
   * page's hint (the application whose page this is) is the fallback. A key Scaleway rejects
   * outright is not vaulted.
   */
  async function scalewayEntry(key: Extract<DisplayedKey, { provider: 'scaleway' }>): Promise<object> {
    const { endpoints } = await deps.loadSettings();
    const base: Record<string, unknown> = { access_key: key.accessKey, secret_key: key.secretKey };
    try {
      const me = await scalewayGetApiKey({
        credentials: { secretKey: key.secretKey },
        accessKey: key.accessKey,
        ...(endpoints.scaleway === undefined ? {} : { apiBase: endpoints.scaleway }),
      });
      Object.assign(base, {
        bearer_type: me.bearerType,
        bearer_id: me.bearerId,
        organization_id: me.organizationId,
        ...(me.defaultProjectId ? { default_project_id: me.defaultProjectId } : {}),
        ...(me.description ? { description: me.description } : {}),
        ...(me.expiresAt ? { expires_at: me.expiresAt } : {}),
      });
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (status === 401) {
        throw deps.fail('invalid_key', `Scaleway does not accept the secret key shown for ${key.accessKey}: nothing was vaulted`);
      }
      if (key.applicationId === undefined) {
        throw deps.fail(
          'unidentified_key',
          `Keysmith could not ask Scaleway whose key ${key.accessKey} is (${(error as { code?: unknown }).code ?? 'error'}); ` +
            "vault it from the application's page, or paste it into Keysmith's import",
        );
      }
      Object.assign(base, { bearer_type: 'application', bearer_id: key.applicationId });
    }
    return { scaleway_api_key: base };
  }

  return {
    'console.vaultKey': async ({ key }) => {
      const header = await requireHeader();
      if (key.provider === 'aws') {
        const entry = {
          aws_access_key: {
            access_key_id: key.accessKeyId,
            secret_access_key: key.secretAccessKey,
            ...(key.userName === undefined ? {} : { user_name: key.userName }),
          },
        };
        return sealAndStore(header, entry, key.accessKeyId);
      }
      return sealAndStore(header, await scalewayEntry(key), key.accessKey);
    },

    'console.aws.createAccessKey': async ({ userName }) => {
      const started = performance.now();
      const { signerId } = await consoleSigner(deps, 'aws');
      const created = await deps.dispatch({ type: 'aws.createAccessKey', signerId, userName });
      recordMeasure(CREATE_MEASURE.consoleAwsCreateAccessKey, started);
      return { entryId: created.entryId, keyId: created.accessKeyId };
    },

    'console.ec2.createKeyPair': async ({ region, keyName }) => {
      // The console may be GovCloud's or China's: only regions the manifest grants can be reached.
      parseEc2Region(region);
      const { signerId } = await consoleSigner(deps, 'aws');
      const created = await deps.dispatch({
        type: 'aws.createKeyPair',
        signerId,
        region,
        keyName: keyName ?? defaultKeyPairName(),
      });
      return { entryId: created.entryId, keyId: created.keyName };
    },

    'console.scaleway.createApiKey': async ({ applicationId }) => {
      const { signerId } = await consoleSigner(deps, 'scaleway');
      const me = await deps.dispatch({ type: 'scaleway.verifySigner', signerId });
      const created = await deps.dispatch({
        type: 'scaleway.createApiKey',
        signerId,
        ...(applicationId !== undefined
          ? { applicationId }
          : me.bearerType === 'user'
            ? { userId: me.bearerId }
            : { applicationId: me.bearerId }),
        organizationId: me.organizationId,
        description: 'created from the Scaleway console by Keysmith',
      });
      return { entryId: created.entryId, keyId: created.accessKey };
    },

    'console.openExtension': async ({ entryId, userName }) => {
      // The popup itself cannot be opened from here on every Chrome version; a tab showing the
      // popup page can, and needs no "tabs" permission.
      const hash =
        entryId !== undefined ? `#entry=${entryId}` : userName !== undefined ? `#key-slot=${encodeURIComponent(userName)}` : '';
      await chrome.tabs.create({ url: chrome.runtime.getURL(`popup.html${hash}`) });
      return { opened: true };
    },
  };
}
