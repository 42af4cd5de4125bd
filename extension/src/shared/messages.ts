// Message contracts between extension pages, content scripts and the service worker, with the
// runtime validators the service worker applies to everything it receives (messages are untrusted).

/** Long-term or temporary AWS credentials, as typed by the user. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

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

/** A created access key, without its secret (the core wipes it; the vault comes later). */
export interface CreatedAccessKey {
  accessKeyId: string;
  userName: string;
  status: string;
  createDate: string;
}

/** Base URLs (origin only) replacing the providers' real API hosts, e.g. a local emulator. */
export interface CustomEndpoints {
  aws?: string;
  scaleway?: string;
}

export interface Settings {
  endpoints: CustomEndpoints;
}

export interface PingResult {
  coreVersion: string;
}

export type RequestMessage =
  | { type: 'ping' }
  | { type: 'settings.get' }
  | { type: 'settings.set'; endpoints: CustomEndpoints }
  | { type: 'aws.getCallerIdentity'; credentials: AwsCredentials }
  | { type: 'aws.createAccessKey'; credentials: AwsCredentials; userName?: string }
  | { type: 'aws.sign'; request: HttpRequestInput; credentials: AwsCredentials; options: AwsSignOptions };

export type MessageType = RequestMessage['type'];
export type MessageOf<T extends MessageType> = Extract<RequestMessage, { type: T }>;

export interface ResultByType {
  ping: PingResult;
  'settings.get': Settings;
  'settings.set': Settings;
  'aws.getCallerIdentity': CallerIdentity;
  'aws.createAccessKey': CreatedAccessKey;
  'aws.sign': AwsSignature;
}

export interface ErrorInfo {
  /** Stable machine-readable code: the core's (e.g. "provider_error") or the worker's (below). */
  code: string;
  message: string;
  /** The provider's own error code, e.g. "SignatureDoesNotMatch". */
  providerCode?: string;
  /** HTTP status of the provider's answer. */
  status?: number;
}

export type Reply<T> = { ok: true; result: T } | { ok: false; error: ErrorInfo };

/** Error codes produced by the service worker itself (the core has its own). */
export const WorkerErrorCode = {
  badRequest: 'bad_request',
  senderNotAllowed: 'sender_not_allowed',
  coreUnavailable: 'core_unavailable',
  internal: 'internal',
} as const;

/**
 * Who may send each message. Anything that carries credentials, or that changes where
 * credentials are sent (settings.set), or reveals configuration, is for extension pages only:
 * content scripts run inside provider consoles, which we do not control.
 */
export type SenderRequirement = 'any-extension-context' | 'extension-page';
export const SENDER_REQUIREMENT: Record<MessageType, SenderRequirement> = {
  ping: 'any-extension-context',
  'settings.get': 'extension-page',
  'settings.set': 'extension-page',
  'aws.getCallerIdentity': 'extension-page',
  'aws.createAccessKey': 'extension-page',
  'aws.sign': 'extension-page',
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
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;

type Dict = Record<string, unknown>;

function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dict(value: unknown, path: string, allowed: readonly string[]): Dict {
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
  const d = dict(value, path, ['accessKeyId', 'secretAccessKey', 'sessionToken']);
  const credentials: AwsCredentials = {
    accessKeyId: str(d.accessKeyId, `${path}.accessKeyId`, MAX_SHORT, { nonEmpty: true }),
    secretAccessKey: str(d.secretAccessKey, `${path}.secretAccessKey`, MAX_SECRET, { nonEmpty: true }),
  };
  const sessionToken = optional(d.sessionToken, (v) => str(v, `${path}.sessionToken`, MAX_SECRET));
  if (sessionToken !== undefined && sessionToken !== '') {
    credentials.sessionToken = sessionToken;
  }
  return credentials;
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

export function parseSettings(value: unknown, path = 'settings'): Settings {
  const d = dict(value, path, ['endpoints']);
  return { endpoints: parseCustomEndpoints(d.endpoints ?? {}, `${path}.endpoints`) };
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
  switch (type) {
    case 'ping':
      dict(value, 'message', ['type']);
      return { type: 'ping' };
    case 'settings.get':
      dict(value, 'message', ['type']);
      return { type: 'settings.get' };
    case 'settings.set': {
      const d = dict(value, 'message', ['type', 'endpoints']);
      return { type: 'settings.set', endpoints: parseCustomEndpoints(d.endpoints) };
    }
    case 'aws.getCallerIdentity': {
      const d = dict(value, 'message', ['type', 'credentials']);
      return { type: 'aws.getCallerIdentity', credentials: parseAwsCredentials(d.credentials) };
    }
    case 'aws.createAccessKey': {
      const d = dict(value, 'message', ['type', 'credentials', 'userName']);
      const message: MessageOf<'aws.createAccessKey'> = {
        type: 'aws.createAccessKey',
        credentials: parseAwsCredentials(d.credentials),
      };
      const userName = optional(d.userName, (v) => parseIamUserName(v, 'userName'));
      if (userName !== undefined) {
        message.userName = userName;
      }
      return message;
    }
    case 'aws.sign': {
      const d = dict(value, 'message', ['type', 'request', 'credentials', 'options']);
      return {
        type: 'aws.sign',
        request: parseHttpRequest(d.request),
        credentials: parseAwsCredentials(d.credentials),
        options: parseAwsSignOptions(d.options),
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
  const error = dict(value.error, 'reply.error', ['code', 'message', 'providerCode', 'status']);
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
  return { ok: false, error: info };
}

/** Sends a typed message to the service worker and returns its validated reply. */
export async function sendMessage<M extends RequestMessage>(message: M): Promise<Reply<ResultByType[M['type']]>> {
  const raw: unknown = await chrome.runtime.sendMessage(message);
  return parseReply<ResultByType[M['type']]>(raw);
}
