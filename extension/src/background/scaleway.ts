// The service worker's Scaleway handlers. The signer's secret key goes to the core, which adds
// it as X-Auth-Token only under the API base (api.scaleway.com, or the custom Scaleway endpoint
// from the settings). A created key's secret never reaches JavaScript: the core seals it into a
// vault entry, which is stored here before the caller hears that the key exists.

import {
  scalewayCreateApiKey,
  scalewayCreateApplication,
  scalewayDeleteApiKey,
  scalewayGetApiKey,
  scalewayListApiKeys,
  scalewayListApplications,
  scalewayListProjects,
} from '../../../build/pkg/keysmith_core.js';
import type { ScalewayApiKeyInfo as CoreApiKeyInfo } from '../../../build/pkg/keysmith_core.js';
import type { MessageOf, ResultByType, Settings } from '../shared/messages.js';
import type { LoadedSigner, SignerArgs } from './signers.js';
import type {
  ScalewayApiKeyInfo,
  ScalewayApplication,
  ScalewayMessageType,
  ScalewayProject,
} from '../shared/scaleway-messages.js';

/** What the handlers need from the worker. */
export interface ScalewayWorkerDeps {
  requireCore: () => Promise<void>;
  /** The signer identity `signerId` (signers.ts's loadSigner). */
  loadSigner: (signerId: string, provider: 'scaleway') => Promise<LoadedSigner>;
  loadSettings: () => Promise<Settings>;
  loadHeader: () => Promise<string | undefined>;
  /** An error the worker reports with `code` (e.g. no_vault, not_vaulted). */
  fail: (code: string, message: string) => Error;
}

type ScalewayHandlers = {
  [T in ScalewayMessageType]: (message: MessageOf<T>) => Promise<ResultByType[T]>;
};

/**
 * Arguments shared by every call: the signer's sealed record (the core opens it with the
 * unlocked vault key), and the API base if customised.
 */
async function callArgs(deps: ScalewayWorkerDeps, signerId: string): Promise<SignerArgs & { apiBase?: string }> {
  await deps.requireCore();
  const { args: signer } = await deps.loadSigner(signerId, 'scaleway');
  const { endpoints } = await deps.loadSettings();
  return endpoints.scaleway === undefined ? { ...signer } : { ...signer, apiBase: endpoints.scaleway };
}

function keyInfo(key: CoreApiKeyInfo): ScalewayApiKeyInfo {
  return {
    accessKey: key.accessKey,
    bearerType: key.bearerType,
    bearerId: key.bearerId,
    description: key.description,
    createdAt: key.createdAt ?? null,
    expiresAt: key.expiresAt ?? null,
    expired: key.expired,
    defaultProjectId: key.defaultProjectId ?? null,
  };
}

function application(app: {
  id: string;
  name: string;
  description: string;
  organizationId: string;
  nbApiKeys: number;
}): ScalewayApplication {
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    organizationId: app.organizationId,
    nbApiKeys: app.nbApiKeys,
  };
}

function project(p: { id: string; name: string; organizationId: string; description: string }): ScalewayProject {
  return { id: p.id, name: p.name, organizationId: p.organizationId, description: p.description };
}

/** Follows the pages of a listing (at most `maxPages` of 100). */
async function allPages<T>(fetchPage: (page: number) => Promise<{ items: T[]; totalCount: number }>, maxPages = 10) {
  const items: T[] = [];
  let totalCount = 0;
  for (let page = 1; page <= maxPages; page += 1) {
    const got = await fetchPage(page);
    items.push(...got.items);
    totalCount = got.totalCount;
    if (got.items.length === 0 || items.length >= totalCount) {
      break;
    }
  }
  return { items, totalCount };
}

