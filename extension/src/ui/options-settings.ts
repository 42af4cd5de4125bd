// Options page, settings half: auto-lock and clipboard timeouts, defaults for new keys, custom
// endpoints (with the optional host permission), the passphrase change and the vault file.
// Each form sends only the settings it shows, so two options windows never undo each other.

import {
  EC2_REGIONS,
  MAX_AUTO_LOCK_MINUTES,
  MAX_CLIPBOARD_CLEAR_SECONDS,
  MIN_AUTO_LOCK_MINUTES,
  MIN_CLIPBOARD_CLEAR_SECONDS,
  MIN_NEW_PASSPHRASE,
  type CustomEndpoints,
  type Ec2KeyType,
  type ErrorInfo,
  STORAGE,
  type Settings,
  type SettingsChange,
  type VaultFileState,
  parseEndpointUrl,
  sendMessage,
} from '../shared/messages.js';
import { element, errorText, h } from './dom.js';
import { describeErrorForUser, sentence } from './error-text.js';
import { releaseHostPermission, hostPattern } from './host-permission.js';
import { showBusy, showError, showStatusText, showSuccess } from './status.js';
import { estimateStrength } from './strength.js';

/** Work that may take longer than this shows progress; quicker work does not flicker. */
const PROGRESS_DELAY_MS = 200;
const ENDPOINT_CHECK_TIMEOUT_MS = 5_000;

const ui = {
  autoLockForm: element('auto-lock-form', HTMLFormElement),
  autoLock: element('auto-lock-minutes', HTMLInputElement),
  autoLockStatus: element('auto-lock-status', HTMLParagraphElement),
  clipboardForm: element('clipboard-form', HTMLFormElement),
  clipboard: element('clipboard-seconds', HTMLInputElement),
  clipboardStatus: element('clipboard-status', HTMLParagraphElement),
  defaultsForm: element('defaults-form', HTMLFormElement),
  region: element('default-region', HTMLSelectElement),
  keyType: element('default-key-type', HTMLSelectElement),
  defaultsStatus: element('defaults-status', HTMLParagraphElement),
  endpointsForm: element('endpoints-form', HTMLFormElement),
  awsEndpoint: element('aws-endpoint', HTMLInputElement),
  scwEndpoint: element('scw-endpoint', HTMLInputElement),
  saveEndpoints: element('save-endpoints', HTMLButtonElement),
  endpointsStatus: element('endpoints-status', HTMLElement),
  changeForm: element('change-passphrase-form', HTMLFormElement),
  current: element('current-passphrase', HTMLInputElement),
  changed: element('changed-passphrase', HTMLInputElement),
  meter: element('changed-meter', HTMLMeterElement),
  strength: element('changed-strength', HTMLParagraphElement),
  repeat: element('changed-passphrase-repeat', HTMLInputElement),
  changeButton: element('change-passphrase', HTMLButtonElement),
  changeStatus: element('change-passphrase-status', HTMLParagraphElement),
  exportButton: element('export-vault-file', HTMLButtonElement),
  exportStatus: element('export-status', HTMLParagraphElement),
  importForm: element('import-vault-form', HTMLFormElement),
  file: element('vault-file-input', HTMLInputElement),
  filePassphrase: element('vault-file-passphrase', HTMLInputElement),
  importButton: element('import-vault-file', HTMLButtonElement),
  confirm: element('replace-confirm', HTMLDivElement),
  confirmText: element('replace-confirm-text', HTMLParagraphElement),
  exportFirst: element('replace-export', HTMLButtonElement),
  exportFirstStatus: element('replace-export-status', HTMLParagraphElement),
  replace: element('replace-vault', HTMLButtonElement),
  keep: element('replace-cancel', HTMLButtonElement),
  importStatus: element('import-status', HTMLElement),
};

let shown: Settings | undefined;

// ----- helpers ------------------------------------------------------------------------------------

/**
 * Runs `run` with its form marked busy; if it takes longer than PROGRESS_DELAY_MS, `progress`
 * is called to show that something is happening. `slow: true` shows it at once, for what always
 * runs Argon2id (changing the passphrase, importing a vault file): around the 200 ms line on a
 * fast machine, seconds on a slow one, so a delay would only make the progress flicker or not.
 */
