// Service worker: loads the WASM core, checks who is asking, validates messages and routes them
// to the core. It holds no secret beyond the lifetime of one request.

import init, {
  coreVersion,
  iamCreateAccessKey,
  signAwsRequest,
  stsGetCallerIdentity,
} from '../../../build/pkg/keysmith_core.js';
import {
  type AwsCredentials,
  type AwsSignature,
  type CallerIdentity,
  type CreatedAccessKey,
  type ErrorInfo,
  MessageValidationError,
  type MessageOf,
  type MessageType,
  type PingResult,
  type Reply,
  type RequestMessage,
  type ResultByType,
  SENDER_REQUIREMENT,
  type Settings,
  WorkerErrorCode,
  parseMessageType,
  parseRequestMessage,
  parseSettings,
} from '../shared/messages.js';

const SETTINGS_KEY = 'settings';
const DEFAULT_SETTINGS: Settings = { endpoints: {} };

// No top-level await: MV3 refuses to start a worker that awaits at top level, and listeners must
// be registered synchronously on every start. Handlers await this promise instead.
const coreReady: Promise<void> = init({
  module_or_path: chrome.runtime.getURL('core/keysmith_core_bg.wasm'),
}).then(() => undefined);
coreReady.catch((error: unknown) => {
  // Reported to every caller as core_unavailable; logged once here for the developer.
  console.error('Keysmith: the WASM core failed to load:', describeError(error));
});

class WorkerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerError';
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

function senderMayAsk(kind: SenderKind, type: MessageType): boolean {
  switch (SENDER_REQUIREMENT[type]) {
    case 'any-extension-context':
      return kind !== 'foreign';
    case 'extension-page':
      return kind === 'extension-page';
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
    if (!senderMayAsk(kind, type)) {
      throw new WorkerError(
        WorkerErrorCode.senderNotAllowed,
        `"${type}" is only accepted from Keysmith's own pages, not from content scripts`,
      );
    }
    return { ok: true, result: await route(parseRequestMessage(raw)) };
  } catch (error) {
    const info = toErrorInfo(error);
    // Codes and provider messages only: requests and credentials are never logged.
    console.warn(`Keysmith: ${label} failed: ${info.code}${info.providerCode ? ` (${info.providerCode})` : ''}`);
    return { ok: false, error: info };
  }
}

/** One handler per message type, each checked against its contract's result type. */
type Handlers = { [T in MessageType]: (message: MessageOf<T>) => Promise<ResultByType[T]> };

const HANDLERS: Handlers = {
  ping: () => ping(),
  'settings.get': () => loadSettings(),
  'settings.set': (message) => saveSettings({ endpoints: message.endpoints }),
  'aws.getCallerIdentity': getCallerIdentity,
  'aws.createAccessKey': createAccessKey,
  'aws.sign': sign,
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
  } catch (error) {
    throw new WorkerError(WorkerErrorCode.coreUnavailable, `the Keysmith core could not be loaded: ${describeError(error)}`);
  }
}

async function ping(): Promise<PingResult> {
  await requireCore();
  return { coreVersion: coreVersion() };
}

async function loadSettings(): Promise<Settings> {
  const stored: Record<string, unknown> = await chrome.storage.local.get(SETTINGS_KEY);
  const value = stored[SETTINGS_KEY];
  if (value === undefined) {
    return DEFAULT_SETTINGS;
  }
  try {
    return parseSettings(value);
  } catch (error) {
    // A corrupt settings record must not send credentials somewhere unexpected: fall back to the
    // real provider hosts, and say so.
    console.warn('Keysmith: stored settings are invalid, using defaults:', describeError(error));
    return DEFAULT_SETTINGS;
  }
}

async function saveSettings(settings: Settings): Promise<Settings> {
  await chrome.storage.local.set({ [SETTINGS_KEY]: settings });
  return settings;
}

/** Base arguments shared by provider calls: credentials plus the custom endpoint, if any. */
async function providerArgs(credentials: AwsCredentials): Promise<{ credentials: AwsCredentials; endpoint?: string }> {
  const { endpoints } = await loadSettings();
  return endpoints.aws === undefined ? { credentials } : { credentials, endpoint: endpoints.aws };
}

async function getCallerIdentity(message: MessageOf<'aws.getCallerIdentity'>): Promise<CallerIdentity> {
  await requireCore();
  const identity: CallerIdentity = await stsGetCallerIdentity(await providerArgs(message.credentials));
  return { account: identity.account, arn: identity.arn, userId: identity.userId };
}

async function createAccessKey(message: MessageOf<'aws.createAccessKey'>): Promise<CreatedAccessKey> {
  await requireCore();
  const args = await providerArgs(message.credentials);
  const created: CreatedAccessKey = await iamCreateAccessKey(
    message.userName === undefined ? args : { ...args, userName: message.userName },
  );
  return {
    accessKeyId: created.accessKeyId,
    userName: created.userName,
    status: created.status,
    createDate: created.createDate,
  };
}

async function sign(message: MessageOf<'aws.sign'>): Promise<AwsSignature> {
  await requireCore();
  const signed: AwsSignature = signAwsRequest(message.request, message.credentials, message.options);
  return {
    method: signed.method,
    headers: signed.headers,
    url: signed.url,
    canonicalRequest: signed.canonicalRequest,
    stringToSign: signed.stringToSign,
    signature: signed.signature,
  };
}

function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof WorkerError || error instanceof MessageValidationError) {
    return { code: error.code, message: error.message };
  }
  if (error instanceof WebAssembly.RuntimeError) {
    // A trap (e.g. a panic with panic=abort) inside the core.
    return { code: WorkerErrorCode.internal, message: `the Keysmith core failed: ${error.message}` };
  }
  if (typeof error === 'object' && error !== null) {
    // Errors thrown by the core carry .code, and for provider errors .providerCode and .status.
    const fields = error as { code?: unknown; message?: unknown; providerCode?: unknown; status?: unknown };
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
    return info;
  }
  return { code: WorkerErrorCode.internal, message: describeError(error) };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
