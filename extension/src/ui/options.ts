// Options page: signer identities (add with verification, mark MFA, remove) and the signer
// policy; the settings are in options-settings.ts. A signer's secret is typed or pasted here
// once, goes to the worker in one message, and is cleared from the form right after; from then
// on it exists only sealed in the vault.

import * as status from './status.js';
import {
  type AwsCredentials,
  type ErrorInfo,
  STORAGE,
  type SignerItem,
  sendMessage,
} from '../shared/messages.js';
import { SIGNER_POLICY, SIGNER_POLICY_MFA, SIGNER_POLICY_USERS } from '../shared/signer-policy.js';
import { confirmation, element, errorText, h } from './dom.js';
import { describeErrorForUser, describeScalewayError } from './error-text.js';
import { showStatusText } from './status.js';
import { initSettings } from './options-settings.js';
import { initFirstRun, noteSignerCount, noteVaultStatus } from './options-first-run.js';

const ui = {
  vaultState: element('options-vault-state', HTMLParagraphElement),
  unlockForm: element('options-unlock-form', HTMLFormElement),
  passphrase: element('options-passphrase', HTMLInputElement),
  unlockStatus: element('options-unlock-status', HTMLParagraphElement),
  list: element('signer-list', HTMLUListElement),
  empty: element('signers-empty', HTMLParagraphElement),
  listStatus: element('signers-status', HTMLParagraphElement),
  awsForm: element('add-aws-signer-form', HTMLFormElement),
  awsText: element('aws-signer-text', HTMLTextAreaElement),
  awsKeyId: element('aws-signer-access-key-id', HTMLInputElement),
  awsSecret: element('aws-signer-secret', HTMLInputElement),
  awsToken: element('aws-signer-token', HTMLInputElement),
  awsExpiration: element('aws-signer-expiration', HTMLInputElement),
  awsMfa: element('aws-signer-mfa', HTMLInputElement),
  awsAdd: element('add-aws-signer', HTMLButtonElement),
  awsStatus: element('aws-signer-status', HTMLElement),
  scwForm: element('add-scw-signer-form', HTMLFormElement),
  scwAccessKey: element('scw-signer-access-key', HTMLInputElement),
  scwSecretKey: element('scw-signer-secret-key', HTMLInputElement),
  scwAdd: element('add-scw-signer', HTMLButtonElement),
  scwStatus: element('scw-signer-status', HTMLElement),
  policy: element('signer-policy-json', HTMLPreElement),
  policyMfa: element('signer-policy-mfa-json', HTMLPreElement),
  policyUsers: element('signer-policy-users-json', HTMLPreElement),
  copyPolicy: element('copy-signer-policy', HTMLButtonElement),
  copyPolicyMfa: element('copy-signer-policy-mfa', HTMLButtonElement),
  policyStatus: element('signer-policy-status', HTMLParagraphElement),
};

function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function kindLabel(item: SignerItem): string {
  switch (item.kind) {
    case 'aws_access_key':
      return 'AWS long-term key';
    case 'aws_temporary_credentials':
      return 'AWS role credentials, this session only';
    case 'scaleway_api_key':
      return 'Scaleway API key';
  }
}

/** What the list shows of a signer: what it is and whom the provider said it is. */
function signerRows(item: SignerItem): [string, string][] {
  const rows: [string, string][] = [['Kind', kindLabel(item)]];
  if (item.provider === 'aws') {
    rows.push(
      ['Account', item.signer.account ?? ''],
      ['ARN', item.signer.arn ?? ''],
      ['User ID', item.signer.userId ?? ''],
    );
    if (item.kind === 'aws_temporary_credentials') {
      rows.push(['Expires', item.expiration ?? 'unknown']);
    } else {
      rows.push(['MFA', item.signer.mfaSerial === null ? 'not required' : `required (${item.signer.mfaSerial})`]);
    }
    if (item.mfaSessionExpiration !== null) {
      rows.push(['MFA session until', item.mfaSessionExpiration]);
    }
  } else {
    rows.push(
      ['Bearer', `${item.bearerType ?? ''} ${item.bearerId ?? ''}`.trim()],
      ['Organization', item.organizationId ?? ''],
      ['Default project', item.defaultProjectId ?? '(none)'],
    );
  }
  if (item.description !== null) {
    rows.push(['Description', item.description]);
  }
  rows.push(['Verified', formatTime(item.signer.verifiedMs)]);
  return rows;
}

