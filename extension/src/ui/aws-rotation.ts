// The popup's recorded AWS work: key rotation (start, confirm, resume, roll back), and the
// "unfinished" panel shown on open: creates whose outcome is unknown (a key may exist in IAM and
// not in the vault: check, and delete it in one confirmed click) and interrupted rotations.

import {
  type OrphanCandidate,
  type PendingCreate,
  type RotationRecord,
  describePending,
  orphansOf,
} from '../shared/aws-flow-messages.js';
import { type ErrorInfo, MessageValidationError, parseAccessKeyId, parseIamUserName, sendMessage } from '../shared/messages.js';
import { element, errorText, h } from './dom.js';
import { describeErrorForUser, sentence } from './error-text.js';
import { showStatusText, showSuccess } from './status.js';
import { noteSignerFailure, withSignerAction } from './signer-select.js';
import { refreshVault } from './vault-panel.js';

const ui = {
  form: element('rotation-form', HTMLFormElement),
  user: element('rotation-user', HTMLInputElement),
  oldKey: element('rotation-old-key', HTMLInputElement),
  status: element('rotation-status', HTMLElement),
  panel: element('aws-unfinished', HTMLElement),
  pending: element('pending-list', HTMLUListElement),
  rotations: element('rotation-list', HTMLUListElement),
  panelStatus: element('unfinished-status', HTMLParagraphElement),
};

const STATE_TEXT: Record<RotationRecord['state'], string> = {
  started: 'started, no new key yet',
  new_key_created: 'new key created, not yet in the vault',
  new_key_vaulted: 'new key vaulted, old key still active',
  old_key_deactivated: 'old key deactivated: waiting for your confirmation',
  completed: 'completed',
  rolled_back: 'rolled back',
};

function fail(target: HTMLElement, error: ErrorInfo): void {
  noteSignerFailure('aws', error);
  showStatusText(target, describeErrorForUser(error), 'error', error.providerCode ?? error.code);
}

// ----- start a rotation --------------------------------------------------------------------------

function readRotationInput(): { userName: string; oldKeyId: string } | undefined {
  try {
    if (ui.user.value.trim() === '' || ui.oldKey.value.trim() === '') {
      throw new MessageValidationError('Enter the user name and the ID of the key to replace.');
    }
    return {
      userName: parseIamUserName(ui.user.value.trim(), 'The user name'),
      oldKeyId: parseAccessKeyId(ui.oldKey.value.trim(), 'The old key ID'),
    };
  } catch (error) {
    showStatusText(ui.status, sentence(errorText(error)), 'error', 'bad_request');
    return undefined;
  }
}

function showRotation(record: RotationRecord): void {
  const rows: [string, string][] = [
    ['User', record.userName],
    ['Old key', record.oldKeyId],
    ['New key', record.newKeyId ?? '—'],
    ['Step', STATE_TEXT[record.state]],
  ];
  const title =
    record.state === 'completed'
      ? 'Rotation completed'
      : record.state === 'rolled_back'
        ? 'Rotation rolled back'
        : 'Rotation in progress';
  const note =
    record.next === 'await_confirmation'
      ? `${record.oldKeyId} is deactivated. Check that everything still works with ${record.newKeyId ?? 'the new key'}, then confirm below to delete the old key (or roll back).`
      : undefined;
  showSuccess(ui.status, title, rows, note);
}

async function startRotation(): Promise<void> {
  const input = readRotationInput();
  if (input === undefined) {
    return;
  }
  await withSignerAction('aws', ui.form, ui.status, `Rotating ${input.oldKeyId} of ${input.userName}…`, async (signerId) => {
    const reply = await sendMessage({ type: 'aws.rotation.start', signerId, ...input });
    if (!reply.ok) {
      fail(ui.status, reply.error);
      await refreshUnfinished();
      return;
    }
    showRotation(reply.result);
    await refreshVault();
    await refreshUnfinished();
  });
}

// ----- the unfinished panel ----------------------------------------------------------------------

