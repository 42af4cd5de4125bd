// Popup: the Scaleway section. Verify the chosen signer identity (its bearer, Organization and
// default Project, looked up again at Scaleway), then create an API key for the signer's own user or for an IAM application (existing
// or created on the spot), with a description, an expiry, a preferred Project and an optional
// Secret Manager push. The service worker seals the new secret into the vault before answering.
// The signer is a vault entry (signer-select.ts): messages carry its id, never its secret key.

import * as status from './status.js';
import { type ErrorInfo, sendMessage } from '../shared/messages.js';
import type {
  ScalewayApiKeyInfo,
  ScalewayApplication,
  ScalewayProject,
  ScalewayRegion,
  ScalewaySigner,
} from '../shared/scaleway-messages.js';
import { confirmation, element, errorText, h } from './dom.js';
import { describeScalewayError } from './error-text.js';
import { selectedSigner } from './signer-select.js';

const NEW_APPLICATION = '__new__';
const MAX_DESCRIPTION = 200;

const ui = {
  form: element('scw-form', HTMLFormElement),
  verify: element('scw-verify', HTMLButtonElement),
  createFields: element('scw-create-fields', HTMLFieldSetElement),
  createHint: element('scw-create-hint', HTMLParagraphElement),
  bearerSelf: element('scw-bearer-self', HTMLInputElement),
  bearerApp: element('scw-bearer-app', HTMLInputElement),
  appFields: element('scw-app-fields', HTMLDivElement),
  application: element('scw-application', HTMLSelectElement),
  newAppFields: element('scw-new-app-fields', HTMLDivElement),
  newAppName: element('scw-new-app-name', HTMLInputElement),
  description: element('scw-description', HTMLInputElement),
  descriptionCount: element('scw-description-count', HTMLParagraphElement),
  expiry: element('scw-expiry', HTMLSelectElement),
  expiryCustomFields: element('scw-expiry-custom-fields', HTMLDivElement),
  expiryCustom: element('scw-expiry-custom', HTMLInputElement),
  expiryHint: element('scw-expiry-hint', HTMLParagraphElement),
  project: element('scw-project', HTMLSelectElement),
  push: element('scw-push', HTMLInputElement),
  pushFields: element('scw-push-fields', HTMLDivElement),
  pushRegion: element('scw-push-region', HTMLSelectElement),
  pushName: element('scw-push-name', HTMLInputElement),
  create: element('scw-create', HTMLButtonElement),
  status: element('scw-status', HTMLElement),
  exportRegion: element('scw-export-region', HTMLInputElement),
  exportZone: element('scw-export-zone', HTMLInputElement),
  keys: element('scw-keys', HTMLElement),
  keyList: element('scw-key-list', HTMLUListElement),
};

/** The verified signer (no secret), and what it may choose from. */
let signer: ScalewaySigner | undefined;
let projects: ScalewayProject[] = [];
let onVaulted: () => Promise<void> = async () => undefined;

// ----- errors ------------------------------------------------------------------------------------

// ----- status ------------------------------------------------------------------------------------

const showBusy = (text: string): void => status.showBusy(ui.status, text);
const showSuccess = (title: string, rows: [string, string][], note?: string): void =>
  status.showSuccess(ui.status, title, rows, note);
const showError = (text: string, code?: string): void => status.showError(ui.status, text, code);




function reportFailure(error: ErrorInfo): void {
  showError(describeScalewayError(error), error.providerCode ?? error.code);
}

// ----- form --------------------------------------------------------------------------------------

/** The chosen Scaleway signer's id; with `verified`, it must be the one verified last. */
function readSignerId(verified?: ScalewaySigner): string | undefined {
  const chosen = selectedSigner('scaleway');
  if (chosen === undefined) {
    showError('Choose a Scaleway signer identity (add one on the options page; the vault must be unlocked).', 'no_signer');
    return undefined;
  }
  if (verified !== undefined && chosen.keyId !== verified.accessKey) {
    showError('The signer changed since it was verified: verify the signer again.');
    return undefined;
  }
  return chosen.id;
}

