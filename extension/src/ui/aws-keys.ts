// The popup's AWS key screens beyond the basic create: the two-key choice (deactivate or delete
// one of a user's two access keys, never silently, then create) and EC2 key pairs (created and
// sealed into the vault by the worker). Both are signed by the AWS signer chosen in the AWS form
// (signer-select.ts): only its id is sent; its secret stays sealed in the vault.

import { showStatusText } from './status.js';
import {
  DEFAULT_EC2_REGION,
  EC2_REGIONS,
  type Ec2KeyFormat,
  type Ec2KeyType,
  type ErrorInfo,
  type KeySlotDecision,
  type KeySlotKey,
  parseEc2KeyName,
  sendMessage,
} from '../shared/messages.js';
import { confirmation, element, errorText, h } from './dom.js';
import { describeErrorForUser, sentence } from './error-text.js';
import { refreshVault } from './vault-panel.js';
import { noteSignerFailure, signerForAction } from './signer-select.js';

const ui = {
  slot: element('key-slot', HTMLElement),
  slotTitle: element('key-slot-title', HTMLHeadingElement),
  slotList: element('key-slot-list', HTMLUListElement),
  slotStatus: element('key-slot-status', HTMLParagraphElement),
  slotCancel: element('key-slot-cancel', HTMLButtonElement),
  ec2Form: element('ec2-form', HTMLFormElement),
  region: element('ec2-region', HTMLSelectElement),
  keyName: element('ec2-key-name', HTMLInputElement),
  keyType: element('ec2-key-type', HTMLSelectElement),
  keyFormat: element('ec2-key-format', HTMLSelectElement),
  createKeyPair: element('create-key-pair', HTMLButtonElement),
  listKeyPairs: element('list-key-pairs', HTMLButtonElement),
  ec2Status: element('ec2-status', HTMLElement),
  ec2List: element('ec2-list', HTMLUListElement),
};

function formatDate(text: string | undefined): string {
  if (text === undefined) {
    return 'never';
  }
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}


// ----- the two-key choice ------------------------------------------------------------------------

interface SlotContext {
  userName: string;
  signerId: string;
  onFreed: () => Promise<void>;
}
let slotContext: SlotContext | undefined;

export function hideKeySlotChoice(): void {
  slotContext = undefined;
  ui.slot.hidden = true;
  ui.slotList.replaceChildren();
  ui.slotStatus.textContent = '';
}

/**
 * Shows the user's two keys with status, creation date, last use and the suggestion, and offers
 * Deactivate/Activate and Delete (confirmed) for each. Deleting frees the slot; then `onFreed`
 * runs (the create).
 */
export function showKeySlotChoice(
  userName: string,
  slot: KeySlotDecision,
  signerId: string,
  onFreed: () => Promise<void>,
): void {
  slotContext = { userName, signerId, onFreed };
  renderSlot(slot);
}

function renderSlot(slot: KeySlotDecision): void {
  const context = slotContext;
  if (context === undefined) {
    return;
  }
  ui.slot.hidden = false;
  ui.slotTitle.textContent = `${context.userName} already has ${slot.keys.length} access keys`;
  ui.slotList.replaceChildren(...slot.keys.map((key) => slotItem(key, slot)));
  const suggested = slot.suggested;
  if (suggested !== undefined) {
    showStatusText(
      ui.slotStatus,
      `Suggested: ${suggested.action} ${suggested.accessKeyId}. Nothing happens until you choose.`,
      'ok',
    );
  }
}