function signerListItem(item: SignerItem): HTMLLIElement {
  const title = item.keyId;
  const meta = h('dl', { class: 'entry-meta' });
  for (const [term, value] of signerRows(item)) {
    meta.append(h('dt', {}, term), h('dd', {}, value));
  }
  const remove = h('button', { type: 'button', class: 'danger', 'aria-label': `Remove signer ${title}` }, 'Remove');
  const stored = item.sessionOnly
    ? 'The role credentials are forgotten.'
    : 'The key is removed from the vault (undo from the popup until the browser closes); it stays valid at the provider.';
  const confirm = confirmation(remove, {
    label: `Confirm removing signer ${title}`,
    question: `Remove signer ${title}? Keysmith can no longer sign with it. ${stored}`,
    confirmText: 'Remove signer',
    onConfirm: () => {
      void removeSigner(item).catch(reportUnexpected);
    },
  });
  const actions = h('div', { class: 'entry-actions' });
  if (item.kind === 'aws_access_key') {
    const inputId = `mfa-${item.id}`;
    const serial = h('input', {
      id: inputId,
      type: 'text',
      spellcheck: 'false',
      maxlength: '256',
      placeholder: 'arn:aws:iam::123456789012:mfa/NAME (empty: no MFA)',
    });
    serial.value = item.signer.mfaSerial ?? '';
    const save = h('button', { type: 'button', class: 'secondary', 'aria-label': `Save MFA device for ${title}` }, 'Save MFA');
    save.addEventListener('click', () => {
      void setMfa(item, serial.value.trim()).catch(reportUnexpected);
    });
    actions.append(h('label', { for: inputId, class: 'small-label' }, `MFA device for ${title}`), serial, save);
  }
  actions.append(remove);
  return h(
    'li',
    { class: 'entry', 'data-signer-id': item.id, 'data-provider': item.provider },
    h('p', { class: 'entry-head' }, h('span', { class: 'entry-title' }, title), h('span', { class: 'badge' }, ` ${item.provider}`)),
    meta,
    actions,
    confirm,
  );
}

function reportListError(error: ErrorInfo): void {
  showStatusText(ui.listStatus, describeErrorForUser(error), 'error', error.code);
}

async function refreshList(): Promise<void> {
  const reply = await sendMessage({ type: 'signers.list' });
  if (!reply.ok) {
    ui.list.replaceChildren();
    ui.empty.hidden = true;
    reportListError(reply.error);
    return;
  }
  ui.listStatus.textContent = '';
  delete ui.listStatus.dataset.kind;
  ui.list.replaceChildren(...reply.result.signers.map(signerListItem));
  ui.empty.hidden = reply.result.signers.length > 0;
  noteSignerCount(reply.result.signers.length);
}

async function refreshState(): Promise<void> {
  const reply = await sendMessage({ type: 'vault.status' });
  if (!reply.ok) {
    ui.vaultState.textContent = `Vault: ${describeErrorForUser(reply.error)}`;
    return;
  }
  const vault = reply.result;
  ui.vaultState.dataset.state = !vault.exists ? 'none' : vault.unlocked ? 'unlocked' : 'locked';
  ui.vaultState.textContent = !vault.exists
    ? 'Vault: none yet. Create it below.'
    : vault.unlocked
      ? 'Vault: unlocked'
      : 'Vault: locked';
  ui.unlockForm.hidden = !vault.exists || vault.unlocked;
  noteVaultStatus(vault);
  await refreshList();
}