/** Runs one action with the form locked. */
async function withBusyForm(progress: string, run: () => Promise<void>): Promise<void> {
  ui.form.setAttribute('aria-busy', 'true');
  ui.verify.disabled = true;
  ui.create.disabled = true;
  showBusy(progress);
  try {
    await run();
  } catch (error) {
    showError(`Could not talk to the Keysmith service worker: ${errorText(error)}`);
  } finally {
    ui.verify.disabled = false;
    ui.create.disabled = false;
    ui.form.setAttribute('aria-busy', 'false');
  }
}

function option(value: string, label: string): HTMLOptionElement {
  const node = document.createElement('option');
  node.value = value;
  node.textContent = label;
  return node;
}

function fillProjects(list: ScalewayProject[], preferred: string | null): void {
  projects = list;
  ui.project.replaceChildren(option('', '(none)'));
  for (const p of list) {
    ui.project.append(option(p.id, `${p.name} (${p.id})`));
  }
  ui.project.value = preferred !== null && list.some((p) => p.id === preferred) ? preferred : '';
}

function fillApplications(list: ScalewayApplication[], selected?: string): void {
  ui.application.replaceChildren();
  for (const app of list) {
    ui.application.append(option(app.id, app.name));
  }
  ui.application.append(option(NEW_APPLICATION, 'New application…'));
  ui.application.value = selected ?? (list[0]?.id ?? NEW_APPLICATION);
  syncVisibility();
}

function syncVisibility(): void {
  ui.appFields.hidden = !ui.bearerApp.checked;
  ui.newAppFields.hidden = ui.application.value !== NEW_APPLICATION;
  ui.pushFields.hidden = !ui.push.checked;
  ui.expiryCustomFields.hidden = ui.expiry.value !== CUSTOM_EXPIRY;
  const length = [...ui.description.value].length;
  ui.descriptionCount.textContent = `${length} / ${MAX_DESCRIPTION}`;
}

function projectName(id: string | null): string {
  if (id === null) {
    return '(none)';
  }
  const found = projects.find((p) => p.id === id);
  return found === undefined ? id : `${found.name} (${id})`;
}

async function verifySigner(): Promise<void> {
  const signerId = readSignerId();
  if (signerId === undefined) {
    return;
  }
  await withBusyForm('Looking up the signer at Scaleway…', async () => {
    const reply = await sendMessage({ type: 'scaleway.verifySigner', signerId });
    if (!reply.ok) {
      signer = undefined;
      ui.createFields.disabled = true;
      ui.keys.hidden = true;
      ui.keyList.replaceChildren();
      reportFailure(reply.error);
      return;
    }
    const me = reply.result;
    const notes: string[] = [];
    const listed = await sendMessage({ type: 'scaleway.listProjects', signerId, organizationId: me.organizationId });
    if (listed.ok) {
      fillProjects(listed.result.projects, me.defaultProjectId);
    } else {
      fillProjects([], null);
      notes.push(`Projects could not be listed: ${describeScalewayError(listed.error)}`);
    }
    const apps = await sendMessage({ type: 'scaleway.listApplications', signerId, organizationId: me.organizationId });
    if (apps.ok) {
      fillApplications(apps.result.applications);
    } else {
      fillApplications([]);
      notes.push(`Applications could not be listed: ${describeScalewayError(apps.error)}`);
    }
    signer = me;
    const keysNote = await refreshBearerKeys(me, signerId);
    if (keysNote !== undefined) {
      notes.push(keysNote);
    }
    ui.createFields.disabled = false;
    ui.bearerSelf.parentElement?.replaceChildren(
      ui.bearerSelf,
      ` Myself (${me.bearerType === 'user' ? 'user' : 'application'} ${me.bearerName ?? me.bearerId})`,
    );
    ui.createHint.textContent = 'Enter the signer\'s secret key again to create a key. The new secret key goes straight into the vault.';
    showSuccess(
      'Scaleway signer verified',
      [
        ['Bearer', me.bearerType === 'user' ? 'User' : 'Application'],
        ['Name', me.bearerName ?? '(unknown)'],
        ['Bearer ID', me.bearerId],
        ['Organization', me.organizationId],
        ['Default project', projectName(me.defaultProjectId)],
        ['Expires', me.expiresAt === null ? 'never' : `${me.expiresAt}${me.expired ? ' (expired)' : ''}`],
      ],
      notes.length === 0 ? undefined : notes.join(' '),
    );
  });
}