async function withProgress<T>(
  form: HTMLElement,
  progress: () => void,
  run: () => Promise<T>,
  { slow = false }: { slow?: boolean } = {},
): Promise<T> {
  form.setAttribute('aria-busy', 'true');
  const buttons = [...form.querySelectorAll('button')];
  for (const button of buttons) {
    button.disabled = true;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (slow) {
    progress();
  } else {
    timer = setTimeout(progress, PROGRESS_DELAY_MS);
  }
  try {
    return await run();
  } finally {
    clearTimeout(timer);
    for (const button of buttons) {
      button.disabled = false;
    }
    form.setAttribute('aria-busy', 'false');
  }
}

function markInvalid(input: HTMLInputElement, invalid: boolean): void {
  input.setAttribute('aria-invalid', String(invalid));
  if (invalid) {
    input.focus();
  }
}

/** A whole number typed in a field, within bounds; undefined (field marked) otherwise. */
function readWholeNumber(input: HTMLInputElement, min: number, max: number): number | undefined {
  const value = Number(input.value);
  const valid = input.value.trim() !== '' && Number.isSafeInteger(value) && value >= min && value <= max;
  markInvalid(input, !valid);
  return valid ? value : undefined;
}

async function saveSettings(change: SettingsChange, target: HTMLElement, describe: (settings: Settings) => string): Promise<boolean> {
  const reply = await sendMessage({ type: 'settings.set', ...change });
  if (!reply.ok) {
    showStatusText(target, describeErrorForUser(reply.error), 'error', reply.error.code);
    return false;
  }
  render(reply.result);
  showStatusText(target, describe(reply.result), 'ok');
  return true;
}

/** Shows the settings; a field being edited keeps what the user is typing. */
function render(settings: Settings): void {
  shown = settings;
  const set = (input: HTMLInputElement | HTMLSelectElement, value: string): void => {
    if (document.activeElement !== input) {
      input.value = value;
    }
  };
  set(ui.autoLock, String(settings.autoLockMinutes));
  set(ui.clipboard, String(settings.clipboardClearSeconds));
  set(ui.region, settings.defaultRegion);
  set(ui.keyType, settings.defaultEc2KeyType);
  set(ui.awsEndpoint, settings.endpoints.aws ?? '');
  set(ui.scwEndpoint, settings.endpoints.scaleway ?? '');
  ui.endpointsForm.dataset.loaded = 'true';
}

async function loadSettings(): Promise<void> {
  const reply = await sendMessage({ type: 'settings.get' });
  if (reply.ok) {
    render(reply.result);
  } else {
    showStatusText(ui.autoLockStatus, `Could not read the settings: ${describeErrorForUser(reply.error)}`, 'error');
  }
}

// ----- timeouts and defaults ---------------------------------------------------------------------

async function saveAutoLock(): Promise<void> {
  const minutes = readWholeNumber(ui.autoLock, MIN_AUTO_LOCK_MINUTES, MAX_AUTO_LOCK_MINUTES);
  if (minutes === undefined) {
    showStatusText(
      ui.autoLockStatus,
      `Enter a whole number of minutes from ${MIN_AUTO_LOCK_MINUTES} to ${MAX_AUTO_LOCK_MINUTES}.`,
      'error',
    );
    return;
  }
  await saveSettings({ autoLockMinutes: minutes }, ui.autoLockStatus, (s) =>
    `Saved: the vault locks after ${s.autoLockMinutes} idle minute${s.autoLockMinutes === 1 ? '' : 's'}.`,
  );
}

async function saveClipboard(): Promise<void> {
  const seconds = readWholeNumber(ui.clipboard, MIN_CLIPBOARD_CLEAR_SECONDS, MAX_CLIPBOARD_CLEAR_SECONDS);
  if (seconds === undefined) {
    showStatusText(
      ui.clipboardStatus,
      `Enter a whole number of seconds from ${MIN_CLIPBOARD_CLEAR_SECONDS} to ${MAX_CLIPBOARD_CLEAR_SECONDS}.`,
      'error',
    );
    return;
  }
  await saveSettings({ clipboardClearSeconds: seconds }, ui.clipboardStatus, (s) =>
    `Saved: copies are cleared from the clipboard after ${s.clipboardClearSeconds} seconds.`,
  );
}

async function saveDefaults(): Promise<void> {
  const keyType = ui.keyType.value === 'rsa' ? 'rsa' : ('ed25519' satisfies Ec2KeyType);
  await saveSettings({ defaultRegion: ui.region.value, defaultEc2KeyType: keyType }, ui.defaultsStatus, (s) =>
    `Saved: new EC2 key pairs start in ${s.defaultRegion}, as ${s.defaultEc2KeyType === 'rsa' ? 'RSA' : 'ED25519'}.`,
  );
}

// ----- endpoints ----------------------------------------------------------------------------------

/** The endpoint typed in a field: undefined for the provider itself; throws a sentence if invalid. */
function readEndpoint(input: HTMLInputElement, name: string): string | undefined {
  const text = input.value.trim();
  if (text === '') {
    input.setAttribute('aria-invalid', 'false');
    return undefined;
  }
  try {
    const origin = parseEndpointUrl(text, name);
    input.setAttribute('aria-invalid', 'false');
    return origin;
  } catch (error) {
    markInvalid(input, true);
    throw new Error(`${sentence(errorText(error))} Example: http://127.0.0.1:5000`);
  }
}

/** Whether something answers at the endpoint (any HTTP answer will do: it is not signed). */
async function checkEndpoint(origin: string): Promise<{ reachable: boolean; text: string }> {
  try {
    const response = await fetch(`${origin}/`, { signal: AbortSignal.timeout(ENDPOINT_CHECK_TIMEOUT_MS), cache: 'no-store' });
    return { reachable: true, text: `answered (HTTP ${response.status})` };
  } catch (error) {
    return { reachable: false, text: errorText(error) };
  }
}

async function saveEndpoints(): Promise<void> {
  let endpoints: CustomEndpoints;
  try {
    const aws = readEndpoint(ui.awsEndpoint, 'The AWS endpoint');
    const scaleway = readEndpoint(ui.scwEndpoint, 'The Scaleway endpoint');
    endpoints = { ...(aws === undefined ? {} : { aws }), ...(scaleway === undefined ? {} : { scaleway }) };
  } catch (error) {
    showError(ui.endpointsStatus, errorText(error), 'bad_request');
    return;
  }
  const custom = Object.values(endpoints);
  if (custom.length > 0) {
    // Asked first, while the click's user gesture still counts; Chrome answers at once when the
    // access is already granted.
    const origins = [...new Set(custom.map(hostPattern))];
    let granted: boolean;
    try {
      granted = await chrome.permissions.request({ origins });
    } catch (error) {
      showError(ui.endpointsStatus, `Could not ask for access to ${origins.join(', ')}: ${errorText(error)}. Nothing was saved.`);
      return;
    }
    if (!granted) {
      showError(
        ui.endpointsStatus,
        `Keysmith was not allowed to contact ${origins.join(', ')}, so nothing was saved. Save again and choose "Allow" to use this endpoint.`,
        'permission_denied',
      );
      return;
    }
  }
  const previous = shown?.endpoints ?? {};
  await withProgress(
    ui.endpointsForm,
    () => showBusy(ui.endpointsStatus, 'Saving and checking the endpoints…'),
    async () => {
      const reply = await sendMessage({ type: 'settings.set', endpoints });
      if (!reply.ok) {
        showError(ui.endpointsStatus, describeErrorForUser(reply.error), reply.error.code);
        return;
      }
      render(reply.result);
      const saved = reply.result.endpoints;
      const rows: [string, string][] = [
        ['AWS', saved.aws ?? 'AWS itself'],
        ['Scaleway', saved.scaleway ?? 'https://api.scaleway.com'],
      ];
      const problems: string[] = [];
      for (const [name, origin] of [['AWS', saved.aws], ['Scaleway', saved.scaleway]] as const) {
        if (origin === undefined) {
          continue;
        }
        const answer = await checkEndpoint(origin);
        if (answer.reachable) {
          rows.push([`${name} check`, `${origin} ${answer.text}`]);
        } else {
          problems.push(
            `${name}: nothing answers at ${origin} (${answer.text}). Check that it is running and that the address and port are right.`,
          );
        }
      }
      const released = [
        previous.aws === undefined ? '' : await releaseHostPermission(previous.aws, [saved.aws, saved.scaleway]),
        previous.scaleway === undefined ? '' : await releaseHostPermission(previous.scaleway, [saved.aws, saved.scaleway]),
      ].join('');
      if (problems.length > 0) {
        showError(ui.endpointsStatus, `Saved, but: ${problems.join(' ')}`, 'endpoint_unreachable');
        return;
      }
      showSuccess(ui.endpointsStatus, 'Endpoints saved', rows, released === '' ? undefined : released.trim());
    },
  );
}

// ----- passphrase ---------------------------------------------------------------------------------

function showStrength(): void {
  const strength = estimateStrength(ui.changed.value);
  ui.meter.value = ui.changed.value === '' ? 0 : strength.level;
  ui.strength.dataset.level = String(strength.level);
  ui.strength.textContent = ui.changed.value === '' ? '' : strength.text;
}

async function changePassphrase(): Promise<void> {
  const fail = (input: HTMLInputElement, text: string): void => {
    markInvalid(input, true);
    showStatusText(ui.changeStatus, text, 'error');
  };
  for (const input of [ui.current, ui.changed, ui.repeat]) {
    input.setAttribute('aria-invalid', 'false');
  }
  if (ui.current.value === '') {
    fail(ui.current, 'Enter the current passphrase.');
    return;
  }
  if ([...ui.changed.value].length < MIN_NEW_PASSPHRASE) {
    fail(ui.changed, `Choose a new passphrase of at least ${MIN_NEW_PASSPHRASE} characters.`);
    return;
  }
  if (ui.repeat.value !== ui.changed.value) {
    fail(ui.repeat, 'The two new passphrases differ: type the new passphrase again in "Repeat".');
    return;
  }
  if (ui.changed.value === ui.current.value) {
    fail(ui.changed, 'The new passphrase is the same as the current one: choose another.');
    return;
  }
  const currentPassphrase = ui.current.value;
  const newPassphrase = ui.changed.value;
  const reply = await withProgress(
    ui.changeForm,
    () =>
      showStatusText(
        ui.changeStatus,
        'Changing the passphrase: checking the current one, then deriving the new key (Argon2id, a few seconds)…',
        'busy',
      ),
    () => sendMessage({ type: 'vault.changePassphrase', currentPassphrase, newPassphrase }),
    { slow: true },
  );
  if (!reply.ok) {
    const wrongCurrent = reply.error.code === 'wrong_passphrase';
    ui.current.value = '';
    fail(
      ui.current,
      wrongCurrent
        ? 'The current passphrase is wrong, so nothing was changed. Type it again (check Caps Lock).'
        : `${describeErrorForUser(reply.error)} The passphrase was not changed.`,
    );
    ui.changeStatus.dataset.errorCode = reply.error.code;
    return;
  }
  for (const input of [ui.current, ui.changed, ui.repeat]) {
    input.value = '';
  }
  showStrength();
  showStatusText(ui.changeStatus, 'Passphrase changed. Use the new one from now on; the old one no longer opens the vault.', 'ok');
}

// ----- vault file ---------------------------------------------------------------------------------

/** Downloads the vault file; reports in `target`. True once the file was handed to the browser. */
async function exportVaultFile(target: HTMLElement): Promise<boolean> {
  const reply = await sendMessage({ type: 'vault.exportFile' });
  if (!reply.ok) {
    showStatusText(target, describeErrorForUser(reply.error), 'error', reply.error.code);
    return false;
  }
  const url = URL.createObjectURL(new Blob([reply.result.text], { type: 'application/json' }));
  const link = h('a', { href: url, download: reply.result.fileName ?? 'keysmith-vault.json', hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  showStatusText(
    target,
    `Exported ${reply.result.fileName ?? 'the vault file'}. Import it on the other browser's Keysmith options page, with this vault's passphrase.`,
    'ok',
  );
  return true;
}

let pendingImport: { text: string; passphrase: string; fileName: string } | undefined;

function hideConfirm(): void {
  ui.confirm.hidden = true;
  ui.exportFirst.hidden = true;
  ui.exportFirstStatus.textContent = '';
  delete ui.exportFirstStatus.dataset.kind;
  pendingImport = undefined;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function formatTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * The replace question, saying exactly what would be lost: the entries in no vault file (added
 * since the last one, or all of them if there is none) and those changed since. `atRisk` is
 * false when the last vault file holds every entry as it is stored now.
 */
function replaceQuestion(fileName: string, state: VaultFileState): { text: string; atRisk: boolean } {
  const count = state.entryCount;
  if (count === 0) {
    return { text: `This browser already has a vault, with no entries. Importing ${fileName} replaces it; no entry is lost.`, atRisk: false };
  }
  const vault = `This browser already has a vault with ${plural(count, 'entry', 'entries')}`;
  const last = state.lastFile;
  const event =
    last === null
      ? ''
      : last.how === 'exported'
        ? `your last vault-file export (on ${formatTime(last.atMs)})`
        : `this vault was imported from a vault file (on ${formatTime(last.atMs)})`;
  if (last !== null && state.added === 0 && state.changed === 0) {
    return {
      text:
        `${vault}, all of them as they were ${last.how === 'exported' ? 'at' : 'when'} ${event}: none is missing from that file. ` +
        `Importing ${fileName} replaces the vault; importing that file again brings them back (with the passphrase the vault had then).`,
      atRisk: false,
    };
  }
  const { added, changed, addedSigners } = state;
  const signers =
    addedSigners === null || addedSigners === 0
      ? ''
      : addedSigners === added
        ? added === 1 ? ' (a signer identity)' : ' (all signer identities)'
        : addedSigners === 1 ? ' (one of them a signer identity)' : ` (${addedSigners} of them signer identities)`;
  let situation: string;
  if (last === null) {
    situation = `it was never exported as a vault file, so ${count === 1 ? 'that entry' : `all ${count}`}${signers} exist${count === 1 ? 's' : ''} nowhere else`;
  } else {
    const clauses: string[] = [];
    if (added > 0) {
      const which = added === count ? (count === 1 ? 'it' : `all ${count}`) : `${added} of them`;
      clauses.push(`${which}${signers} ${added === 1 ? 'was' : 'were'} added after ${event} and exist${added === 1 ? 's' : ''} nowhere else`);
    }
    if (changed > 0) {
      clauses.push(
        `${plural(changed, 'entry was', 'entries were')} changed ${added > 0 ? 'since' : `after ${event}`} (the file holds the older version)`,
      );
    }
    situation = clauses.join(', and ');
  }
  const lost = [
    added > 0 ? `${added === 1 ? 'that entry is' : 'those entries are'} lost, though ${added === 1 ? 'its key stays' : 'their keys stay'} active at the provider` : '',
    changed > 0 ? `${changed === 1 ? 'that change is' : 'those changes are'} lost` : '',
  ].filter((part) => part !== '');
  return {
    text: `${vault}; ${situation}. Importing ${fileName} replaces the vault: ${lost.join(', and ')}. Export this vault first, or keep it.`,
    atRisk: true,
  };
}

/** Shows (or updates) the question for the pending import; false when there is no vault here. */
async function showReplaceQuestion(fileName: string): Promise<boolean> {
  const reply = await sendMessage({ type: 'vault.fileState' });
  if (reply.ok && !reply.result.exists) {
    return false;
  }
  // Counts unknown: assume the worst, and offer the export all the same.
  const question = reply.ok
    ? replaceQuestion(fileName, reply.result)
    : {
        text:
          `This browser already has a vault, and Keysmith could not tell which of its entries are in a vault file (${describeErrorForUser(reply.error)}). ` +
          `Importing ${fileName} replaces the vault: entries in no vault file are lost, though their keys stay active at the provider. Export this vault first, or keep it.`,
        atRisk: true,
      };
  ui.confirmText.textContent = question.text;
  ui.confirm.dataset.atRisk = String(question.atRisk);
  ui.exportFirst.hidden = !question.atRisk;
  return true;
}

async function startImport(): Promise<void> {
  hideConfirm();
  ui.file.setAttribute('aria-invalid', 'false');
  ui.filePassphrase.setAttribute('aria-invalid', 'false');
  const file = ui.file.files?.[0];
  if (file === undefined) {
    markInvalid(ui.file, true);
    showError(ui.importStatus, 'Choose the vault file to import.');
    return;
  }
  if (ui.filePassphrase.value === '') {
    markInvalid(ui.filePassphrase, true);
    showError(ui.importStatus, 'Enter the passphrase of the exported vault.');
    return;
  }
  let text: string;
  try {
    text = await file.text();
  } catch (error) {
    showError(ui.importStatus, `Could not read ${file.name}: ${errorText(error)}. Choose the file again.`);
    return;
  }
  const passphrase = ui.filePassphrase.value;
  if (await showReplaceQuestion(file.name)) {
    pendingImport = { text, passphrase, fileName: file.name };
    // A result from an earlier attempt would read as the answer to this question.
    ui.importStatus.hidden = true;
    ui.confirm.hidden = false;
    ui.replace.focus();
    return;
  }
  // No vault here (the worker refuses to replace one without replace: true).
  await sendImport(text, passphrase, false);
}

let exportingFirst = false;

/** "Export this vault first": the export, then the question again, now with what it holds. */
async function exportBeforeReplace(): Promise<void> {
  const pending = pendingImport;
  if (pending === undefined || exportingFirst) {
    return;
  }
  // Not disabled while it runs: a disabled button drops the keyboard focus out of the question.
  exportingFirst = true;
  try {
    if (!(await exportVaultFile(ui.exportFirstStatus))) {
      return;
    }
    if (pendingImport === pending && (await showReplaceQuestion(pending.fileName))) {
      // The question changed under the user's eyes: read it out from the top.
      ui.confirmText.focus();
    }
  } finally {
    exportingFirst = false;
  }
}

async function sendImport(text: string, passphrase: string, replace: boolean): Promise<void> {
  const reply = await withProgress(
    ui.importForm,
    () => showBusy(ui.importStatus, 'Checking the vault file: opening every entry with its passphrase (Argon2id, a few seconds)…'),
    () => sendMessage({ type: 'vault.importFile', text, passphrase, replace }),
    { slow: true },
  );
  // Whatever the answer, the passphrase leaves the page: a retry types it again, as after a
  // refused passphrase change (the leak audit finds a passphrase left in an open page).
  ui.filePassphrase.value = '';
  if (!reply.ok) {
    reportImportError(reply.error);
    return;
  }
  ui.file.value = '';
  showSuccess(
    ui.importStatus,
    'Vault imported',
    [
      ['Entries', String(reply.result.imported)],
      ['State', 'unlocked with the file\'s passphrase'],
    ],
    'From now on this browser\'s vault opens with the passphrase of the imported vault.',
  );
}

function reportImportError(error: ErrorInfo): void {
  if (error.code === 'wrong_passphrase') {
    markInvalid(ui.filePassphrase, true);
    showError(
      ui.importStatus,
      'That is not the passphrase of the exported vault, so nothing was imported. Enter the passphrase the vault had when it was exported.',
      error.code,
    );
    return;
  }
  showError(ui.importStatus, describeErrorForUser(error), error.code);
}

// ----- start --------------------------------------------------------------------------------------

function reportUnexpected(target: HTMLElement): (error: unknown) => void {
  return (error) => {
    console.error('Keysmith options:', error);
    showStatusText(target, `Unexpected error: ${errorText(error)}. Reload the page and try again.`, 'error');
  };
}

function onSubmit(form: HTMLFormElement, run: () => Promise<void>, target: HTMLElement): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run().catch(reportUnexpected(target));
  });
}

export function initSettings(): void {
  ui.region.replaceChildren(...EC2_REGIONS.map((region) => h('option', { value: region }, region)));
  onSubmit(ui.autoLockForm, saveAutoLock, ui.autoLockStatus);
  onSubmit(ui.clipboardForm, saveClipboard, ui.clipboardStatus);
  onSubmit(ui.defaultsForm, saveDefaults, ui.defaultsStatus);
  onSubmit(ui.endpointsForm, saveEndpoints, ui.endpointsStatus);
  onSubmit(ui.changeForm, changePassphrase, ui.changeStatus);
  onSubmit(ui.importForm, startImport, ui.importStatus);
  ui.changed.addEventListener('input', showStrength);
  ui.exportButton.addEventListener('click', () => {
    exportVaultFile(ui.exportStatus)
      .then(async (exported) => {
        const pending = pendingImport;
        // A replace question on screen now counts this export too.
        if (exported && pending !== undefined) {
          await showReplaceQuestion(pending.fileName);
        }
      })
      .catch(reportUnexpected(ui.exportStatus));
  });
  ui.exportFirst.addEventListener('click', () => {
    exportBeforeReplace().catch(reportUnexpected(ui.exportFirstStatus));
  });
  ui.replace.addEventListener('click', () => {
    const pending = pendingImport;
    hideConfirm();
    if (pending !== undefined) {
      sendImport(pending.text, pending.passphrase, true).catch(reportUnexpected(ui.importStatus));
    }
  });
  const keep = (): void => {
    hideConfirm();
    ui.filePassphrase.value = '';
    showStatusText(ui.importStatus, 'Nothing was imported: the vault here is unchanged.', 'ok');
    ui.importButton.focus();
  };
  ui.keep.addEventListener('click', keep);
  // Escape answers the question the safe way, as a dialog's would.
  ui.confirm.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      keep();
    }
  });
  // Another options window (or the popup) changed a setting: show what is stored now.
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && changes[STORAGE.settings] !== undefined) {
      loadSettings().catch(reportUnexpected(ui.autoLockStatus));
    }
  });
  loadSettings().catch(reportUnexpected(ui.autoLockStatus));
}