async function unlock(): Promise<void> {
  const passphrase = ui.passphrase.value;
  if (passphrase === '') {
    showStatusText(ui.unlockStatus, 'Enter the vault passphrase.', 'error');
    return;
  }
  showStatusText(ui.unlockStatus, 'Unlocking (deriving the key takes about a second)…', 'busy');
  const reply = await sendMessage({ type: 'vault.unlock', passphrase });
  ui.passphrase.value = '';
  if (!reply.ok) {
    showStatusText(ui.unlockStatus, describeErrorForUser(reply.error), 'error', reply.error.code);
    return;
  }
  showStatusText(ui.unlockStatus, 'Unlocked.', 'ok');
  await refreshState();
}

// ----- adding ---------------------------------------------------------------------------------------

async function withBusy(form: HTMLFormElement, button: HTMLButtonElement, run: () => Promise<void>): Promise<void> {
  form.setAttribute('aria-busy', 'true');
  button.disabled = true;
  try {
    await run();
  } finally {
    button.disabled = false;
    form.setAttribute('aria-busy', 'false');
  }
}

/** The typed AWS credential, or undefined when the fields are empty. */
function typedAwsCredentials(): AwsCredentials | undefined {
  const accessKeyId = ui.awsKeyId.value.trim();
  const secretAccessKey = ui.awsSecret.value.trim();
  if (accessKeyId === '' && secretAccessKey === '') {
    return undefined;
  }
  const credentials: AwsCredentials = { accessKeyId, secretAccessKey };
  const token = ui.awsToken.value.trim();
  if (token !== '') {
    credentials.sessionToken = token;
  }
  const expiration = ui.awsExpiration.value.trim();
  if (expiration !== '') {
    credentials.expiration = expiration;
  }
  return credentials;
}

function clearAwsSecrets(): void {
  ui.awsText.value = '';
  ui.awsSecret.value = '';
  ui.awsToken.value = '';
}

async function addAwsSigner(): Promise<void> {
  const text = ui.awsText.value.trim();
  const credentials = typedAwsCredentials();
  if ((text === '') === (credentials === undefined)) {
    status.showError(
      ui.awsStatus,
      text === '' ? 'Paste the credentials or type the access key ID and secret access key.' : 'Paste the credentials or type them, not both.',
    );
    return;
  }
  if (credentials !== undefined && (credentials.accessKeyId === '' || credentials.secretAccessKey === '')) {
    status.showError(ui.awsStatus, 'Enter both the access key ID and the secret access key.');
    return;
  }
  const mfaSerial = ui.awsMfa.value.trim();
  await withBusy(ui.awsForm, ui.awsAdd, async () => {
    status.showBusy(ui.awsStatus, 'Verifying with sts:GetCallerIdentity…');
    try {
      const reply = await sendMessage({
        type: 'signers.addAws',
        ...(credentials === undefined ? { text } : { credentials }),
        ...(mfaSerial === '' ? {} : { mfaSerial }),
      });
      if (!reply.ok) {
        status.showError(ui.awsStatus, describeErrorForUser(reply.error), reply.error.providerCode ?? reply.error.code);
        return;
      }
      const item = reply.result;
      ui.awsKeyId.value = '';
      ui.awsExpiration.value = '';
      ui.awsMfa.value = '';
      status.showSuccess(
        ui.awsStatus,
        'AWS signer verified and added',
        [['Access key ID', item.keyId], ...signerRows(item)],
        item.sessionOnly
          ? 'Role credentials are kept for this session only: they are gone when the vault locks or when they expire.'
          : 'Sealed into the vault. Choose it as the AWS signer in the popup.',
      );
      await refreshList();
    } finally {
      clearAwsSecrets();
    }
  });
}