const CUSTOM_EXPIRY = 'custom';

/** The chosen expiry as RFC 3339, `null` for never, or an error to show (custom date missing or past). */
function readExpiry(nowMs: number): { expiresAt: string | null } | { error: string } {
  const choice = ui.expiry.value;
  if (choice === 'never') {
    return { expiresAt: null };
  }
  if (choice !== CUSTOM_EXPIRY) {
    return { expiresAt: new Date(nowMs + Number(choice) * 1000).toISOString() };
  }
  // datetime-local is read in the browser's time zone; the API gets UTC.
  const typed = ui.expiryCustom.value;
  const at = typed === '' ? Number.NaN : new Date(typed).getTime();
  if (Number.isNaN(at)) {
    return { error: 'Enter the expiry date and time, or choose another expiry.' };
  }
  if (at <= nowMs) {
    return { error: 'The expiry date is in the past: choose a date and time in the future.' };
  }
  return { expiresAt: new Date(at).toISOString() };
}

/** A datetime-local value (browser's time zone, to the minute) for a time in ms. */
function localMinute(ms: number): string {
  const offsetMs = new Date(ms).getTimezoneOffset() * 60_000;
  return new Date(ms - offsetMs).toISOString().slice(0, 16);
}

function markExpiryInvalid(invalid: boolean): void {
  const field = ui.expiry.value === CUSTOM_EXPIRY ? ui.expiryCustom : ui.expiry;
  ui.expiry.setAttribute('aria-invalid', 'false');
  ui.expiryCustom.setAttribute('aria-invalid', 'false');
  field.setAttribute('aria-invalid', String(invalid));
  if (invalid) {
    field.focus();
  }
}

