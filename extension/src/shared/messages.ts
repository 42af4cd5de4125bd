// Message contracts between extension pages, content scripts and the service worker, with the
// runtime validators the service worker applies to everything it receives (messages are untrusted).

import {
  AWS_FLOW_SENDER_REQUIREMENT,
  type AwsFlowRequestMessage,
  type AwsFlowResultByType,
  isAwsFlowMessageType,
  parseAwsFlowMessage,
} from './aws-flow-messages.js';
import {
  type ConsoleRequestMessage,
  type ConsoleResultByType,
  isConsoleMessageType,
  parseConsoleMessage,
} from './console-messages.js';
import {
  type ScalewayRequestMessage,
  type ScalewayResultByType,
  isScalewayMessageType,
  parseScalewayMessage,
} from './scaleway-messages.js';

/** Long-term or temporary AWS credentials, as typed by the user when adding a signer. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Role credentials: when they expire (ISO 8601), as the portal or the CLI shows it. */
  expiration?: string;
}

export type SignerProvider = 'aws' | 'scaleway';

/** What was verified about a signer when it was added (mirrors the core's SignerSummary). */
export interface SignerSummary {
  verifiedMs: number;
  account: string | null;
  arn: string | null;
  userId: string | null;
  /** Present: the signer requires MFA, with this device. */
  mfaSerial: string | null;
}

/**
 * A signer identity: a vault entry whose credential signs provider calls. Role credentials
 * live in chrome.storage.session only (`sessionOnly`), gone on lock or expiry. Never a secret.
 */
export interface SignerItem {
  /** The entry id (32 hex digits): what messages name a signer by. */
  id: string;
  provider: SignerProvider;
  kind: 'aws_access_key' | 'aws_temporary_credentials' | 'scaleway_api_key';
  /** The AWS access key id or the Scaleway access key. */
  keyId: string;
  description: string | null;
  createdMs: number;
  sessionOnly: boolean;
  /** Role credentials: when they expire. */
  expiration: string | null;
  /** Scaleway: the bearer and its Organization and default Project. */
  bearerType?: 'user' | 'application';
  bearerId?: string;
  organizationId?: string | null;
  defaultProjectId?: string | null;
  signer: SignerSummary;
  /** An MFA signer's current session (GetSessionToken with a code): until when it signs. */
  mfaSessionExpiration: string | null;
}

/** The signers in the vault, newest first (the popup picks the first of a provider). */
export interface SignerList {
  signers: SignerItem[];
}

/** Adding an AWS signer: pasted text (the vault's import formats) or typed fields. */
export type AddAwsSignerInput =
  | { text: string; credentials?: undefined }
  | { credentials: AwsCredentials; text?: undefined };

/**
 * An HTTP request to sign. `body` is text: runtime messages are JSON-serialised, so bytes
 * (Uint8Array) would not survive the trip.
 */
export interface HttpRequestInput {
  method: string;
  url: string;
  headers: [string, string][];
  body?: string;
}

export interface AwsSignOptions {
  region: string;
  service: string;
  timeMs: number;
  unsignedPayload?: boolean;
  presign?: { expiresSecs: number };
}

/** What the core's signAwsRequest returns. */
export interface AwsSignature {
  method: string;
  headers: [string, string][];
  url: string;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

/**
 * A created access key, without its secret: the core sealed the secret into a vault entry,
 * which the worker stored (under `keysmith.entry.<entryId>`) before replying.
 */
export interface CreatedAccessKey {
  accessKeyId: string;
  userName: string;
  status: string;
  createDate: string;
  entryId: string;
  /** With pushSecret: the Secrets Manager version written, or why the push failed. */
  pushed?: { arn: string; name: string; versionId: string };
  pushError?: ErrorInfo;
}

/** Also push a created access key to AWS Secrets Manager (secret name, in a region). */
export interface PushSecretTarget {
  region: string;
  name: string;
}

/** One of a user's access keys, as the two-key choice shows it (mirrors the core's KeySlotInfo). */
export interface KeySlotKey {
  accessKeyId: string;
  status: string;
  createDate: string;
  lastUsedDate?: string;
  lastUsedService?: string;
  lastUsedRegion?: string;
  /** The key that signs Keysmith's requests: freeing it locks Keysmith out. */
  isSigner: boolean;
}

/**
 * Before creating an access key: can it be created, or are both slots taken? `suggested` is
 * shown to the user, never acted on silently. Mirrors the core's KeySlotDecision.
 */
export interface KeySlotDecision {
  canCreate: boolean;
  keys: KeySlotKey[];
  suggested?: { accessKeyId: string; action: 'deactivate' | 'delete' };
}

export type AccessKeyStatusChange = 'Active' | 'Inactive';
export type Ec2KeyType = 'ed25519' | 'rsa';
export type Ec2KeyFormat = 'pem' | 'ppk';

/** A created EC2 key pair: its private key was sealed and stored as `entryId` before the reply. */
export interface CreatedKeyPair {
  keyName: string;
  keyPairId: string;
  keyFingerprint: string;
  keyType: string;
  keyFormat: string;
  region: string;
  entryId: string;
}

export interface KeyPairInfo {
  keyPairId: string;
  keyName: string;
  keyFingerprint: string;
  keyType: string;
  createTime: string;
}

/**
 * The commercial regions whose EC2 endpoint (https://ec2.<region>.amazonaws.com) the manifest
 * grants. Match patterns cannot say "ec2.*.amazonaws.com", and "*.amazonaws.com" would cover
 * every S3 bucket host too, so each host is listed; a manifest test checks they agree.
 */
export const EC2_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-south-1',
  'eu-south-2',
  'eu-north-1',
  'il-central-1',
  'me-south-1',
  'me-central-1',
  'mx-central-1',
  'sa-east-1',
] as const;
export const DEFAULT_EC2_REGION = 'us-east-1';

/**
 * The regions whose Secrets Manager endpoint (https://secretsmanager.<region>.amazonaws.com)
 * the manifest grants: the same commercial regions, one exact host each (manifest test).
 */
export const SECRETS_MANAGER_REGIONS = EC2_REGIONS;
const SECRET_NAME = /^[\w/+=.@-]{1,512}$/;

/** Base URLs (origin only) replacing the providers' real API hosts, e.g. a local emulator. */
export interface CustomEndpoints {
  aws?: string;
  scaleway?: string;
}

export interface Settings {
  endpoints: CustomEndpoints;
  /** Idle minutes after which an unlocked vault locks itself (1..1440). */
  autoLockMinutes: number;
  /** Seconds after a copy at which Keysmith clears the clipboard, if it still holds the copy. */
  clipboardClearSeconds: number;
  /** The EC2 region the popup's forms start with. */
  defaultRegion: string;
  /** The EC2 key type the popup's key-pair form starts with. */
  defaultEc2KeyType: Ec2KeyType;
}

/** The settings that `settings.set` may change, any subset at a time. */
export type SettingsChange = Partial<Settings>;