function rotationItem(record: RotationRecord): HTMLLIElement {
  const label = `rotation of ${record.oldKeyId}`;
  const actions = h('div', { class: 'entry-actions' });
  if (record.next === 'await_confirmation') {
    const confirm = h('button', { type: 'button', class: 'danger', 'aria-label': `Confirm ${label}: delete the old key` }, 'Nothing broke: delete old key');
    confirm.addEventListener('click', () => void rotationAction(record, 'aws.rotation.confirm').catch(report));
    actions.append(confirm);
  } else if (record.next !== 'nothing') {
    const resume = h('button', { type: 'button', 'aria-label': `Resume ${label}` }, 'Resume');
    resume.addEventListener('click', () => void rotationAction(record, 'aws.rotation.resume').catch(report));
    actions.append(resume);
  }
  if (record.canRollBack) {
    const rollback = h('button', { type: 'button', class: 'secondary', 'aria-label': `Roll back ${label}` }, 'Roll back');
    rollback.addEventListener('click', () => void rotationAction(record, 'aws.rotation.rollback').catch(report));
    actions.append(rollback);
  }
  const when = new Date(record.updatedAt).toISOString().slice(0, 16).replace('T', ' ');
  return h(
    'li',
    { class: 'entry', 'data-rotation-id': record.id, 'data-state': record.state },
    h('p', { class: 'entry-head' }, h('span', { class: 'entry-title' }, `Rotation of ${record.oldKeyId} (${record.userName})`)),
    h('p', { class: 'hint' }, `${STATE_TEXT[record.state]}${record.newKeyId === undefined ? '' : `; new key ${record.newKeyId}`} (last step ${when} UTC)`),
    actions,
  );
}

async function rotationAction(
  record: RotationRecord,
  type: 'aws.rotation.confirm' | 'aws.rotation.resume' | 'aws.rotation.rollback',
): Promise<void> {
  const verb = type === 'aws.rotation.confirm' ? 'Deleting the old key' : type === 'aws.rotation.resume' ? 'Resuming' : 'Rolling back';
  await withSignerAction('aws', ui.panel, ui.panelStatus, `${verb} (${record.oldKeyId})…`, async (signerId) => {
    const reply = await sendMessage({ type, signerId, rotationId: record.id });
    if (!reply.ok) {
      fail(ui.panelStatus, reply.error);
      return;
    }
    showRotation(reply.result);
    const done = reply.result.state === 'completed' ? 'completed' : reply.result.state === 'rolled_back' ? 'rolled back' : STATE_TEXT[reply.result.state];
    showStatusText(ui.panelStatus, `Rotation of ${record.oldKeyId}: ${done}.`, 'ok');
    await refreshVault();
    await refreshUnfinished(false);
  });
}

function pendingItem(marker: PendingCreate): HTMLLIElement {
  const check = h('button', { type: 'button', 'aria-label': `Check the keys of ${marker.userName ?? 'the signing user'}` }, 'Check keys');
  const dismiss = h('button', { type: 'button', class: 'secondary', 'aria-label': `Dismiss the unfinished create of ${marker.startedAt}` }, 'Dismiss');
  const keys = h('ul', { class: 'entries', 'aria-label': 'Keys of this user' });
  const li = h(
    'li',
    { class: 'entry pending', 'data-marker-id': marker.id },
    h('p', { class: 'entry-head' }, h('span', { class: 'entry-title' }, describePending(marker))),
    h('div', { class: 'entry-actions' }, check, dismiss),
    keys,
  );
  check.addEventListener('click', () => void checkOrphans(marker, keys).catch(report));
  dismiss.addEventListener('click', () =>
    void (async () => {
      const reply = await sendMessage({ type: 'aws.dismissPending', markerId: marker.id });
      if (!reply.ok) {
        fail(ui.panelStatus, reply.error);
        return;
      }
      await refreshUnfinished(false);
    })().catch(report),
  );
  return li;
}