async function createApiKey(): Promise<void> {
  const me = signer;
  if (me === undefined) {
    showError('Verify the Scaleway signer first.');
    return;
  }
  const description = ui.description.value.trim();
  if ([...description].length > MAX_DESCRIPTION) {
    showError(`The description may be at most ${MAX_DESCRIPTION} characters long.`);
    ui.description.focus();
    return;
  }
  const forApplication = ui.bearerApp.checked;
  const newAppName = ui.newAppName.value.trim();
  if (forApplication && ui.application.value === NEW_APPLICATION && newAppName === '') {
    ui.newAppName.setAttribute('aria-invalid', 'true');
    showError('Enter a name for the new application.');
    ui.newAppName.focus();
    return;
  }
  ui.newAppName.setAttribute('aria-invalid', 'false');
  const chosenExpiry = readExpiry(Date.now());
  if ('error' in chosenExpiry) {
    showError(chosenExpiry.error, 'invalid_expiry');
    markExpiryInvalid(true);
    return;
  }
  markExpiryInvalid(false);
  const expiry = chosenExpiry.expiresAt ?? undefined;
  const defaultProjectId = ui.project.value === '' ? undefined : ui.project.value;
  let secretManager: { region: ScalewayRegion; projectId: string; name: string } | undefined;
  if (ui.push.checked) {
    const projectId = defaultProjectId ?? me.defaultProjectId ?? undefined;
    const name = ui.pushName.value.trim();
    if (projectId === undefined || name === '') {
      showError('Secret Manager needs a Project (choose a preferred Project) and a secret name.');
      return;
    }
    secretManager = { region: ui.pushRegion.value as ScalewayRegion, projectId, name };
  }
  const signerId = readSignerId(me);
  if (signerId === undefined) {
    return;
  }
  await withBusyForm('Creating the Scaleway API key…', async () => {
    let bearer: { userId: string } | { applicationId: string };
    let bearerLabel: string;
    if (!forApplication) {
      bearer = me.bearerType === 'user' ? { userId: me.bearerId } : { applicationId: me.bearerId };
      bearerLabel = me.bearerName ?? me.bearerId;
    } else if (ui.application.value === NEW_APPLICATION) {
      const made = await sendMessage({
        type: 'scaleway.createApplication',
        signerId,
        organizationId: me.organizationId,
        name: newAppName,
        description: 'created by Keysmith',
      });
      if (!made.ok) {
        reportFailure(made.error);
        return;
      }
      const options = [...ui.application.options]
        .filter((o) => o.value !== NEW_APPLICATION)
        .map((o) => ({ id: o.value, name: o.textContent ?? '' }));
      fillApplications(
        [...options, made.result].map((a) => ({ id: a.id, name: a.name, description: '', organizationId: me.organizationId, nbApiKeys: 0 })),
        made.result.id,
      );
      ui.newAppName.value = '';
      bearer = { applicationId: made.result.id };
      bearerLabel = made.result.name;
    } else {
      bearer = { applicationId: ui.application.value };
      bearerLabel = ui.application.selectedOptions[0]?.textContent ?? ui.application.value;
    }
    const reply = await sendMessage({
      type: 'scaleway.createApiKey',
      signerId,
      ...bearer,
      organizationId: me.organizationId,
      ...(description === '' ? {} : { description }),
      ...(expiry === undefined ? {} : { expiresAt: expiry }),
      ...(defaultProjectId === undefined ? {} : { defaultProjectId }),
      ...(secretManager === undefined ? {} : { secretManager }),
    });
    if (!reply.ok) {
      reportFailure(reply.error);
      if (reply.error.code === 'expiry_beyond_maximum') {
        markExpiryInvalid(true);
      }
      return;
    }
    const key = reply.result;
    const rows: [string, string][] = [
      ['Access key', key.accessKey],
      ['Bearer', `${key.bearerType === 'user' ? 'User' : 'Application'} ${bearerLabel}`],
      ['Description', key.description === '' ? '(none)' : key.description],
      ['Expires', key.expiresAt ?? 'never'],
      ['Default project', projectName(key.defaultProjectId)],
      ['Vault entry', key.entryId],
    ];
    if (key.secretManager !== null) {
      rows.push(['Secret Manager', `${key.secretManager.secretName} (${key.secretManager.region}, revision ${key.secretManager.revision})`]);
    }
    showSuccess(
      'Scaleway API key created and vaulted',
      rows,
      `Vaulted as entry ${key.entryId}. The secret key went from Scaleway's answer into the sealed entry inside the Keysmith core; export it from the vault when you need it.`,
    );
    ui.description.value = '';
    syncVisibility();
    if (key.bearerId === me.bearerId) {
      await refreshBearerKeys(me, signerId);
    }
    await onVaulted();
  });
}

// ----- keys of this bearer ----------------------------------------------------------------------

/** Lists the API keys of the signer's bearer. */
async function refreshBearerKeys(me: ScalewaySigner, signerId: string): Promise<string | undefined> {
  const reply = await sendMessage({
    type: 'scaleway.listApiKeys',
    signerId,
    bearerType: me.bearerType,
    bearerId: me.bearerId,
  });
  if (!reply.ok) {
    ui.keys.hidden = true;
    ui.keyList.replaceChildren();
    return `The keys of this bearer could not be listed: ${describeScalewayError(reply.error)}`;
  }
  ui.keyList.replaceChildren(...reply.result.apiKeys.map((key) => bearerKeyItem(key, me)));
  ui.keys.hidden = false;
  return undefined;
}