function slotItem(key: KeySlotKey, slot: KeySlotDecision): HTMLLIElement {
  const id = key.accessKeyId;
  const suggestion = slot.suggested?.accessKeyId === id ? slot.suggested.action : undefined;
  const lastUsed =
    key.lastUsedDate === undefined
      ? 'never'
      : `${formatDate(key.lastUsedDate)}${key.lastUsedService === undefined ? '' : ` (${key.lastUsedService}${key.lastUsedRegion === undefined ? '' : `, ${key.lastUsedRegion}`})`}`;
  const meta = h('dl', { class: 'entry-meta' });
  for (const [term, value] of [
    ['Status', key.status],
    ['Created', formatDate(key.createDate)],
    ['Last used', lastUsed],
  ] as const) {
    meta.append(h('dt', {}, term), h('dd', {}, value));
  }
  const toggleTo = key.status === 'Active' ? 'Inactive' : 'Active';
  const toggleLabel = toggleTo === 'Inactive' ? 'Deactivate' : 'Activate';
  const toggle = h('button', { type: 'button', class: 'secondary', 'aria-label': `${toggleLabel} ${id}` }, toggleLabel);
  const remove = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${id} in IAM` }, 'Delete in IAM');
  const warning = key.isSigner ? ' Keysmith signs with this key: deleting it locks Keysmith out until you give it another.' : '';
  const confirm = confirmation(remove, {
    label: `Confirm deleting ${id} in IAM`,
    question: `Delete access key ${id} in IAM? This cannot be undone; anything still using it stops working.${warning}`,
    confirmText: 'Delete key',
    onConfirm: () => {
      void changeKey(id, { type: 'delete' }).catch(reportUnexpected);
    },
  });
  const li = h(
    'li',
    { class: 'entry', 'data-access-key-id': id },
    h(
      'p',
      { class: 'entry-head' },
      h('span', { class: 'entry-title' }, id),
      suggestion === undefined ? undefined : h('span', { class: 'badge suggested' }, ` suggested: ${suggestion}`),
      key.isSigner ? h('span', { class: 'badge' }, ' signer') : undefined,
    ),
    meta,
    h('div', { class: 'entry-actions' }, toggle, remove),
    confirm,
  );
  toggle.addEventListener('click', () => {
    void changeKey(id, { type: 'update', status: toggleTo }).catch(reportUnexpected);
  });
  return li;
}

async function changeKey(
  accessKeyId: string,
  change: { type: 'update'; status: 'Active' | 'Inactive' } | { type: 'delete' },
): Promise<void> {
  const context = slotContext;
  if (context === undefined) {
    return;
  }
  for (const button of ui.slotList.querySelectorAll('button')) {
    button.disabled = true;
  }
  const verb = change.type === 'delete' ? 'Deleting' : change.status === 'Inactive' ? 'Deactivating' : 'Activating';
  showStatusText(ui.slotStatus, `${verb} ${accessKeyId}…`, 'busy');
  const base = { signerId: context.signerId, userName: context.userName, accessKeyId };
  const reply =
    change.type === 'delete'
      ? await sendMessage({ type: 'aws.deleteAccessKey', ...base })
      : await sendMessage({ type: 'aws.updateAccessKey', ...base, status: change.status });
  if (slotContext !== context) {
    return; // closed meanwhile
  }
  if (!reply.ok) {
    for (const button of ui.slotList.querySelectorAll('button')) {
      button.disabled = false;
    }
    showStatusText(ui.slotStatus, describeErrorForUser(reply.error), 'error', reply.error.providerCode ?? reply.error.code);
    return;
  }
  if (reply.result.canCreate) {
    // A slot is free: the create the user asked for proceeds.
    hideKeySlotChoice();
    await context.onFreed();
    return;
  }
  renderSlot(reply.result);
  const done = change.type === 'delete' ? 'deleted' : change.status === 'Inactive' ? 'deactivated' : 'activated';
  showStatusText(
    ui.slotStatus,
    `${accessKeyId} ${done}.${change.type === 'update' ? ' It still takes a slot: delete a key to create a new one.' : ''}`,
    'ok',
  );
}

// ----- EC2 key pairs -----------------------------------------------------------------------------

function reportEc2Failure(error: ErrorInfo): void {
  noteSignerFailure('aws', error);
  showStatusText(ui.ec2Status, describeErrorForUser(error), 'error', error.providerCode ?? error.code);
}

async function withEc2Busy(progress: string, run: (signerId: string) => Promise<void>): Promise<void> {
  const signerId = await signerForAction('aws', (text, code) => showStatusText(ui.ec2Status, text, 'error', code));
  if (signerId === undefined) {
    return;
  }
  ui.ec2Form.setAttribute('aria-busy', 'true');
  ui.createKeyPair.disabled = true;
  ui.listKeyPairs.disabled = true;
  showStatusText(ui.ec2Status, progress, 'busy');
  try {
    await run(signerId);
  } catch (error) {
    showStatusText(ui.ec2Status, `Could not talk to the Keysmith service worker: ${errorText(error)}`, 'error');
  } finally {
    ui.createKeyPair.disabled = false;
    ui.listKeyPairs.disabled = false;
    ui.ec2Form.setAttribute('aria-busy', 'false');
  }
}

async function createKeyPair(): Promise<void> {
  let keyName: string;
  try {
    keyName = parseEc2KeyName(ui.keyName.value.trim(), 'The key pair name');
  } catch (error) {
    ui.keyName.setAttribute('aria-invalid', 'true');
    showStatusText(ui.ec2Status, ui.keyName.value.trim() === '' ? 'Enter a name for the key pair.' : sentence(errorText(error)), 'error');
    ui.keyName.focus();
    return;
  }
  ui.keyName.setAttribute('aria-invalid', 'false');
  const region = ui.region.value;
  const keyType = ui.keyType.value as Ec2KeyType;
  const keyFormat = ui.keyFormat.value as Ec2KeyFormat;
  await withEc2Busy(`Creating key pair ${keyName} in ${region}…`, async (signerId) => {
    const reply = await sendMessage({ type: 'aws.createKeyPair', signerId, region, keyName, keyType, keyFormat });
    if (!reply.ok) {
      reportEc2Failure(reply.error);
      return;
    }
    const pair = reply.result;
    ui.ec2Status.hidden = false;
    ui.ec2Status.dataset.kind = 'ok';
    delete ui.ec2Status.dataset.errorCode;
    ui.ec2Status.setAttribute('role', 'status');
    const list = h('dl', {});
    for (const [term, value] of [
      ['Key pair', pair.keyName],
      ['Key pair ID', pair.keyPairId],
      ['Region', pair.region],
      ['Type', `${pair.keyType} (${pair.keyFormat})`],
      ['Fingerprint', pair.keyFingerprint],
      ['Vault entry', pair.entryId],
    ] as const) {
      list.append(h('dt', {}, term), h('dd', {}, value));
    }
    ui.ec2Status.replaceChildren(
      h('h2', {}, 'Key pair created and vaulted'),
      list,
      h(
        'p',
        { class: 'hint' },
        `Vaulted as entry ${pair.entryId}. The private key went from AWS's answer into the sealed entry; export it from the vault as a .pem when you need it.`,
      ),
    );
    await refreshVault();
  });
}

