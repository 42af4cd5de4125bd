// Console integration contracts: the messages the console content scripts send to the service
// worker, their validators, and the console hosts those scripts (and only they) may send from.
// Kept apart from messages.ts, which lists these types in its unions and sender table. A content
// script never receives a secret: every reply names an entry and a key id, nothing more. What
// console pages may have made is rate limited (CONSOLE_RATE_LIMIT).

import { MessageValidationError, dict } from './messages.js';

export type ConsoleProvider = 'aws' | 'scaleway';

/**
 * The consoles' host names, per provider: each base host and every subdomain of it (regional
 * consoles such as us-east-1.console.aws.amazon.com). The manifest's content_scripts matches
 * list exactly these (a manifest test checks), and the worker accepts console messages only
 * from an https origin on one of them.
 */
export const CONSOLE_HOSTS: Record<ConsoleProvider, readonly string[]> = {
  aws: [
    'console.aws.amazon.com',
    // AWS GovCloud (US)
    'console.amazonaws-us-gov.com',
    // AWS in China (Beijing, Ningxia)
    'console.amazonaws.cn',
  ],
  scaleway: ['console.scaleway.com'],
};

/** Which console an origin belongs to: an https origin, default port, on a console host. */
export function consoleProviderOf(origin: string | undefined): ConsoleProvider | undefined {
  if (typeof origin !== 'string') {
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.port !== '' || url.username !== '' || url.password !== '') {
    return undefined;
  }
  const host = url.hostname;
  for (const provider of ['aws', 'scaleway'] as const) {
    if (CONSOLE_HOSTS[provider].some((base) => host === base || host.endsWith(`.${base}`))) {
      return provider;
    }
  }
  return undefined;
}

/** A key the console page displays, as the content script read it off the page. */
export type DisplayedKey =
  | { provider: 'aws'; accessKeyId: string; secretAccessKey: string; userName?: string }
  | { provider: 'scaleway'; accessKey: string; secretKey: string; applicationId?: string };

export type ConsoleRequestMessage =
  /** "Vault this key": seal what the console shows (no signer needed). Rate limited: 'vault'. */
  | { type: 'console.vaultKey'; key: DisplayedKey }
  /** The create buttons, with the newest signer of the console's provider. Rate limited: 'create'. */
  | { type: 'console.aws.createAccessKey'; userName: string }
  | { type: 'console.ec2.createKeyPair'; region: string; keyName?: string }
  | { type: 'console.scaleway.createApiKey'; applicationId?: string }
  /**
   * Opens Keysmith in a tab: on an entry, or on the two-key choice for IAM user `userName`
   * (after key_limit), if given: the toast's link and the fallback. Not rate limited.
   */
  | { type: 'console.openExtension'; entryId?: string; userName?: string };

export type ConsoleMessageType = ConsoleRequestMessage['type'];

/** What a console action answers: the stored entry and the public id of its key. No secret. */
export interface ConsoleVaulted {
  entryId: string;
  /** The access key id, Scaleway access key, or EC2 key pair name. */
  keyId: string;
}

export interface ConsoleResultByType {
  'console.vaultKey': ConsoleVaulted;
  'console.aws.createAccessKey': ConsoleVaulted;
  'console.ec2.createKeyPair': ConsoleVaulted;
  'console.scaleway.createApiKey': ConsoleVaulted;
  'console.openExtension': { opened: true };
}

/** The messages a console sends, and which console may send each (checked against the origin). */
export const CONSOLE_MESSAGE_PROVIDER: Record<ConsoleMessageType, ConsoleProvider | 'either'> = {
  'console.vaultKey': 'either',
  'console.aws.createAccessKey': 'aws',
  'console.ec2.createKeyPair': 'aws',
  'console.scaleway.createApiKey': 'scaleway',
  'console.openExtension': 'either',
};

export function isConsoleMessageType(type: string): type is ConsoleMessageType {
  return Object.hasOwn(CONSOLE_MESSAGE_PROVIDER, type);
}

/**
 * The console rate limit: what console pages may have Keysmith make, in a sliding window across
 * every console tab of the browser. A compromised console page (or its content-script world) can
 * send these messages without a click; the limit bounds the clutter it can make at the provider
 * and in the vault while the vault is unlocked. A person clicking Keysmith's buttons never gets
 * near it: a create takes a click and a wait for the provider, and IAM allows two keys per user;
 * a "Vault this key" needs a key the console just made, one wizard or dialog each. Keysmith's own
 * pages (popup, options) are not limited. Over the limit the worker answers
 * `console_rate_limited`, with `retryAfterMs`, before any provider call or storage write.
 */
export type ConsoleRateKind = 'create' | 'vault';
export const CONSOLE_RATE_LIMIT: Record<ConsoleRateKind, { max: number; windowMs: number }> = {
  /** IAM access keys, EC2 key pairs and Scaleway API keys together. */
  create: { max: 5, windowMs: 60_000 },
  /** "Vault this key", on either console. */
  vault: { max: 10, windowMs: 60_000 },
};