function bearerKeyItem(key: ScalewayApiKeyInfo, me: ScalewaySigner): HTMLLIElement {
  const id = key.accessKey;
  const isSigner = id === me.accessKey;
  const meta = h('dl', { class: 'entry-meta' });
  for (const [term, value] of [
    ['Description', key.description === '' ? '(none)' : key.description],
    ['Expires', key.expiresAt ?? 'never'],
  ] as const) {
    meta.append(h('dt', {}, term), h('dd', {}, value));
  }
  const remove = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${id} at Scaleway` }, 'Delete');
  const warning = isSigner ? ' Keysmith signs with this key: deleting it locks Keysmith out until you give it another.' : '';
  const confirm = confirmation(remove, {
    label: `Confirm deleting ${id} at Scaleway`,
    question: `Delete API key ${id} at Scaleway? This cannot be undone; anything still using it stops working.${warning}`,
    confirmText: 'Delete key',
    onConfirm: () => {
      confirm.hidden = true;
      deleteBearerKey(id).catch(reportUnexpected);
    },
  });
  const li = h(
    'li',
    { class: key.expired ? 'entry expired' : 'entry', 'data-access-key': id },
    h(
      'p',
      { class: 'entry-head' },
      h('span', { class: 'entry-title' }, id),
      key.expired ? h('span', { class: 'badge expired' }, 'expired') : undefined,
      isSigner ? h('span', { class: 'badge' }, 'signer') : undefined,
    ),
    meta,
    h('div', { class: 'entry-actions' }, remove),
    confirm,
  );
  return li;
}

async function deleteBearerKey(accessKey: string): Promise<void> {
  const me = signer;
  if (me === undefined) {
    showError('Verify the Scaleway signer first.');
    return;
  }
  const signerId = readSignerId(me);
  if (signerId === undefined) {
    return;
  }
  await withBusyForm(`Deleting ${accessKey} at Scaleway…`, async () => {
    const reply = await sendMessage({ type: 'scaleway.deleteApiKey', signerId, accessKey });
    if (!reply.ok) {
      reportFailure(reply.error);
      return;
    }
    const note = await refreshBearerKeys(me, signerId);
    showSuccess('Scaleway API key deleted', [['Access key', reply.result.accessKey]], note);
  });
}


// ----- exports -----------------------------------------------------------------------------------

/** Region and zone written into Scaleway exports (config.yaml, SCW_* variables). */
export function scalewayExportOptions(): { region?: string; zone?: string } {
  const region = ui.exportRegion.value.trim();
  const zone = ui.exportZone.value.trim();
  return { ...(region === '' ? {} : { region }), ...(zone === '' ? {} : { zone }) };
}

// ----- start -------------------------------------------------------------------------------------

function reportUnexpected(error: unknown): void {
  console.error('Keysmith popup (Scaleway):', error);
  showError(`Unexpected error: ${errorText(error)}`);
}

export function initScalewaySection(options: { onVaulted: () => Promise<void> }): void {
  onVaulted = options.onVaulted;
  ui.verify.addEventListener('click', () => {
    verifySigner().catch(reportUnexpected);
  });
  ui.create.addEventListener('click', () => {
    createApiKey().catch(reportUnexpected);
  });
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
  });
  for (const input of [ui.bearerSelf, ui.bearerApp, ui.application, ui.push]) {
    input.addEventListener('change', syncVisibility);
  }
  ui.description.addEventListener('input', syncVisibility);
  ui.expiry.addEventListener('change', () => {
    syncVisibility();
    if (ui.expiry.value === CUSTOM_EXPIRY) {
      const now = Date.now();
      // The picker offers no past date; the check on create stays (the time moves on).
      ui.expiryCustom.min = localMinute(now);
      if (ui.expiryCustom.value === '') {
        ui.expiryCustom.value = localMinute(now + 7 * 86_400_000);
      }
    }
    ui.expiryHint.textContent =
      ui.expiry.value === CUSTOM_EXPIRY
        ? 'Your Organization may set a maximum API key lifetime; Keysmith checks it before creating the key.'
        : '';
  });
  syncVisibility();
}