export const DEFAULT_AUTO_LOCK_MINUTES = 15;
export const MIN_AUTO_LOCK_MINUTES = 1;
export const MAX_AUTO_LOCK_MINUTES = 1440;
export const DEFAULT_CLIPBOARD_CLEAR_SECONDS = 30;
export const MIN_CLIPBOARD_CLEAR_SECONDS = 5;
export const MAX_CLIPBOARD_CLEAR_SECONDS = 600;
export const EC2_KEY_TYPES = ['ed25519', 'rsa'] as const;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  endpoints: {},
  autoLockMinutes: DEFAULT_AUTO_LOCK_MINUTES,
  clipboardClearSeconds: DEFAULT_CLIPBOARD_CLEAR_SECONDS,
  defaultRegion: DEFAULT_EC2_REGION,
  defaultEc2KeyType: 'ed25519',
});

/**
 * The whole vault as a file, for moving it to another browser: the header and every sealed
 * entry, exactly as chrome.storage.local holds them. Nothing in it is plaintext.
 */
export interface VaultFile {
  keysmith: 'vault-file';
  version: 1;
  exportedAt: string;
  header: string;
  entries: Record<string, string>;
}
export const VAULT_FILE_VERSION = 1;

/**
 * What the last vault file of this vault held (chrome.storage.local, STORAGE.lastVaultFile):
 * written by the worker when it exports a vault file, and when it imports one (the vault then
 * equals the file). Metadata only: the vault id, when, and a SHA-256 of each sealed value (the
 * sealed values are in the same storage anyway), so the worker can tell which entries are in no
 * vault file, locked or not.
 */
export interface VaultFileRecord {
  vaultId: string;
  /** When the file was exported, or imported here (ms since the epoch). */
  atMs: number;
  how: 'exported' | 'imported';
  /** Storage key of each entry in the file → SHA-256 of its sealed value, 64 lowercase hex. */
  entries: Record<string, string>;
}

/**
 * What replacing this browser's vault would lose (vault.fileState), for the import confirmation.
 * Counts only: no entry metadata, no secret.
 */
export interface VaultFileState {
  exists: boolean;
  /** Entries stored in this browser's vault now. */
  entryCount: number;
  /** The last vault file of this vault (exported here, or the one it was imported from); null if none. */
  lastFile: { atMs: number; how: 'exported' | 'imported' } | null;
  /** Entries not in that file (all of them when there is none): they are in no vault file. */
  added: number;
  /** Entries in the file whose stored value changed since (a signer's MFA device set): the file holds the older version. */
  changed: number;
  /** How many of the `added` entries are signer identities; null while the vault is locked (that is sealed). */
  addedSigners: number | null;
}

/** Argon2id cost of a vault: memory in KiB, passes, lanes. */
export interface KdfInfo {
  mKib: number;
  t: number;
  p: number;
}

/** What anyone in the extension may know about the vault (no secret, no entry metadata). */
export interface VaultStatus {
  exists: boolean;
  unlocked: boolean;
  entryCount: number;
  /** The vault's key-derivation cost; null when no vault exists. */
  kdf: KdfInfo | null;
  autoLockMinutes: number;
  /** When an unlocked vault will lock itself if left idle (ms since the epoch); null if locked. */
  autoLockAt: number | null;
}

/** An entry as the list shows it: everything but its secrets. Mirrors the core's EntrySummary. */
export interface EntrySummary {
  kind: 'aws_access_key' | 'aws_temporary_credentials' | 'ec2_key_pair' | 'scaleway_api_key';
  provider: 'aws' | 'scaleway';
  accessKeyId?: string;
  userName?: string | null;
  accountId?: string | null;
  created?: string | null;
  expiration?: string | null;
  keyName?: string;
  region?: string | null;
  keyPairId?: string | null;
  fingerprint?: string | null;
  accessKey?: string;
  organizationId?: string | null;
  defaultProjectId?: string | null;
  expiresAt?: string | null;
  description?: string | null;
}

export type EntryKind = EntrySummary['kind'];

/** One stored entry: its summary, or why it could not be opened (damaged, foreign…). */
export type VaultListItem =
  | (EntrySummary & { storageKey: string; id: string; createdMs: number })
  | { storageKey: string; error: ErrorInfo };

export interface VaultList {
  entries: VaultListItem[];
  /** Entries deleted in this browser session, which vault.restore can put back. */
  deleted: VaultListItem[];
}

export interface ImportResult {
  imported: (EntrySummary & { storageKey: string; id: string })[];
}

export interface DeleteResult {
  storageKey: string;
}