async function addScalewaySigner(): Promise<void> {
  const accessKey = ui.scwAccessKey.value.trim();
  const secretKey = ui.scwSecretKey.value.trim();
  if (accessKey === '' || secretKey === '') {
    status.showError(ui.scwStatus, 'Enter the Scaleway access key and secret key.');
    return;
  }
  await withBusy(ui.scwForm, ui.scwAdd, async () => {
    status.showBusy(ui.scwStatus, 'Looking up the key at Scaleway…');
    try {
      const reply = await sendMessage({ type: 'signers.addScaleway', accessKey, secretKey });
      if (!reply.ok) {
        status.showError(ui.scwStatus, describeScalewayError(reply.error), reply.error.providerCode ?? reply.error.code);
        return;
      }
      const item = reply.result;
      ui.scwAccessKey.value = '';
      status.showSuccess(
        ui.scwStatus,
        'Scaleway signer verified and added',
        [['Access key', item.keyId], ['Bearer name', item.bearerName ?? ''], ...signerRows(item)],
        'Sealed into the vault. Choose it as the Scaleway signer in the popup.',
      );
      await refreshList();
    } finally {
      ui.scwSecretKey.value = '';
    }
  });
}

async function setMfa(item: SignerItem, serial: string): Promise<void> {
  showStatusText(ui.listStatus, `Saving the MFA device of ${item.keyId}…`, 'busy');
  const reply = await sendMessage({ type: 'signers.setMfa', signerId: item.id, mfaSerial: serial === '' ? null : serial });
  if (!reply.ok) {
    reportListError(reply.error);
    return;
  }
  await refreshList();
  showStatusText(
    ui.listStatus,
    serial === '' ? `${item.keyId} no longer requires MFA.` : `${item.keyId} requires MFA with ${serial}.`,
    'ok',
  );
}

async function removeSigner(item: SignerItem): Promise<void> {
  const reply = await sendMessage({ type: 'signers.remove', signerId: item.id });
  if (!reply.ok) {
    reportListError(reply.error);
    return;
  }
  await refreshList();
  showStatusText(ui.listStatus, `Signer ${item.keyId} removed.`, 'ok');
}

// ----- policy and start -------------------------------------------------------------------------

function copyText(text: string, what: string): void {
  navigator.clipboard.writeText(text).then(
    () => showStatusText(ui.policyStatus, `${what} copied.`, 'ok'),
    (error: unknown) => showStatusText(ui.policyStatus, `Could not copy (${errorText(error)}): select the text and press Ctrl+C.`, 'error'),
  );
}

function reportUnexpected(error: unknown): void {
  console.error('Keysmith options:', error);
  showStatusText(ui.listStatus, `Unexpected error: ${errorText(error)}`, 'error');
}

ui.policy.textContent = SIGNER_POLICY;
ui.policyMfa.textContent = SIGNER_POLICY_MFA;
ui.policyUsers.textContent = SIGNER_POLICY_USERS;
ui.copyPolicy.addEventListener('click', () => copyText(SIGNER_POLICY, 'Signer policy'));
ui.copyPolicyMfa.addEventListener('click', () => copyText(SIGNER_POLICY_MFA, 'MFA signer policy'));
ui.unlockForm.addEventListener('submit', (event) => {
  event.preventDefault();
  unlock().catch(reportUnexpected);
});
ui.awsForm.addEventListener('submit', (event) => {
  event.preventDefault();
  addAwsSigner().catch(reportUnexpected);
});
ui.scwForm.addEventListener('submit', (event) => {
  event.preventDefault();
  addScalewaySigner().catch(reportUnexpected);
});
// A lock or unlock elsewhere (the popup, the idle timer) changes what can be shown.
chrome.storage.session.onChanged.addListener((changes) => {
  const change = changes[STORAGE.unlocked];
  if (change !== undefined && (change.oldValue === undefined) !== (change.newValue === undefined)) {
    initSettings();
initFirstRun({ onVaultCreated: refreshState });
refreshState().catch(reportUnexpected);
  }
});
initSettings();
initFirstRun({ onVaultCreated: refreshState });
refreshState().catch(reportUnexpected);