async function listKeyPairs(): Promise<void> {
  const region = ui.region.value;
  await withEc2Busy(`Listing key pairs in ${region}…`, async (signerId) => {
    const reply = await sendMessage({ type: 'aws.describeKeyPairs', signerId, region });
    if (!reply.ok) {
      reportEc2Failure(reply.error);
      return;
    }
    showStatusText(ui.ec2Status, `${reply.result.length} key pair${reply.result.length === 1 ? '' : 's'} in ${region}.`, 'ok');
    ui.ec2List.hidden = reply.result.length === 0;
    ui.ec2List.replaceChildren(
      ...reply.result.map((pair) =>
        h(
          'li',
          { class: 'entry', 'data-key-pair-id': pair.keyPairId },
          h('p', { class: 'entry-head' }, h('span', { class: 'entry-title' }, pair.keyName)),
          h('p', { class: 'hint' }, `${pair.keyPairId} · ${pair.keyType} · created ${formatDate(pair.createTime)}`),
        ),
      ),
    );
  });
}

function reportUnexpected(error: unknown): void {
  console.error('Keysmith popup (AWS keys):', error);
  showStatusText(ui.ec2Status, `Unexpected error: ${errorText(error)}`, 'error');
}

export function initAwsKeys(): void {
  // The region starts at the built-in default until popup.ts applies the options page's
  // default region (settings.defaultRegion), which is the one place that choice is kept.
  ui.region.replaceChildren(...EC2_REGIONS.map((region) => h('option', { value: region }, region)));
  ui.region.value = DEFAULT_EC2_REGION;
  ui.slotCancel.addEventListener('click', () => hideKeySlotChoice());
  ui.ec2Form.addEventListener('submit', (event) => {
    event.preventDefault();
    createKeyPair().catch(reportUnexpected);
  });
  ui.listKeyPairs.addEventListener('click', () => {
    listKeyPairs().catch(reportUnexpected);
  });
}