export const EXPORT_FORMATS = [
  'aws-credentials',
  'aws-configure',
  'aws-env',
  'aws-csv',
  'scaleway-config',
  'scaleway-env',
  'scaleway-s3',
  'pem',
  'ssh-public-key',
  /** The bare secret, for the popup's Reveal and Copy (every kind). */
  'secret',
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Which formats make sense for which kind of entry (the core refuses the others). */
export const EXPORT_FORMATS_BY_KIND: Record<EntryKind, readonly ExportFormat[]> = {
  aws_access_key: ['aws-credentials', 'aws-configure', 'aws-env', 'aws-csv'],
  aws_temporary_credentials: ['aws-credentials', 'aws-configure', 'aws-env'],
  ec2_key_pair: ['pem', 'ssh-public-key'],
  scaleway_api_key: ['scaleway-config', 'scaleway-env', 'scaleway-s3'],
};

export interface ExportOptions {
  profile?: string;
  userName?: string;
  region?: string;
  zone?: string;
}

/** An exported entry: holds the secret, so it only ever goes to an extension page. */
export interface ExportedText {
  text: string;
  fileName: string | null;
}

/** chrome.storage keys. One local key per entry, so concurrent writers never clobber each other. */
export const STORAGE = {
  settings: 'settings',
  /** local: the vault header (public; base64). */
  header: 'keysmith.vault',
  /** local: prefix of each sealed entry's key, followed by its 32-hex-digit id. */
  entryPrefix: 'keysmith.entry.',
  /** session: the parked private key and the auto-lock deadline, while unlocked. */
  unlocked: 'keysmith.unlocked',
  /** session: prefix of a deleted entry's sealed value, kept for undo until the browser closes. */
  deletedPrefix: 'keysmith.deleted.',
  /** local: prefix of a pending-create marker (aws-flow-messages.ts PendingCreate), by id. */
  pendingPrefix: 'keysmith.pending.',
  /** local: prefix of a rotation record (aws-flow-messages.ts RotationRecord), by id. */
  rotationPrefix: 'keysmith.rotation.',
  /**
   * session: an MFA signer's sealed GetSessionToken credentials, by signer id (removed on lock).
   * Role-credential signers are in session storage too, under entryPrefix.
   */
  mfaPrefix: 'keysmith.mfa.',
  /** local: what the last vault file of this vault held (VaultFileRecord; no secret). */
  lastVaultFile: 'keysmith.lastVaultFile',
  /**
   * session: when console pages last had something made, per kind of console-messages'
   * CONSOLE_RATE_LIMIT (ms since the epoch): the console rate limit's window (console-limit.ts).
   */
  consoleLimit: 'keysmith.consoleLimit',
} as const;

export const AUTO_LOCK_ALARM = 'keysmith.autolock';
export const MIN_NEW_PASSPHRASE = 8;

export interface PingResult {
  coreVersion: string;
}

export type RequestMessage =
  | { type: 'ping' }
  | { type: 'settings.get' }
  | ({ type: 'settings.set' } & SettingsChange)
  | { type: 'vault.status' }
  | { type: 'vault.create'; passphrase: string }
  | { type: 'vault.unlock'; passphrase: string }
  | { type: 'vault.lock' }
  | { type: 'vault.list' }
  | { type: 'vault.export'; storageKey: string; format: ExportFormat; options?: ExportOptions }
  | { type: 'vault.import'; text: string; fileName?: string }
  | { type: 'vault.delete'; storageKey: string }
  | { type: 'vault.restore'; storageKey: string }
  | { type: 'vault.changePassphrase'; currentPassphrase: string; newPassphrase: string }
  | { type: 'vault.exportFile' }
  | { type: 'vault.importFile'; text: string; passphrase: string; replace: boolean }
  | { type: 'vault.fileState' }
  | { type: 'signers.list' }
  | ({ type: 'signers.addAws'; mfaSerial?: string; description?: string } & AddAwsSignerInput)
  | { type: 'signers.addScaleway'; accessKey: string; secretKey: string; description?: string }
  | { type: 'signers.setMfa'; signerId: string; mfaSerial: string | null }
  | { type: 'signers.remove'; signerId: string }
  | { type: 'signers.mfaSession'; signerId: string; tokenCode: string }
  | { type: 'aws.getCallerIdentity'; signerId: string }
  | { type: 'aws.createAccessKey'; signerId: string; userName?: string; pushSecret?: PushSecretTarget }
  | { type: 'aws.sign'; request: HttpRequestInput; signerId: string; options: AwsSignOptions }
  | { type: 'aws.keySlot'; signerId: string; userName?: string }
  | {
      type: 'aws.updateAccessKey';
      signerId: string;
      userName?: string;
      accessKeyId: string;
      status: AccessKeyStatusChange;
    }
  | { type: 'aws.deleteAccessKey'; signerId: string; userName?: string; accessKeyId: string }
  | {
      type: 'aws.createKeyPair';
      signerId: string;
      region: string;
      keyName: string;
      keyType?: Ec2KeyType;
      keyFormat?: Ec2KeyFormat;
    }
  | { type: 'aws.describeKeyPairs'; signerId: string; region: string; keyNames?: string[] }
  | { type: 'aws.deleteKeyPair'; signerId: string; region: string; keyName: string }
  | ScalewayRequestMessage
  | ConsoleRequestMessage
  | AwsFlowRequestMessage;

export type MessageType = RequestMessage['type'];
export type MessageOf<T extends MessageType> = Extract<RequestMessage, { type: T }>;

export interface ResultByType extends ScalewayResultByType, ConsoleResultByType, AwsFlowResultByType {
  ping: PingResult;
  'settings.get': Settings;
  'settings.set': Settings;
  'vault.status': VaultStatus;
  'vault.create': VaultStatus;
  'vault.unlock': VaultStatus;
  'vault.lock': VaultStatus;
  'vault.list': VaultList;
  'vault.export': ExportedText;
  'vault.import': ImportResult;
  'vault.delete': DeleteResult;
  'vault.restore': DeleteResult;
  'vault.changePassphrase': VaultStatus;
  'vault.exportFile': ExportedText;
  'vault.importFile': VaultStatus & { imported: number };
  'vault.fileState': VaultFileState;
  'signers.list': SignerList;
  'signers.addAws': SignerItem;
  'signers.addScaleway': SignerItem & { bearerName: string | null };
  'signers.setMfa': SignerItem;
  'signers.remove': { signerId: string };
  'signers.mfaSession': { signerId: string; expiration: string };
  'aws.getCallerIdentity': CallerIdentity;
  'aws.createAccessKey': CreatedAccessKey;
  'aws.sign': AwsSignature;
  'aws.keySlot': KeySlotDecision;
  'aws.updateAccessKey': KeySlotDecision;
  'aws.deleteAccessKey': KeySlotDecision;
  'aws.createKeyPair': CreatedKeyPair;
  'aws.describeKeyPairs': KeyPairInfo[];
  'aws.deleteKeyPair': { keyName: string };
}

export interface ErrorInfo {
  /** Stable machine-readable code: the core's (e.g. "provider_error") or the worker's (below). */
  code: string;
  message: string;
  /** The provider's own error code, e.g. "SignatureDoesNotMatch". */
  providerCode?: string;
  /** HTTP status of the provider's answer. */
  status?: number;
  /** For import errors: the 1-based line of the pasted text that is wrong. */
  line?: number;
  /** For AWS AccessDenied: the permission AWS named as missing, e.g. iam:CreateAccessKey. */
  missingPermission?: string;
  /** The id AWS gave the failed request. */
  requestId?: string;
  /** For a create refused because the user has two access keys: the choice to offer. */
  keySlot?: KeySlotDecision;
  /** For console_rate_limited: how long until the console rate limit has a free slot (ms). */
  retryAfterMs?: number;
}

export type Reply<T> = { ok: true; result: T } | { ok: false; error: ErrorInfo };

/** Error codes produced by the service worker itself (the core has its own). */
export const WorkerErrorCode = {
  badRequest: 'bad_request',
  senderNotAllowed: 'sender_not_allowed',
  coreUnavailable: 'core_unavailable',
  internal: 'internal',
  noVault: 'no_vault',
  vaultExists: 'vault_exists',
  locked: 'locked',
  notFound: 'not_found',
  notVaulted: 'not_vaulted',
  storageFailed: 'storage_failed',
  /** The user already has two access keys: the reply's keySlot holds the choice. */
  keyLimit: 'key_limit',
  /** chrome.storage.local is (nearly) full: nothing was created. */
  storageFull: 'storage_full',
  /** A create's outcome is unknown (no answer): see the pending creates. */
  outcomeUnknown: 'outcome_unknown',
  /** A rotation cannot go on as asked (e.g. its new key's secret was lost): roll it back. */
  rotationBlocked: 'rotation_blocked',
  /** A signer is needed and the vault is locked (a signer is opened with the vault key). */
  vaultLocked: 'vault_locked',
  /** No signer identity with that id (or not one for this provider). */
  noSigner: 'no_signer',
  /** A vault file that is not one, is cut short, or whose contents were changed. */
  badVaultFile: 'bad_vault_file',
} as const;

/**
 * Who may send each message. Anything that carries credentials or passphrases, touches the
 * vault's contents or lock state, changes where credentials are sent (settings.set), or reveals
 * configuration, is for extension pages only: content scripts run inside provider consoles,
 * which we do not control. vault.status tells only what a locked vault reveals anyway.
 */
export type SenderRequirement = 'any-extension-context' | 'extension-page' | 'console-content-script';
export const SENDER_REQUIREMENT: Record<MessageType, SenderRequirement> = {
  ping: 'any-extension-context',
  'settings.get': 'extension-page',
  'settings.set': 'extension-page',
  'vault.status': 'any-extension-context',
  'vault.create': 'extension-page',
  'vault.unlock': 'extension-page',
  'vault.lock': 'extension-page',
  'vault.list': 'extension-page',
  'vault.export': 'extension-page',
  'vault.import': 'extension-page',
  'vault.delete': 'extension-page',
  'vault.restore': 'extension-page',
  'vault.changePassphrase': 'extension-page',
  'vault.exportFile': 'extension-page',
  'vault.importFile': 'extension-page',
  'vault.fileState': 'extension-page',
  'signers.list': 'extension-page',
  'signers.addAws': 'extension-page',
  'signers.addScaleway': 'extension-page',
  'signers.setMfa': 'extension-page',
  'signers.remove': 'extension-page',
  'signers.mfaSession': 'extension-page',
  'aws.getCallerIdentity': 'extension-page',
  'aws.createAccessKey': 'extension-page',
  'aws.sign': 'extension-page',
  'aws.keySlot': 'extension-page',
  'aws.updateAccessKey': 'extension-page',
  'aws.deleteAccessKey': 'extension-page',
  'aws.createKeyPair': 'extension-page',
  'aws.describeKeyPairs': 'extension-page',
  'aws.deleteKeyPair': 'extension-page',
  'scaleway.verifySigner': 'extension-page',
  'scaleway.createApiKey': 'extension-page',
  'scaleway.listApplications': 'extension-page',
  'scaleway.createApplication': 'extension-page',
  'scaleway.listProjects': 'extension-page',
  'scaleway.listApiKeys': 'extension-page',
  'scaleway.deleteApiKey': 'extension-page',
  ...AWS_FLOW_SENDER_REQUIREMENT,
  // Only Keysmith's content scripts in a provider console (origin checked; see console-messages.ts).
  'console.vaultKey': 'console-content-script',
  'console.aws.createAccessKey': 'console-content-script',
  'console.ec2.createKeyPair': 'console-content-script',
  'console.scaleway.createApiKey': 'console-content-script',
  'console.openExtension': 'console-content-script',
};

// ---------------------------------------------------------------------------------------------
// Validation. Each validator takes `unknown` and either returns a typed value or throws
// MessageValidationError naming the offending field. Limits keep a hostile sender from making
// the worker (or the core) chew on huge inputs.

export class MessageValidationError extends Error {
  readonly code = WorkerErrorCode.badRequest;
  constructor(message: string) {
    super(message);
    this.name = 'MessageValidationError';
  }
}

const MAX_SHORT = 256;
const MAX_SECRET = 4096; // session tokens are long (up to ~2 KiB today)
const MAX_URL = 8192;
const MAX_BODY = 1 << 20;
const MAX_HEADERS = 100;
const MAX_PASSPHRASE = 1024;
const MAX_IMPORT = 1 << 20;
const MAX_VAULT_FILE = 16 << 20;
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
const ENTRY_STORAGE_KEY = /^keysmith\.entry\.[0-9a-f]{32}$/;
const SIGNER_ID = /^[0-9a-f]{32}$/;
const MFA_CODE = /^[0-9]{6}$/;
const EXPORT_PROFILE = /^[\w.+@-]{1,64}$/;

type Dict = Record<string, unknown>;

function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object with only `allowed` keys (shared by the contract files' validators). */
export function dict(value: unknown, path: string, allowed: readonly string[]): Dict {
  if (!isDict(value)) {
    throw new MessageValidationError(`${path} must be an object`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new MessageValidationError(`${path}.${key} is not expected`);
    }
  }
  return value;
}

function str(value: unknown, path: string, maxLength: number, options: { nonEmpty?: boolean } = {}): string {
  if (typeof value !== 'string') {
    throw new MessageValidationError(`${path} must be a string`);
  }
  if (value.length > maxLength) {
    throw new MessageValidationError(`${path} is longer than ${maxLength} characters`);
  }
  if (options.nonEmpty === true && value.trim() === '') {
    throw new MessageValidationError(`${path} must not be empty`);
  }
  return value;
}

function optional<T>(value: unknown, check: (v: unknown) => T): T | undefined {
  return value === undefined ? undefined : check(value);
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') {
    throw new MessageValidationError(`${path} must be true or false`);
  }
  return value;
}

function nonNegativeInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new MessageValidationError(`${path} must be a non-negative integer`);
  }
  return value;
}