/** Which console messages the limit counts, and in which kind. Opening Keysmith is not counted. */
export const CONSOLE_RATE_KIND: Partial<Record<ConsoleMessageType, ConsoleRateKind>> = {
  'console.aws.createAccessKey': 'create',
  'console.ec2.createKeyPair': 'create',
  'console.scaleway.createApiKey': 'create',
  'console.vaultKey': 'vault',
};

/** Error codes of the console handlers (the worker's and the core's codes apply too). */
export const ConsoleErrorCode = {
  /** No signer identity to create keys with: add one in Keysmith's options. */
  noSigner: 'no_signer',
  /**
   * Console pages asked for more creates (or "Vault this key") than CONSOLE_RATE_LIMIT allows:
   * nothing was done; the reply's retryAfterMs says when a slot frees up.
   */
  rateLimited: 'console_rate_limited',
} as const;

// ----- validation --------------------------------------------------------------------------------

const AWS_ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
// AWS secret access keys are 40 base64 characters today; allow the visible-ASCII set the vault accepts.
const AWS_SECRET = /^[\x21-\x7e]{16,256}$/;
const SCW_ACCESS_KEY = /^SCW[A-Z0-9]{17}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const EC2_KEY_NAME = /^[\x20-\x7e]{1,255}$/;
const ENTRY_ID = /^[0-9a-f]{32}$/;

/** A string matching `pattern`; `what` says what was expected (never echoes the value). */
function matching(value: unknown, path: string, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || value.length > 512 || !pattern.test(value)) {
    throw new MessageValidationError(`${path} must be ${what}`);
  }
  return value;
}

function optionalMatching(value: unknown, path: string, pattern: RegExp, what: string): string | undefined {
  return value === undefined ? undefined : matching(value, path, pattern, what);
}

function parseDisplayedKey(value: unknown): DisplayedKey {
  const provider = dict(value, 'key', ['provider', 'accessKeyId', 'secretAccessKey', 'userName', 'accessKey', 'secretKey', 'applicationId']).provider;
  if (provider === 'aws') {
    const d = dict(value, 'key', ['provider', 'accessKeyId', 'secretAccessKey', 'userName']);
    const key: DisplayedKey = {
      provider,
      accessKeyId: matching(d.accessKeyId, 'key.accessKeyId', AWS_ACCESS_KEY_ID, 'an AWS access key id'),
      secretAccessKey: matching(d.secretAccessKey, 'key.secretAccessKey', AWS_SECRET, 'an AWS secret access key'),
    };
    const userName = optionalMatching(d.userName, 'key.userName', IAM_USER_NAME, 'an IAM user name');
    if (userName !== undefined) {
      key.userName = userName;
    }
    return key;
  }
  if (provider === 'scaleway') {
    const d = dict(value, 'key', ['provider', 'accessKey', 'secretKey', 'applicationId']);
    const key: DisplayedKey = {
      provider,
      accessKey: matching(d.accessKey, 'key.accessKey', SCW_ACCESS_KEY, 'a Scaleway access key (SCW and 17 letters or digits)'),
      secretKey: matching(d.secretKey, 'key.secretKey', UUID, 'a Scaleway secret key (a UUID)'),
    };
    const applicationId = optionalMatching(d.applicationId, 'key.applicationId', UUID, 'an application id (a UUID)');
    if (applicationId !== undefined) {
      key.applicationId = applicationId;
    }
    return key;
  }
  throw new MessageValidationError('key.provider must be "aws" or "scaleway"');
}

/** Validates a console message whose type is already known. */
export function parseConsoleMessage(type: ConsoleMessageType, value: unknown): ConsoleRequestMessage {
  switch (type) {
    case 'console.vaultKey': {
      const d = dict(value, 'message', ['type', 'key']);
      return { type, key: parseDisplayedKey(d.key) };
    }
    case 'console.aws.createAccessKey': {
      const d = dict(value, 'message', ['type', 'userName']);
      return { type, userName: matching(d.userName, 'userName', IAM_USER_NAME, 'an IAM user name') };
    }
    case 'console.ec2.createKeyPair': {
      const d = dict(value, 'message', ['type', 'region', 'keyName']);
      const message: ConsoleRequestMessage = { type, region: matching(d.region, 'region', REGION, 'an AWS region code') };
      const keyName = optionalMatching(d.keyName, 'keyName', EC2_KEY_NAME, 'a key pair name (printable ASCII, at most 255)');
      if (keyName !== undefined) {
        message.keyName = keyName;
      }
      return message;
    }
    case 'console.scaleway.createApiKey': {
      const d = dict(value, 'message', ['type', 'applicationId']);
      const applicationId = optionalMatching(d.applicationId, 'applicationId', UUID, 'an application id (a UUID)');
      return applicationId === undefined ? { type } : { type, applicationId };
    }
    case 'console.openExtension': {
      const d = dict(value, 'message', ['type', 'entryId', 'userName']);
      const entryId = optionalMatching(d.entryId, 'entryId', ENTRY_ID, '32 lowercase hex digits');
      const userName = optionalMatching(d.userName, 'userName', IAM_USER_NAME, 'an IAM user name');
      if (entryId !== undefined && userName !== undefined) {
        throw new MessageValidationError('give entryId or userName, not both');
      }
      return entryId !== undefined ? { type, entryId } : userName !== undefined ? { type, userName } : { type };
    }
  }
}
