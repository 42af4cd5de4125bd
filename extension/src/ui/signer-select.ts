// The popup's signer selectors: which vaulted signer identity signs the AWS (and EC2) forms and
// the Scaleway form. Only signer ids travel in messages; the secrets stay sealed in the vault
// and are opened inside the core. An AWS signer that requires MFA asks for its 6-digit code
// once per session (the worker exchanges it with sts:GetSessionToken).

import { type ErrorInfo, type SignerItem, type SignerProvider, sendMessage } from '../shared/messages.js';
import { element, errorText } from './dom.js';
import { describeErrorForUser } from './error-text.js';
import { showStatusText } from './status.js';

interface Selector {
  select: HTMLSelectElement;
  hint: HTMLElement;
}

const selectors = new Map<SignerProvider, Selector>();
let signers: SignerItem[] = [];

const PROVIDER_NAME: Record<SignerProvider, string> = { aws: 'AWS', scaleway: 'Scaleway' };

/** How a signer reads in the list: its key id, what it is, and whom it was verified as. */
export function signerLabel(item: SignerItem): string {
  const who =
    item.provider === 'aws'
      ? (item.signer.arn ?? item.signer.account ?? '')
      : `${item.bearerType ?? 'bearer'} ${item.bearerId ?? ''}`.trim();
  const kind = item.kind === 'aws_temporary_credentials' ? ', role credentials' : '';
  const mfa = item.signer.mfaSerial === null ? '' : ', MFA';
  return `${item.keyId}${kind}${mfa}${who === '' ? '' : ` (${who})`}`;
}

function optionsLink(text: string): HTMLAnchorElement {
  const link = document.createElement('a');
  link.href = chrome.runtime.getURL('options.html');
  link.textContent = text;
  link.addEventListener('click', (event) => {
    event.preventDefault();
    chrome.runtime.openOptionsPage().catch((error: unknown) => console.warn('Keysmith: could not open the options page:', error));
  });
  return link;
}

function render(provider: SignerProvider, selector: Selector, locked: string | undefined): void {
  const own = signers.filter((item) => item.provider === provider);
  const previous = selector.select.value;
  selector.select.replaceChildren(
    ...own.map((item) => {
      const option = document.createElement('option');
      option.value = item.id;
      option.textContent = signerLabel(item);
      return option;
    }),
  );
  // Keep the user's choice across refreshes; otherwise the most recent signer (listed first).
  if (own.some((item) => item.id === previous)) {
    selector.select.value = previous;
  }
  selector.select.disabled = own.length === 0;
  if (locked !== undefined) {
    selector.hint.replaceChildren(locked);
  } else if (own.length === 0) {
    selector.hint.replaceChildren(`No ${PROVIDER_NAME[provider]} signer identity yet. `, optionsLink('Add one on the options page'), '.');
  } else {
    selector.hint.replaceChildren('Signers are vault entries: ', optionsLink('manage them on the options page'), '.');
  }
}

/** Registers a selector (a <select> and its hint line) for a provider's signers. */
export function registerSignerSelect(provider: SignerProvider, selectId: string, hintId: string): void {
  selectors.set(provider, { select: element(selectId, HTMLSelectElement), hint: element(hintId, HTMLElement) });
}

/** Reloads the signers from the worker (call after unlock, lock, or a change elsewhere). */
export async function refreshSigners(): Promise<void> {
  const reply = await sendMessage({ type: 'signers.list' });
  let locked: string | undefined;
  if (reply.ok) {
    signers = reply.result.signers;
  } else {
    signers = [];
    locked =
      reply.error.code === 'vault_locked' || reply.error.code === 'locked'
        ? 'Unlock the vault to use your signer identities.'
        : describeErrorForUser(reply.error);
  }
  for (const [provider, selector] of selectors) {
    render(provider, selector, locked);
  }
}

/** The signer chosen for `provider`, or undefined when there is none to choose. */
export function selectedSigner(provider: SignerProvider): SignerItem | undefined {
  const selector = selectors.get(provider);
  const id = selector?.select.value;
  return signers.find((item) => item.id === id && item.provider === provider);
}

function mfaSessionIsLive(item: SignerItem): boolean {
  const until = item.mfaSessionExpiration === null ? Number.NaN : Date.parse(item.mfaSessionExpiration);
  // A minute of margin, so that a session does not run out in the middle of an action.
  return !Number.isNaN(until) && until - 60_000 > Date.now();
}

// ----- MFA ----------------------------------------------------------------------------------------