export function parseAwsCredentials(value: unknown, path = 'credentials'): AwsCredentials {
  const d = dict(value, path, ['accessKeyId', 'secretAccessKey', 'sessionToken', 'expiration']);
  const credentials: AwsCredentials = {
    accessKeyId: str(d.accessKeyId, `${path}.accessKeyId`, MAX_SHORT, { nonEmpty: true }),
    secretAccessKey: str(d.secretAccessKey, `${path}.secretAccessKey`, MAX_SECRET, { nonEmpty: true }),
  };
  const sessionToken = optional(d.sessionToken, (v) => str(v, `${path}.sessionToken`, MAX_SECRET));
  if (sessionToken !== undefined && sessionToken !== '') {
    credentials.sessionToken = sessionToken;
  }
  const expiration = optional(d.expiration, (v) => str(v, `${path}.expiration`, 64).trim());
  if (expiration !== undefined && expiration !== '') {
    credentials.expiration = expiration;
  }
  return credentials;
}

/** A signer's id: its vault entry id, 32 lowercase hex digits. */
export function parseSignerId(value: unknown, path = 'signerId'): string {
  const id = str(value, path, 32);
  if (!SIGNER_ID.test(id)) {
    throw new MessageValidationError(`${path} must be a signer id (32 lowercase hex digits)`);
  }
  return id;
}

/** An MFA device: its ARN or a hardware token's serial (the core checks the shape). */
export function parseMfaSerial(value: unknown, path = 'mfaSerial'): string {
  return str(value, path, MAX_SHORT, { nonEmpty: true }).trim();
}