export function scalewayHandlers(deps: ScalewayWorkerDeps): ScalewayHandlers {
  return {
    'scaleway.verifySigner': async (message) => {
      const args = await callArgs(deps, message.signerId);
      const { item } = await deps.loadSigner(message.signerId, 'scaleway');
      const me = await scalewayGetApiKey({ ...args, accessKey: item.keyId });
      return {
        accessKey: me.accessKey,
        bearerType: me.bearerType,
        bearerId: me.bearerId,
        bearerName: me.bearerName ?? null,
        organizationId: me.organizationId,
        defaultProjectId: me.defaultProjectId ?? null,
        expiresAt: me.expiresAt ?? null,
        expired: me.expired,
      };
    },

    'scaleway.createApiKey': async (message) => {
      await deps.requireCore();
      // Refused before any provider call: a key whose secret has nowhere to go must not be made.
      const header = await deps.loadHeader();
      if (header === undefined) {
        throw deps.fail(
          'no_vault',
          'set up the vault first: a new key goes straight into the vault, so create the vault before creating keys',
        );
      }
      const args = await callArgs(deps, message.signerId);
      const created = await scalewayCreateApiKey({
        ...args,
        ...(message.userId === undefined ? {} : { userId: message.userId }),
        ...(message.applicationId === undefined ? {} : { applicationId: message.applicationId }),
        ...(message.description === undefined ? {} : { description: message.description }),
        ...(message.expiresAt === undefined ? {} : { expiresAt: message.expiresAt }),
        ...(message.defaultProjectId === undefined ? {} : { defaultProjectId: message.defaultProjectId }),
        ...(message.organizationId === undefined ? {} : { organizationId: message.organizationId }),
        ...(message.secretManager === undefined ? {} : { secretManager: message.secretManager }),
        vaultHeader: header,
      });
      // Persist first, answer second: once the caller hears "created", the key is in the vault.
      try {
        await chrome.storage.local.set({ [created.entry.storageKey]: created.entry.value });
      } catch (error) {
        throw deps.fail(
          'not_vaulted',
          `API key ${created.accessKey} was created but could not be saved ` +
            `(${error instanceof Error ? error.message : String(error)}); delete it in the Scaleway console and create a new one`,
        );
      }
      const pushed = created.secretManager;
      return {
        ...keyInfo(created),
        entryId: created.entry.id,
        secretManager:
          pushed === undefined
            ? null
            : {
                region: pushed.region,
                secretId: pushed.secretId,
                secretName: pushed.secretName,
                path: pushed.path ?? null,
                revision: pushed.revision,
              },
      };
    },

    'scaleway.listApplications': async (message) => {
      const args = await callArgs(deps, message.signerId);
      const { items, totalCount } = await allPages(async (page) => {
        const got = await scalewayListApplications({
          ...args,
          organizationId: message.organizationId,
          ...(message.name === undefined ? {} : { name: message.name }),
          page,
          pageSize: 100,
        });
        return { items: got.applications, totalCount: got.totalCount };
      });
      return { applications: items.map(application), totalCount };
    },

    'scaleway.createApplication': async (message) => {
      const args = await callArgs(deps, message.signerId);
      const app = await scalewayCreateApplication({
        ...args,
        organizationId: message.organizationId,
        name: message.name,
        ...(message.description === undefined ? {} : { description: message.description }),
      });
      return application(app);
    },

    'scaleway.listProjects': async (message) => {
      const args = await callArgs(deps, message.signerId);
      const { items, totalCount } = await allPages(async (page) => {
        const got = await scalewayListProjects({ ...args, organizationId: message.organizationId, page, pageSize: 100 });
        return { items: got.projects, totalCount: got.totalCount };
      });
      return { projects: items.map(project), totalCount };
    },

    'scaleway.listApiKeys': async (message) => {
      const args = await callArgs(deps, message.signerId);
      const { items, totalCount } = await allPages(async (page) => {
        const got = await scalewayListApiKeys({
          ...args,
          ...(message.bearerType === undefined ? {} : { bearerType: message.bearerType }),
          ...(message.bearerId === undefined ? {} : { bearerId: message.bearerId }),
          page,
          pageSize: 100,
        });
        return { items: got.apiKeys, totalCount: got.totalCount };
      });
      return { apiKeys: items.map(keyInfo), totalCount };
    },

    'scaleway.deleteApiKey': async (message) => {
      const args = await callArgs(deps, message.signerId);
      await scalewayDeleteApiKey({ ...args, accessKey: message.accessKey });
      return { accessKey: message.accessKey };
    },
  };
}