interface MfaPrompt {
  box: HTMLElement;
  label: HTMLElement;
  code: HTMLInputElement;
  submit: HTMLButtonElement;
  cancel: HTMLButtonElement;
}
let mfaPrompt: MfaPrompt | undefined;

/** Registers the MFA code prompt (hidden until a signer that requires MFA is used). */
export function registerMfaPrompt(ids: { box: string; label: string; code: string; submit: string; cancel: string }): void {
  mfaPrompt = {
    box: element(ids.box, HTMLElement),
    label: element(ids.label, HTMLElement),
    code: element(ids.code, HTMLInputElement),
    submit: element(ids.submit, HTMLButtonElement),
    cancel: element(ids.cancel, HTMLButtonElement),
  };
}

let pendingCode: Promise<string | undefined> | undefined;

/**
 * Shows the prompt and resolves with the 6 digits typed, or undefined if cancelled. A second
 * action started while the prompt is open waits for the same answer.
 */
function askMfaCode(item: SignerItem): Promise<string | undefined> {
  pendingCode ??= promptForCode(item).finally(() => {
    pendingCode = undefined;
  });
  return pendingCode;
}

function promptForCode(item: SignerItem): Promise<string | undefined> {
  const prompt = mfaPrompt;
  if (prompt === undefined) {
    return Promise.resolve(undefined);
  }
  prompt.label.textContent = `MFA code for ${item.signer.mfaSerial ?? item.keyId}`;
  prompt.code.value = '';
  prompt.box.hidden = false;
  prompt.code.focus();
  return new Promise((resolve) => {
    const finish = (code: string | undefined) => {
      prompt.submit.removeEventListener('click', onSubmit);
      prompt.cancel.removeEventListener('click', onCancel);
      prompt.box.hidden = true;
      prompt.code.value = '';
      resolve(code);
    };
    const onSubmit = () => {
      const code = prompt.code.value.trim();
      if (!/^[0-9]{6}$/.test(code)) {
        prompt.code.setAttribute('aria-invalid', 'true');
        prompt.code.focus();
        return;
      }
      prompt.code.setAttribute('aria-invalid', 'false');
      finish(code);
    };
    const onCancel = () => finish(undefined);
    prompt.submit.addEventListener('click', onSubmit);
    prompt.cancel.addEventListener('click', onCancel);
  });
}

/**
 * The id of the signer to use for `provider`, after the MFA exchange when the signer requires
 * it and has no live session. On failure, `report` says why and undefined is returned.
 */
export async function signerForAction(
  provider: SignerProvider,
  report: (text: string, code?: string) => void,
): Promise<string | undefined> {
  const item = selectedSigner(provider);
  if (item === undefined) {
    report(`Choose a ${PROVIDER_NAME[provider]} signer identity (add one on the options page; the vault must be unlocked).`, 'no_signer');
    return undefined;
  }
  if (provider === 'aws' && item.signer.mfaSerial !== null && !mfaSessionIsLive(item)) {
    const code = await askMfaCode(item);
    if (code === undefined) {
      report('Cancelled: this signer requires an MFA code.', 'mfa_required');
      return undefined;
    }
    const reply = await sendMessage({ type: 'signers.mfaSession', signerId: item.id, tokenCode: code });
    if (!reply.ok) {
      report(describeErrorForUser(reply.error), reply.error.providerCode ?? reply.error.code);
      return undefined;
    }
    item.mfaSessionExpiration = reply.result.expiration;
  }
  return item.id;
}

/** After a failed action: an MFA session that AWS (or the core) no longer accepts is forgotten. */
export function noteSignerFailure(provider: SignerProvider, error: ErrorInfo): void {
  const item = selectedSigner(provider);
  if (item !== undefined && error.code === 'mfa_required') {
    item.mfaSessionExpiration = null;
  }
}

/**
 * Runs `run` with the id of the signer chosen for `provider` (after the MFA exchange when
 * needed), with `form` marked busy and `progress` in `status`; says in `status` why nothing ran,
 * or that the worker could not be reached.
 */
export async function withSignerAction(
  provider: SignerProvider,
  form: HTMLElement,
  status: HTMLElement,
  progress: string,
  run: (signerId: string) => Promise<void>,
): Promise<void> {
  const signerId = await signerForAction(provider, (text, code) => showStatusText(status, text, 'error', code));
  if (signerId === undefined) {
    return;
  }
  form.setAttribute('aria-busy', 'true');
  showStatusText(status, progress, 'busy');
  try {
    await run(signerId);
  } catch (error) {
    showStatusText(status, `Could not talk to the Keysmith service worker: ${errorText(error)}`, 'error');
  } finally {
    form.setAttribute('aria-busy', 'false');
  }
}