function parseSignerMessage(type: `signers.${string}` & MessageType, value: unknown): RequestMessage {
  switch (type) {
    case 'signers.list':
      dict(value, 'message', ['type']);
      return { type };
    case 'signers.addAws': {
      const d = dict(value, 'message', ['type', 'text', 'credentials', 'mfaSerial', 'description']);
      if ((d.text === undefined) === (d.credentials === undefined)) {
        throw new MessageValidationError('give either the pasted text or the credentials, not both');
      }
      const message: MessageOf<'signers.addAws'> =
        d.text !== undefined
          ? { type, text: str(d.text, 'text', MAX_IMPORT, { nonEmpty: true }) }
          : { type, credentials: parseAwsCredentials(d.credentials) };
      const mfaSerial = optional(d.mfaSerial, (v) => str(v, 'mfaSerial', MAX_SHORT).trim());
      if (mfaSerial !== undefined && mfaSerial !== '') {
        message.mfaSerial = mfaSerial;
      }
      const description = optional(d.description, (v) => str(v, 'description', MAX_SHORT).trim());
      if (description !== undefined && description !== '') {
        message.description = description;
      }
      return message;
    }
    case 'signers.addScaleway': {
      const d = dict(value, 'message', ['type', 'accessKey', 'secretKey', 'description']);
      const message: MessageOf<'signers.addScaleway'> = {
        type,
        accessKey: str(d.accessKey, 'accessKey', MAX_SHORT, { nonEmpty: true }).trim(),
        secretKey: str(d.secretKey, 'secretKey', MAX_SECRET, { nonEmpty: true }).trim(),
      };
      const description = optional(d.description, (v) => str(v, 'description', MAX_SHORT).trim());
      if (description !== undefined && description !== '') {
        message.description = description;
      }
      return message;
    }
    case 'signers.setMfa': {
      const d = dict(value, 'message', ['type', 'signerId', 'mfaSerial']);
      return {
        type,
        signerId: parseSignerId(d.signerId),
        mfaSerial: d.mfaSerial === null ? null : parseMfaSerial(d.mfaSerial),
      };
    }
    case 'signers.remove': {
      const d = dict(value, 'message', ['type', 'signerId']);
      return { type, signerId: parseSignerId(d.signerId) };
    }
    case 'signers.mfaSession': {
      const d = dict(value, 'message', ['type', 'signerId', 'tokenCode']);
      const tokenCode = str(d.tokenCode, 'tokenCode', 16).trim();
      if (!MFA_CODE.test(tokenCode)) {
        throw new MessageValidationError('tokenCode must be the 6 digits your MFA device shows');
      }
      return { type, signerId: parseSignerId(d.signerId), tokenCode };
    }
    default:
      throw new MessageValidationError(`unknown message type ${JSON.stringify(type)}`);
  }
}

export function parseHttpRequest(value: unknown, path = 'request'): HttpRequestInput {
  const d = dict(value, path, ['method', 'url', 'headers', 'body']);
  if (!Array.isArray(d.headers) || d.headers.length > MAX_HEADERS) {
    throw new MessageValidationError(`${path}.headers must be an array of at most ${MAX_HEADERS} [name, value] pairs`);
  }
  const headers = d.headers.map((pair: unknown, i): [string, string] => {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new MessageValidationError(`${path}.headers[${i}] must be a [name, value] pair`);
    }
    return [
      str(pair[0], `${path}.headers[${i}][0]`, MAX_SHORT, { nonEmpty: true }),
      str(pair[1], `${path}.headers[${i}][1]`, MAX_URL),
    ];
  });
  const request: HttpRequestInput = {
    method: str(d.method, `${path}.method`, 16, { nonEmpty: true }),
    url: str(d.url, `${path}.url`, MAX_URL, { nonEmpty: true }),
    headers,
  };
  const body = optional(d.body, (v) => str(v, `${path}.body`, MAX_BODY));
  if (body !== undefined) {
    request.body = body;
  }
  return request;
}

export function parseAwsSignOptions(value: unknown, path = 'options'): AwsSignOptions {
  const d = dict(value, path, ['region', 'service', 'timeMs', 'unsignedPayload', 'presign']);
  const options: AwsSignOptions = {
    // Semantic checks (empty region, unknown service…) belong to the core, which reports them
    // with its own error codes; here only the types are checked.
    region: str(d.region, `${path}.region`, MAX_SHORT),
    service: str(d.service, `${path}.service`, MAX_SHORT),
    timeMs: nonNegativeInteger(d.timeMs, `${path}.timeMs`),
  };
  const unsignedPayload = optional(d.unsignedPayload, (v) => bool(v, `${path}.unsignedPayload`));
  if (unsignedPayload !== undefined) {
    options.unsignedPayload = unsignedPayload;
  }
  if (d.presign !== undefined) {
    const presign = dict(d.presign, `${path}.presign`, ['expiresSecs']);
    options.presign = { expiresSecs: nonNegativeInteger(presign.expiresSecs, `${path}.presign.expiresSecs`) };
  }
  return options;
}

/**
 * Parses a custom endpoint: an http(s) URL with no credentials, path, query or fragment.
 * Returns its origin (e.g. "http://127.0.0.1:5000"), which is what the core expects.
 */
export function parseEndpointUrl(value: unknown, path = 'endpoint'): string {
  const text = str(value, path, 2048, { nonEmpty: true }).trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new MessageValidationError(`${path} is not a valid URL (${error instanceof Error ? error.message : String(error)})`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new MessageValidationError(`${path} must start with https:// or http://`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new MessageValidationError(`${path} must not contain a user name or password`);
  }
  // `new URL` drops an empty "?" or "#", so look at the raw text as well.
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#')) {
    throw new MessageValidationError(`${path} must not contain a query or fragment`);
  }
  if (url.pathname !== '/') {
    throw new MessageValidationError(`${path} must not contain a path (only scheme, host and port)`);
  }
  return url.origin;
}

export function parseCustomEndpoints(value: unknown, path = 'endpoints'): CustomEndpoints {
  const d = dict(value, path, ['aws', 'scaleway']);
  const endpoints: CustomEndpoints = {};
  const aws = optional(d.aws, (v) => parseEndpointUrl(v, `${path}.aws`));
  if (aws !== undefined) {
    endpoints.aws = aws;
  }
  const scaleway = optional(d.scaleway, (v) => parseEndpointUrl(v, `${path}.scaleway`));
  if (scaleway !== undefined) {
    endpoints.scaleway = scaleway;
  }
  return endpoints;
}

export function parseAutoLockMinutes(value: unknown, path = 'autoLockMinutes'): number {
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < MIN_AUTO_LOCK_MINUTES ||
    value > MAX_AUTO_LOCK_MINUTES
  ) {
    throw new MessageValidationError(
      `${path} must be a whole number of minutes from ${MIN_AUTO_LOCK_MINUTES} to ${MAX_AUTO_LOCK_MINUTES}`,
    );
  }
  return value;
}

export function parseClipboardClearSeconds(value: unknown, path = 'clipboardClearSeconds'): number {
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < MIN_CLIPBOARD_CLEAR_SECONDS ||
    value > MAX_CLIPBOARD_CLEAR_SECONDS
  ) {
    throw new MessageValidationError(
      `${path} must be a whole number of seconds from ${MIN_CLIPBOARD_CLEAR_SECONDS} to ${MAX_CLIPBOARD_CLEAR_SECONDS}`,
    );
  }
  return value;
}

const SETTINGS_FIELDS = ['endpoints', 'autoLockMinutes', 'clipboardClearSeconds', 'defaultRegion', 'defaultEc2KeyType'] as const;

/** The fields of a settings change that are present, each validated. */
function parseSettingsChange(d: Dict, path: string): SettingsChange {
  const change: SettingsChange = {};
  if (d.endpoints !== undefined) {
    change.endpoints = parseCustomEndpoints(d.endpoints, `${path}endpoints`);
  }
  if (d.autoLockMinutes !== undefined) {
    change.autoLockMinutes = parseAutoLockMinutes(d.autoLockMinutes, `${path}autoLockMinutes`);
  }
  if (d.clipboardClearSeconds !== undefined) {
    change.clipboardClearSeconds = parseClipboardClearSeconds(d.clipboardClearSeconds, `${path}clipboardClearSeconds`);
  }
  if (d.defaultRegion !== undefined) {
    change.defaultRegion = parseEc2Region(d.defaultRegion, `${path}defaultRegion`);
  }
  if (d.defaultEc2KeyType !== undefined) {
    change.defaultEc2KeyType = oneOf(d.defaultEc2KeyType, `${path}defaultEc2KeyType`, EC2_KEY_TYPES);
  }
  return change;
}