async function checkOrphans(marker: PendingCreate, list: HTMLUListElement): Promise<void> {
  const who = marker.userName ?? 'the signing user';
  await withSignerAction('aws', ui.panel, ui.panelStatus, `Listing the keys of ${who}…`, async (signerId) => {
    const reply = await sendMessage({ type: 'aws.findOrphans', signerId, markerId: marker.id });
    if (!reply.ok) {
      fail(ui.panelStatus, reply.error);
      return;
    }
    if (reply.result.resolved) {
      showStatusText(ui.panelStatus, `No key made for ${who} since then is missing from the vault: nothing was lost.`, 'ok');
      await refreshUnfinished(false);
      return;
    }
    const orphans = orphansOf(reply.result);
    showStatusText(
      ui.panelStatus,
      `${orphans.length} key${orphans.length === 1 ? '' : 's'} of ${who} ${orphans.length === 1 ? 'is' : 'are'} not in the vault: nobody holds ${orphans.length === 1 ? 'its' : 'their'} secret, so deleting is safe unless you saved it elsewhere.`,
      'ok',
    );
    list.replaceChildren(...orphans.map((key) => orphanItem(marker, key, list)));
  });
}

function orphanItem(marker: PendingCreate, key: OrphanCandidate, list: HTMLUListElement): HTMLLIElement {
  const id = key.accessKeyId;
  const remove = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete orphan ${id} in IAM` }, 'Delete in IAM');
  const yes = h('button', { type: 'button', class: 'danger' }, 'Delete key');
  const no = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const confirm = h(
    'div',
    { class: 'confirm', role: 'group', 'aria-label': `Confirm deleting orphan ${id}`, hidden: true },
    h('p', {}, `Delete access key ${id} in IAM? It is not in the vault; this cannot be undone.`),
    h('div', { class: 'actions' }, yes, no),
  );
  remove.addEventListener('click', () => {
    confirm.hidden = false;
    yes.focus();
  });
  no.addEventListener('click', () => {
    confirm.hidden = true;
  });
  yes.addEventListener('click', () =>
    void withSignerAction('aws', ui.panel, ui.panelStatus, `Deleting ${id}…`, async (signerId) => {
      const base = marker.userName === null ? {} : { userName: marker.userName };
      const reply = await sendMessage({ type: 'aws.deleteAccessKey', signerId, accessKeyId: id, ...base });
      if (!reply.ok) {
        fail(ui.panelStatus, reply.error);
        return;
      }
      list.querySelector(`li[data-access-key-id="${id}"]`)?.remove();
      const left = reply.result.keys.filter((k) => k.accessKeyId !== id).length;
      showStatusText(ui.panelStatus, `${id} deleted in IAM.`, 'ok');
      if (list.children.length === 0) {
        // Nothing outside the vault any more: the marker can go.
        await sendMessage({ type: 'aws.dismissPending', markerId: marker.id });
        showStatusText(ui.panelStatus, `${id} deleted in IAM; ${left} key${left === 1 ? '' : 's'} left, all in the vault.`, 'ok');
        await refreshUnfinished(false);
      }
    }).catch(report),
  );
  return h(
    'li',
    { class: 'entry', 'data-access-key-id': id },
    h('p', { class: 'entry-head' }, h('span', { class: 'entry-title' }, id), h('span', { class: 'badge' }, ' not in vault')),
    h('p', { class: 'hint' }, `${key.status} · created ${key.createDate}`),
    h('div', { class: 'entry-actions' }, remove),
    confirm,
  );
}

/** Asks the worker for unfinished creates and rotations; shows the panel if there are any. */
export async function refreshUnfinished(clearStatus = true): Promise<void> {
  const [pending, rotations] = await Promise.all([
    sendMessage({ type: 'aws.pendingCreates' }),
    sendMessage({ type: 'aws.rotation.list' }),
  ]);
  const markers = pending.ok ? pending.result : [];
  const records = rotations.ok ? rotations.result : [];
  ui.pending.replaceChildren(...markers.map(pendingItem));
  ui.rotations.replaceChildren(...records.map(rotationItem));
  ui.panel.hidden = markers.length === 0 && records.length === 0 && ui.panelStatus.textContent === '';
  if (clearStatus) {
    ui.panelStatus.textContent = '';
    ui.panel.hidden = markers.length === 0 && records.length === 0;
  }
  if (!pending.ok) {
    ui.panel.hidden = false;
    fail(ui.panelStatus, pending.error);
  }
}

function report(error: unknown): void {
  console.error('Keysmith popup (rotation):', error);
  showStatusText(ui.panelStatus, `Unexpected error: ${errorText(error)}`, 'error');
}

export function initAwsRotation(): void {
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    startRotation().catch(report);
  });
  refreshUnfinished().catch(report);
}