/** Stored settings: every field optional (older records lack the newer ones), defaults filled in. */
export function parseSettings(value: unknown, path = 'settings'): Settings {
  const d = dict(value, path, SETTINGS_FIELDS);
  return { ...DEFAULT_SETTINGS, ...parseSettingsChange(d, `${path}.`) };
}

/**
 * A vault file as exportFile wrote it. Checks the shape only; whether the header and the
 * entries are intact is for the core to say (with the file's passphrase).
 */
export function parseVaultFile(text: string): VaultFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MessageValidationError('this is not a complete Keysmith vault file (it is not valid JSON: cut short or not a vault file)');
  }
  const d = dict(value, 'vault file', ['keysmith', 'version', 'exportedAt', 'header', 'entries']);
  if (d.keysmith !== 'vault-file') {
    throw new MessageValidationError('this is not a Keysmith vault file (it lacks "keysmith": "vault-file")');
  }
  if (d.version !== VAULT_FILE_VERSION) {
    throw new MessageValidationError(`this vault file has version ${JSON.stringify(d.version)}; this Keysmith reads version ${VAULT_FILE_VERSION}`);
  }
  const header = str(d.header, 'vault file header', MAX_IMPORT, { nonEmpty: true });
  if (!isDict(d.entries)) {
    throw new MessageValidationError('this vault file has no entries object (cut short or changed)');
  }
  const checked: Record<string, string> = {};
  for (const [key, sealed] of Object.entries(d.entries)) {
    checked[parseEntryStorageKey(key, 'vault file entry key')] = str(sealed, `vault file entry ${key}`, MAX_IMPORT, { nonEmpty: true });
  }
  return {
    keysmith: 'vault-file',
    version: VAULT_FILE_VERSION,
    exportedAt: typeof d.exportedAt === 'string' ? d.exportedAt.slice(0, 64) : '',
    header,
    entries: checked,
  };
}

const VAULT_ID = /^[0-9a-f]{32}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** More entries than any vault file can hold (MAX_VAULT_FILE / the smallest sealed entry). */
const MAX_RECORD_ENTRIES = MAX_VAULT_FILE / 1114;

/** The stored VaultFileRecord, checked field by field: anything else is refused (and then ignored). */
export function parseVaultFileRecord(value: unknown, path = 'last vault file'): VaultFileRecord {
  const d = dict(value, path, ['vaultId', 'atMs', 'how', 'entries']);
  const vaultId = str(d.vaultId, `${path}.vaultId`, 32);
  if (!VAULT_ID.test(vaultId)) {
    throw new MessageValidationError(`${path}.vaultId must be 32 lowercase hex digits`);
  }
  const atMs = nonNegativeInteger(d.atMs, `${path}.atMs`);
  const how = oneOf(d.how, `${path}.how`, ['exported', 'imported'] as const);
  if (!isDict(d.entries)) {
    throw new MessageValidationError(`${path}.entries must be an object`);
  }
  const listed = Object.entries(d.entries);
  if (listed.length > MAX_RECORD_ENTRIES) {
    throw new MessageValidationError(`${path}.entries has more entries than a vault file can hold`);
  }
  const entries: Record<string, string> = {};
  for (const [key, digest] of listed) {
    const checked = str(digest, `${path}.entries`, 64);
    if (!SHA256_HEX.test(checked)) {
      throw new MessageValidationError(`${path}.entries values must be SHA-256 digests in hex`);
    }
    entries[parseEntryStorageKey(key, `${path} entry key`)] = checked;
  }
  return { vaultId, atMs, how, entries };
}

/** A passphrase to unlock with: anything non-empty (the core decides whether it is right). */
export function parsePassphrase(value: unknown, path = 'passphrase'): string {
  if (typeof value !== 'string' || value === '') {
    throw new MessageValidationError(`${path} must be a non-empty string`);
  }
  if (value.length > MAX_PASSPHRASE) {
    throw new MessageValidationError(`${path} is longer than ${MAX_PASSPHRASE} characters`);
  }
  return value;
}

/** A passphrase for a new vault or a passphrase change: at least MIN_NEW_PASSPHRASE characters. */
export function parseNewPassphrase(value: unknown, path = 'passphrase'): string {
  const passphrase = parsePassphrase(value, path);
  if ([...passphrase].length < MIN_NEW_PASSPHRASE) {
    throw new MessageValidationError(`${path} must be at least ${MIN_NEW_PASSPHRASE} characters long`);
  }
  return passphrase;
}

export function parseEntryStorageKey(value: unknown, path = 'storageKey'): string {
  const key = str(value, path, 64);
  if (!ENTRY_STORAGE_KEY.test(key)) {
    throw new MessageValidationError(`${path} must be "keysmith.entry." followed by 32 lowercase hex digits`);
  }
  return key;
}

export function parseExportFormat(value: unknown, path = 'format'): ExportFormat {
  const format = str(value, path, 32);
  const known = EXPORT_FORMATS.find((candidate) => candidate === format);
  if (known === undefined) {
    throw new MessageValidationError(`${path} must be one of ${EXPORT_FORMATS.join(', ')}`);
  }
  return known;
}

export function parseExportOptions(value: unknown, path = 'options'): ExportOptions {
  const d = dict(value, path, ['profile', 'userName', 'region', 'zone']);
  const options: ExportOptions = {};
  const profile = optional(d.profile, (v) => str(v, `${path}.profile`, 64, { nonEmpty: true }));
  if (profile !== undefined) {
    if (!EXPORT_PROFILE.test(profile)) {
      throw new MessageValidationError(`${path}.profile may contain only letters, digits and the characters _.+@-`);
    }
    options.profile = profile;
  }
  const userName = optional(d.userName, (v) => parseIamUserName(v, `${path}.userName`));
  if (userName !== undefined) {
    options.userName = userName;
  }
  const region = optional(d.region, (v) => str(v, `${path}.region`, 32, { nonEmpty: true }));
  if (region !== undefined) {
    options.region = region;
  }
  const zone = optional(d.zone, (v) => str(v, `${path}.zone`, 32, { nonEmpty: true }));
  if (zone !== undefined) {
    options.zone = zone;
  }
  return options;
}

/** An IAM user name as IAM accepts it. */
export function parseIamUserName(value: unknown, path = 'userName'): string {
  const name = str(value, path, 64, { nonEmpty: true });
  if (!IAM_USER_NAME.test(name)) {
    throw new MessageValidationError(`${path} may contain only letters, digits and the characters +=,.@_- (at most 64)`);
  }
  return name;
}

function isMessageType(value: string): value is MessageType {
  return Object.hasOwn(SENDER_REQUIREMENT, value);
}

/**
 * Reads only the type of an incoming message, so the sender can be checked before anything else
 * in the message is looked at.
 */
export function parseMessageType(value: unknown): MessageType {
  if (!isDict(value) || typeof value.type !== 'string') {
    throw new MessageValidationError('message must be an object with a string "type"');
  }
  if (!isMessageType(value.type)) {
    throw new MessageValidationError(`unknown message type ${JSON.stringify(value.type.slice(0, 64))}`);
  }
  return value.type;
}

/** Validates an incoming message. Throws MessageValidationError when it does not fit a contract. */
export function parseRequestMessage(value: unknown): RequestMessage {
  const type = parseMessageType(value);
  if (isScalewayMessageType(type)) {
    return parseScalewayMessage(type, value);
  }
  if (isAwsFlowMessageType(type)) {
    return parseAwsFlowMessage(type, value);
  }
  if (isConsoleMessageType(type)) {
    return parseConsoleMessage(type, value);
  }
  switch (type) {
    case 'ping':
      dict(value, 'message', ['type']);
      return { type: 'ping' };
    case 'settings.get':
      dict(value, 'message', ['type']);
      return { type: 'settings.get' };
    case 'settings.set': {
      const d = dict(value, 'message', ['type', ...SETTINGS_FIELDS]);
      const change = parseSettingsChange(d, '');
      if (Object.keys(change).length === 0) {
        throw new MessageValidationError(`settings.set needs at least one of ${SETTINGS_FIELDS.join(', ')}`);
      }
      return { type: 'settings.set', ...change };
    }
    case 'vault.status':
    case 'vault.lock':
    case 'vault.list':
      dict(value, 'message', ['type']);
      return { type };
    case 'vault.create': {
      const d = dict(value, 'message', ['type', 'passphrase']);
      return { type, passphrase: parseNewPassphrase(d.passphrase) };
    }
    case 'vault.unlock': {
      const d = dict(value, 'message', ['type', 'passphrase']);
      return { type, passphrase: parsePassphrase(d.passphrase) };
    }
    case 'vault.changePassphrase': {
      const d = dict(value, 'message', ['type', 'newPassphrase', 'currentPassphrase']);
      // The current passphrase is required: an unlocked vault left unattended is not enough.
      return {
        type,
        currentPassphrase: parsePassphrase(d.currentPassphrase, 'currentPassphrase'),
        newPassphrase: parseNewPassphrase(d.newPassphrase, 'newPassphrase'),
      };
    }
    case 'vault.exportFile':
    case 'vault.fileState':
      dict(value, 'message', ['type']);
      return { type };
    case 'vault.importFile': {
      const d = dict(value, 'message', ['type', 'text', 'passphrase', 'replace']);
      return {
        type,
        text: str(d.text, 'text', MAX_VAULT_FILE, { nonEmpty: true }),
        passphrase: parsePassphrase(d.passphrase),
        replace: bool(d.replace, 'replace'),
      };
    }
    case 'vault.export': {
      const d = dict(value, 'message', ['type', 'storageKey', 'format', 'options']);
      const message: MessageOf<'vault.export'> = {
        type,
        storageKey: parseEntryStorageKey(d.storageKey),
        format: parseExportFormat(d.format),
      };
      if (d.options !== undefined) {
        message.options = parseExportOptions(d.options);
      }
      return message;
    }
    case 'vault.import': {
      const d = dict(value, 'message', ['type', 'text', 'fileName']);
      const message: MessageOf<'vault.import'> = { type, text: str(d.text, 'text', MAX_IMPORT, { nonEmpty: true }) };
      const fileName = optional(d.fileName, (v) => str(v, 'fileName', MAX_SHORT, { nonEmpty: true }));
      if (fileName !== undefined) {
        message.fileName = fileName;
      }
      return message;
    }
    case 'vault.delete':
    case 'vault.restore': {
      const d = dict(value, 'message', ['type', 'storageKey']);
      return { type, storageKey: parseEntryStorageKey(d.storageKey) };
    }
    case 'signers.list':
    case 'signers.addAws':
    case 'signers.addScaleway':
    case 'signers.setMfa':
    case 'signers.remove':
    case 'signers.mfaSession':
      return parseSignerMessage(type, value);
    case 'aws.getCallerIdentity': {
      const d = dict(value, 'message', ['type', 'signerId']);
      return { type: 'aws.getCallerIdentity', signerId: parseSignerId(d.signerId) };
    }
    case 'aws.createAccessKey': {
      const d = dict(value, 'message', ['type', 'signerId', 'userName', 'pushSecret']);
      const message: MessageOf<'aws.createAccessKey'> = {
        type: 'aws.createAccessKey',
        signerId: parseSignerId(d.signerId),
      };
      const userName = optional(d.userName, (v) => parseIamUserName(v, 'userName'));
      if (userName !== undefined) {
        message.userName = userName;
      }
      const pushSecret = optional(d.pushSecret, (v) => parsePushSecretTarget(v));
      if (pushSecret !== undefined) {
        message.pushSecret = pushSecret;
      }
      return message;
    }
    case 'aws.sign': {
      const d = dict(value, 'message', ['type', 'request', 'signerId', 'options']);
      return {
        type: 'aws.sign',
        request: parseHttpRequest(d.request),
        signerId: parseSignerId(d.signerId),
        options: parseAwsSignOptions(d.options),
      };
    }
    case 'aws.keySlot':
    case 'aws.updateAccessKey':
    case 'aws.deleteAccessKey':
    case 'aws.createKeyPair':
    case 'aws.describeKeyPairs':
    case 'aws.deleteKeyPair':
      return parseAwsKeyMessage(type, value);
  }
}

// ----- AWS access-key slots and EC2 key pairs ----------------------------------------------------

const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
// EC2 key names: up to 255 ASCII characters; control characters are refused here.
const EC2_KEY_NAME = /^[\x20-\x7e]{1,255}$/;
const MAX_KEY_NAMES = 100;

export function parseAccessKeyId(value: unknown, path = 'accessKeyId'): string {
  const id = str(value, path, 128, { nonEmpty: true });
  if (!ACCESS_KEY_ID.test(id)) {
    throw new MessageValidationError(`${path} must be an access key ID (upper-case letters and digits)`);
  }
  return id;
}

export function parseEc2Region(value: unknown, path = 'region'): string {
  const region = str(value, path, 32, { nonEmpty: true });
  if (!(EC2_REGIONS as readonly string[]).includes(region)) {
    throw new MessageValidationError(`${path} must be one of the EC2 regions Keysmith may reach (${EC2_REGIONS.join(', ')})`);
  }
  return region;
}

/** Where to push a created key: a Secrets Manager region Keysmith may reach and a secret name. */
export function parsePushSecretTarget(value: unknown, path = 'pushSecret'): PushSecretTarget {
  const d = dict(value, path, ['region', 'name']);
  const region = str(d.region, `${path}.region`, 32, { nonEmpty: true });
  if (!(SECRETS_MANAGER_REGIONS as readonly string[]).includes(region)) {
    throw new MessageValidationError(`${path}.region must be one of the Secrets Manager regions Keysmith may reach`);
  }
  const name = str(d.name, `${path}.name`, 512, { nonEmpty: true });
  if (!SECRET_NAME.test(name)) {
    throw new MessageValidationError(`${path}.name may contain only letters, digits and the characters /_+=.@- (at most 512)`);
  }
  if (name.length >= 7 && name[name.length - 7] === '-') {
    // AWS appends "-" and six characters to a secret's ARN: such a name makes ARNs ambiguous.
    throw new MessageValidationError(`${path}.name must not end with a hyphen and six characters (AWS adds such a suffix to ARNs)`);
  }
  return { region, name };
}

export function parseEc2KeyName(value: unknown, path = 'keyName'): string {
  const name = str(value, path, 255, { nonEmpty: true });
  if (!EC2_KEY_NAME.test(name)) {
    throw new MessageValidationError(`${path} may contain only printable ASCII characters (at most 255)`);
  }
  return name;
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  const text = str(value, path, 32);
  const found = allowed.find((candidate) => candidate === text);
  if (found === undefined) {
    throw new MessageValidationError(`${path} must be one of ${allowed.join(', ')}`);
  }
  return found;
}

type AwsKeyMessageType =
  | 'aws.keySlot'
  | 'aws.updateAccessKey'
  | 'aws.deleteAccessKey'
  | 'aws.createKeyPair'
  | 'aws.describeKeyPairs'
  | 'aws.deleteKeyPair';

function parseAwsKeyMessage(type: AwsKeyMessageType, value: unknown): RequestMessage {
  switch (type) {
    case 'aws.keySlot': {
      const d = dict(value, 'message', ['type', 'signerId', 'userName']);
      const message: MessageOf<'aws.keySlot'> = { type, signerId: parseSignerId(d.signerId) };
      const userName = optional(d.userName, (v) => parseIamUserName(v, 'userName'));
      if (userName !== undefined) {
        message.userName = userName;
      }
      return message;
    }
    case 'aws.updateAccessKey': {
      const d = dict(value, 'message', ['type', 'signerId', 'userName', 'accessKeyId', 'status']);
      const message: MessageOf<'aws.updateAccessKey'> = {
        type,
        signerId: parseSignerId(d.signerId),
        accessKeyId: parseAccessKeyId(d.accessKeyId),
        status: oneOf(d.status, 'status', ['Active', 'Inactive'] as const),
      };
      const userName = optional(d.userName, (v) => parseIamUserName(v, 'userName'));
      if (userName !== undefined) {
        message.userName = userName;
      }
      return message;
    }
    case 'aws.deleteAccessKey': {
      const d = dict(value, 'message', ['type', 'signerId', 'userName', 'accessKeyId']);
      const message: MessageOf<'aws.deleteAccessKey'> = {
        type,
        signerId: parseSignerId(d.signerId),
        accessKeyId: parseAccessKeyId(d.accessKeyId),
      };
      const userName = optional(d.userName, (v) => parseIamUserName(v, 'userName'));
      if (userName !== undefined) {
        message.userName = userName;
      }
      return message;
    }
    case 'aws.createKeyPair': {
      const d = dict(value, 'message', ['type', 'signerId', 'region', 'keyName', 'keyType', 'keyFormat']);
      const message: MessageOf<'aws.createKeyPair'> = {
        type,
        signerId: parseSignerId(d.signerId),
        region: parseEc2Region(d.region),
        keyName: parseEc2KeyName(d.keyName),
      };
      const keyType = optional(d.keyType, (v) => oneOf(v, 'keyType', ['ed25519', 'rsa'] as const));
      if (keyType !== undefined) {
        message.keyType = keyType;
      }
      const keyFormat = optional(d.keyFormat, (v) => oneOf(v, 'keyFormat', ['pem', 'ppk'] as const));
      if (keyFormat !== undefined) {
        message.keyFormat = keyFormat;
      }
      return message;
    }
    case 'aws.describeKeyPairs': {
      const d = dict(value, 'message', ['type', 'signerId', 'region', 'keyNames']);
      const message: MessageOf<'aws.describeKeyPairs'> = {
        type,
        signerId: parseSignerId(d.signerId),
        region: parseEc2Region(d.region),
      };
      if (d.keyNames !== undefined) {
        if (!Array.isArray(d.keyNames) || d.keyNames.length > MAX_KEY_NAMES) {
          throw new MessageValidationError(`keyNames must be an array of at most ${MAX_KEY_NAMES} names`);
        }
        message.keyNames = d.keyNames.map((name: unknown, i) => parseEc2KeyName(name, `keyNames[${i}]`));
      }
      return message;
    }
    case 'aws.deleteKeyPair': {
      const d = dict(value, 'message', ['type', 'signerId', 'region', 'keyName']);
      return {
        type,
        signerId: parseSignerId(d.signerId),
        region: parseEc2Region(d.region),
        keyName: parseEc2KeyName(d.keyName),
      };
    }
  }
}

/** Checks the reply envelope (the result itself is typed by contract, produced by our worker). */
export function parseReply<T>(value: unknown): Reply<T> {
  if (!isDict(value) || typeof value.ok !== 'boolean') {
    throw new MessageValidationError('reply must be an object with a boolean "ok"');
  }
  if (value.ok) {
    if (!('result' in value)) {
      throw new MessageValidationError('successful reply has no result');
    }
    return { ok: true, result: value.result as T };
  }
  const error = dict(value.error, 'reply.error', [
    'code',
    'message',
    'providerCode',
    'status',
    'line',
    'missingPermission',
    'requestId',
    'keySlot',
    'retryAfterMs',
  ]);
  const info: ErrorInfo = {
    code: str(error.code, 'reply.error.code', MAX_SHORT),
    message: str(error.message, 'reply.error.message', MAX_URL),
  };
  const providerCode = optional(error.providerCode, (v) => str(v, 'reply.error.providerCode', MAX_SHORT));
  if (providerCode !== undefined) {
    info.providerCode = providerCode;
  }
  const status = optional(error.status, (v) => nonNegativeInteger(v, 'reply.error.status'));
  if (status !== undefined) {
    info.status = status;
  }
  const line = optional(error.line, (v) => nonNegativeInteger(v, 'reply.error.line'));
  if (line !== undefined) {
    info.line = line;
  }
  const missingPermission = optional(error.missingPermission, (v) => str(v, 'reply.error.missingPermission', MAX_SHORT));
  if (missingPermission !== undefined) {
    info.missingPermission = missingPermission;
  }
  const requestId = optional(error.requestId, (v) => str(v, 'reply.error.requestId', MAX_SHORT));
  if (requestId !== undefined) {
    info.requestId = requestId;
  }
  const retryAfterMs = optional(error.retryAfterMs, (v) => nonNegativeInteger(v, 'reply.error.retryAfterMs'));
  if (retryAfterMs !== undefined) {
    info.retryAfterMs = retryAfterMs;
  }
  if (isDict(error.keySlot)) {
    // Produced by our own worker from the core's decision; typed by contract like results are.
    info.keySlot = error.keySlot as unknown as KeySlotDecision;
  }
  return { ok: false, error: info };
}

/** Sends a typed message to the service worker and returns its validated reply. */
export async function sendMessage<M extends RequestMessage>(message: M): Promise<Reply<ResultByType[M['type']]>> {
  const raw: unknown = await chrome.runtime.sendMessage(message);
  return parseReply<ResultByType[M['type']]>(raw);
}
