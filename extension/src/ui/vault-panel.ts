// The popup's vault panel: first-run creation, unlock and lock, the list of entries with export
// (shown for 30 s), delete with undo, import. Auto-lock and the passphrase change are on the
// options page (options-settings.ts). Passphrases and exported text live in form fields only as
// long as they are needed, then the fields are cleared; nothing here logs a value.

import {
  type ErrorInfo,
  EXPORT_FORMATS_BY_KIND,
  type ExportFormat,
  type ExportOptions,
  MIN_NEW_PASSPHRASE,
  STORAGE,
  type VaultList,
  type VaultListItem,
  type VaultStatus,
  sendMessage,
} from '../shared/messages.js';
import { confirmation, element, errorText, h } from './dom.js';
import { describeErrorForUser, sentence } from './error-text.js';
import { estimateStrength } from './strength.js';
import { scalewayExportOptions } from './scaleway.js';
import { clipboardClearSeconds, copyAndClearLater, describeClear } from './clipboard.js';
import { showLinkedEntry } from './entry-link.js';
import { DEFAULT_KDF, describeKdfCost } from './kdf-text.js';

const EXPORT_VISIBLE_SECONDS = 30;
const REVEAL_VISIBLE_SECONDS = 30;
/** An entry expiring within this many days gets an "expires in N days" badge. */
const EXPIRY_WARNING_DAYS = 7;
const DAY_MS = 86_400_000;
/** Anything slower than this shows progress (a cold service worker must load the core first). */
const PROGRESS_DELAY_MS = 200;
const EXPORT_PROFILE = /^[\w.+@-]{1,64}$/;

const FORMAT_LABELS: Record<ExportFormat, string> = {
  'aws-credentials': '~/.aws/credentials profile',
  'aws-configure': 'aws configure set commands',
  'aws-env': 'export AWS_… lines',
  'aws-csv': 'Console CSV (aws configure import)',
  'scaleway-config': 'Scaleway config.yaml profile',
  'scaleway-env': 'export SCW_… lines',
  'scaleway-s3': 'Object Storage profile (AWS CLI, S3 endpoint)',
  pem: 'Private key (.pem)',
  'ssh-public-key': 'Public key (authorized_keys line)',
  secret: 'Secret',
};
const FORMATS_WITH_PROFILE: readonly ExportFormat[] = ['aws-credentials', 'aws-configure', 'scaleway-config', 'scaleway-s3'];

const KIND_LABELS: Record<string, string> = {
  aws_access_key: 'access key',
  aws_temporary_credentials: 'temporary credentials',
  ec2_key_pair: 'EC2 key pair',
  scaleway_api_key: 'API key',
};

const ui = {
  state: element('vault-state', HTMLParagraphElement),
  lock: element('lock-vault', HTMLButtonElement),
  setupForm: element('setup-form', HTMLFormElement),
  newPassphrase: element('new-passphrase', HTMLInputElement),
  repeatPassphrase: element('repeat-passphrase', HTMLInputElement),
  strength: element('passphrase-strength', HTMLParagraphElement),
  kdfCost: element('kdf-cost', HTMLParagraphElement),
  createVault: element('create-vault', HTMLButtonElement),
  unlockForm: element('unlock-form', HTMLFormElement),
  unlockPassphrase: element('unlock-passphrase', HTMLInputElement),
  unlockCost: element('unlock-cost', HTMLParagraphElement),
  unlock: element('unlock-vault', HTMLButtonElement),
  progress: element('vault-progress', HTMLDivElement),
  progressText: element('vault-progress-text', HTMLSpanElement),
  error: element('vault-error', HTMLParagraphElement),
  entriesPanel: element('entries-panel', HTMLDivElement),
  entryCount: element('entry-count', HTMLSpanElement),
  undoBar: element('undo-bar', HTMLParagraphElement),
  undoText: element('undo-text', HTMLSpanElement),
  undo: element('undo-delete', HTMLButtonElement),
  exportProfile: element('export-profile', HTMLInputElement),
  list: element('entry-list', HTMLUListElement),
  search: element('entry-search', HTMLInputElement),
  searchStatus: element('search-status', HTMLParagraphElement),
  empty: element('entries-empty', HTMLParagraphElement),
  listStatus: element('list-status', HTMLParagraphElement),
  deletedSection: element('deleted-section', HTMLDetailsElement),
  deletedCount: element('deleted-count', HTMLSpanElement),
  deletedList: element('deleted-list', HTMLUListElement),
  importForm: element('import-form', HTMLFormElement),
  importText: element('import-text', HTMLTextAreaElement),
  importButton: element('import-entries', HTMLButtonElement),
  importStatus: element('import-status', HTMLParagraphElement),
};

let current: VaultStatus | undefined;
/** The entry deleted last from this popup, which the undo bar restores. */
let lastDeleted: { storageKey: string; title: string } | undefined;
/** Cancels the timers of export panels that are open; run before the list is rebuilt. */
const exportCleanups = new Set<() => void>();
/** What the search box matches for each listed entry (metadata only, never a secret). */
const searchIndex = new Map<HTMLLIElement, string>();

// ----- small helpers -----------------------------------------------------------------------------

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function setInlineStatus(target: HTMLElement, text: string, kind: 'ok' | 'error' | 'busy'): void {
  target.dataset.kind = kind;
  target.textContent = text;
}

/** Runs one request for the list; says "label…" in the list's status if it takes over 200 ms. */
async function withListProgress<T>(label: string, run: () => Promise<T>): Promise<T> {
  const timer = setTimeout(() => setInlineStatus(ui.listStatus, `${label}…`, 'busy'), PROGRESS_DELAY_MS);
  ui.list.setAttribute('aria-busy', 'true');
  try {
    return await run();
  } finally {
    clearTimeout(timer);
    ui.list.removeAttribute('aria-busy');
    if (ui.listStatus.dataset.kind === 'busy') {
      setInlineStatus(ui.listStatus, '', 'ok');
    }
  }
}

function showVaultError(text: string, code?: string): void {
  ui.error.hidden = false;
  ui.error.textContent = text;
  if (code === undefined) {
    delete ui.error.dataset.errorCode;
  } else {
    ui.error.dataset.errorCode = code;
  }
}

function clearVaultError(): void {
  ui.error.hidden = true;
  ui.error.textContent = '';
  delete ui.error.dataset.errorCode;
}

function describeVaultError(error: ErrorInfo): string {
  return describeErrorForUser(error);
}

/**
 * Shows that a slow step (Argon2id) is running: an indeterminate bar, and the seconds elapsed
 * (not announced every tick; the label is). Returns the function that hides it again.
 */
function startProgress(label: string): () => void {
  const started = performance.now();
  ui.progress.hidden = false;
  ui.progress.setAttribute('aria-busy', 'true');
  const elapsed = h('span', { class: 'elapsed', 'aria-hidden': 'true' });
  ui.progressText.replaceChildren(`${label}… `, elapsed);
  const tick = () => {
    elapsed.textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`;
  };
  tick();
  const timer = setInterval(tick, 100);
  return () => {
    clearInterval(timer);
    ui.progress.hidden = true;
    ui.progress.removeAttribute('aria-busy');
    ui.progressText.replaceChildren();
  };
}

function setBusy(form: HTMLFormElement, busy: boolean): void {
  form.setAttribute('aria-busy', String(busy));
  for (const control of form.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLTextAreaElement>(
    'button, input, textarea',
  )) {
    control.disabled = busy;
  }
}

function showStrength(input: HTMLInputElement, target: HTMLElement): void {
  const strength = estimateStrength(input.value);
  target.dataset.level = String(strength.level);
  target.textContent = input.value === '' ? '' : strength.text;
}

/** Checks a new passphrase and its repetition; says what is wrong and returns undefined. */
function readNewPassphrase(
  first: HTMLInputElement,
  second: HTMLInputElement,
  report: (text: string) => void,
): string | undefined {
  const passphrase = first.value;
  if ([...passphrase].length < MIN_NEW_PASSPHRASE) {
    first.setAttribute('aria-invalid', 'true');
    report(`Choose a passphrase of at least ${MIN_NEW_PASSPHRASE} characters.`);
    first.focus();
    return undefined;
  }
  first.setAttribute('aria-invalid', 'false');
  if (second.value !== passphrase) {
    second.setAttribute('aria-invalid', 'true');
    second.value = '';
    report('The two passphrases differ: type the passphrase again in "Repeat".');
    second.focus();
    return undefined;
  }
  second.setAttribute('aria-invalid', 'false');
  return passphrase;
}

// ----- status ------------------------------------------------------------------------------------

function stateText(status: VaultStatus): string {
  if (!status.exists) {
    return 'Vault: not set up yet';
  }
  const entries = plural(status.entryCount, 'entry', 'entries');
  if (!status.unlocked) {
    return `Vault: locked · ${entries}`;
  }
  return `Vault: unlocked · ${entries} · locks after ${status.autoLockMinutes} min idle`;
}

function render(status: VaultStatus): void {
  const wasUnlocked = current?.unlocked === true;
  current = status;
  ui.state.textContent = stateText(status);
  ui.state.dataset.state = !status.exists ? 'none' : status.unlocked ? 'unlocked' : 'locked';
  ui.setupForm.hidden = status.exists;
  ui.unlockForm.hidden = !status.exists || status.unlocked;
  ui.lock.hidden = !status.unlocked;
  ui.entriesPanel.hidden = !status.unlocked;
  const cost = describeKdfCost(status.kdf ?? DEFAULT_KDF);
  ui.kdfCost.textContent =
    `Unlocking derives the vault key with ${cost}: deliberately slow (under a second to a few seconds, ` +
    'depending on the computer), and as slow for anyone trying to guess the passphrase.';
  ui.unlockCost.textContent = `Key derivation: ${cost}.`;
  if (!status.unlocked) {
    // Locked: nothing read from the vault stays on screen.
    clearEntries();
    ui.undoBar.hidden = true;
    lastDeleted = undefined;
  }
  if (wasUnlocked && !status.unlocked && status.exists) {
    ui.unlockPassphrase.focus();
  }
}

/** Asks the worker for the vault's state, shows it, and lists the entries if unlocked. */
export async function refreshVault(): Promise<void> {
  const reply = await sendMessage({ type: 'vault.status' });
  if (!reply.ok) {
    showVaultError(describeVaultError(reply.error), reply.error.code);
    return;
  }
  render(reply.result);
  if (reply.result.unlocked) {
    await loadEntries();
  }
}

/** A reply saying "locked" means the vault locked itself meanwhile: show that. */
async function handleLocked(error: ErrorInfo): Promise<boolean> {
  if (error.code !== 'locked') {
    return false;
  }
  await refreshVault();
  showVaultError('The vault locked itself (idle time-out). Unlock it to continue.', error.code);
  return true;
}

// ----- create, unlock, lock ----------------------------------------------------------------------

async function createVault(): Promise<void> {
  clearVaultError();
  const passphrase = readNewPassphrase(ui.newPassphrase, ui.repeatPassphrase, (text) => showVaultError(text));
  if (passphrase === undefined) {
    return;
  }
  setBusy(ui.setupForm, true);
  const stop = startProgress('Creating the vault: deriving its key with Argon2id');
  let reply;
  try {
    reply = await sendMessage({ type: 'vault.create', passphrase });
  } finally {
    stop();
    ui.newPassphrase.value = '';
    ui.repeatPassphrase.value = '';
    showStrength(ui.newPassphrase, ui.strength);
    setBusy(ui.setupForm, false);
  }
  if (!reply.ok) {
    showVaultError(describeVaultError(reply.error), reply.error.code);
    ui.newPassphrase.focus();
    return;
  }
  render(reply.result);
  await loadEntries();
  setInlineStatus(ui.listStatus, 'Vault created and unlocked.', 'ok');
}

async function unlockVault(): Promise<void> {
  clearVaultError();
  const passphrase = ui.unlockPassphrase.value;
  if (passphrase === '') {
    ui.unlockPassphrase.setAttribute('aria-invalid', 'true');
    showVaultError('Enter your passphrase.');
    ui.unlockPassphrase.focus();
    return;
  }
  setBusy(ui.unlockForm, true);
  const stop = startProgress('Unlocking: deriving the key with Argon2id');
  let reply;
  try {
    reply = await sendMessage({ type: 'vault.unlock', passphrase });
  } finally {
    stop();
    ui.unlockPassphrase.value = '';
    setBusy(ui.unlockForm, false);
  }
  if (!reply.ok) {
    ui.unlockPassphrase.setAttribute('aria-invalid', String(reply.error.code === 'wrong_passphrase'));
    showVaultError(describeVaultError(reply.error), reply.error.code);
    ui.unlockPassphrase.focus();
    return;
  }
  ui.unlockPassphrase.setAttribute('aria-invalid', 'false');
  render(reply.result);
  await loadEntries();
  ui.list.querySelector<HTMLElement>('select, button')?.focus();
}

async function lockVault(): Promise<void> {
  clearVaultError();
  const reply = await sendMessage({ type: 'vault.lock' });
  if (!reply.ok) {
    showVaultError(describeVaultError(reply.error), reply.error.code);
    return;
  }
  render(reply.result);
}

// ----- the list ----------------------------------------------------------------------------------

function clearEntries(): void {
  for (const cleanup of exportCleanups) {
    cleanup();
  }
  exportCleanups.clear();
  searchIndex.clear();
  ui.list.replaceChildren();
  ui.deletedList.replaceChildren();
  ui.deletedSection.hidden = true;
  ui.empty.hidden = true;
  ui.entryCount.textContent = '';
}

async function loadEntries(): Promise<void> {
  const reply = await sendMessage({ type: 'vault.list' });
  if (!reply.ok) {
    if (!(await handleLocked(reply.error))) {
      setInlineStatus(ui.listStatus, describeVaultError(reply.error), 'error');
    }
    return;
  }
  renderEntries(reply.result);
}

type Listed = Extract<VaultListItem, { id: string }>;

function entryTitle(item: Listed): string {
  return item.accessKeyId ?? item.keyName ?? item.accessKey ?? item.id;
}

function describeForDelete(item: Listed): string {
  const who = item.userName ?? item.keyName ?? item.description ?? undefined;
  return who === undefined || who === null ? entryTitle(item) : `${entryTitle(item)} (${who})`;
}

function formatDate(text: string | null | undefined, fallbackMs: number): string {
  const date = new Date(text ?? fallbackMs);
  if (Number.isNaN(date.getTime())) {
    return text ?? '';
  }
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function metaRows(item: Listed): [string, string][] {
  const rows: [string, string][] = [];
  const add = (term: string, value: string | null | undefined) => {
    if (value !== undefined && value !== null && value !== '') {
      rows.push([term, value]);
    }
  };
  add('User', item.userName);
  add('Account', item.accountId);
  add('Region', item.region);
  add('Project', item.defaultProjectId);
  add('Expires', item.expiration ?? item.expiresAt);
  add('Description', item.description);
  add('Created', formatDate(item.created, item.createdMs));
  return rows;
}

function renderEntries(list: VaultList): void {
  clearEntries();
  ui.entryCount.textContent = `(${list.entries.length})`;
  ui.empty.hidden = list.entries.length > 0;
  for (const item of list.entries) {
    if ('error' in item) {
      ui.list.append(damagedItem(item));
    } else {
      const li = entryItem(item);
      searchIndex.set(li, searchText(item));
      ui.list.append(li);
    }
  }
  applySearch();
  const restorable = list.deleted.filter((item): item is Listed => !('error' in item));
  ui.deletedSection.hidden = restorable.length === 0;
  ui.deletedCount.textContent = String(restorable.length);
  for (const item of restorable) {
    ui.deletedList.append(deletedItem(item));
  }
  if (current !== undefined && current.entryCount !== list.entries.length) {
    render({ ...current, entryCount: list.entries.length });
  }
  showLinkedEntry(ui.list);
}

function damagedItem(item: Extract<VaultListItem, { error: ErrorInfo }>): HTMLLIElement {
  return h(
    'li',
    { class: 'entry damaged', 'data-storage-key': item.storageKey },
    h('p', { class: 'entry-head' }, h('span', { class: 'badge' }, 'Unreadable'), ` ${item.storageKey}`),
    h('p', { class: 'hint' }, sentence(item.error.message)),
  );
}

function entryHead(item: Listed): HTMLElement {
  const provider = item.provider === 'aws' ? 'AWS' : 'Scaleway';
  return h(
    'p',
    { class: 'entry-head' },
    h('span', { class: 'badge' }, provider),
    ' ',
    h('span', { class: 'kind' }, KIND_LABELS[item.kind] ?? item.kind),
    ' ',
    h('span', { class: 'entry-title' }, entryTitle(item)),
    expiryBadge(item, Date.now()),
  );
}

/**
 * "expired" once the entry's expiry has passed at `nowMs` (the popup's clock, read by the
 * caller), "expires in N days" within a week of it; nothing otherwise.
 */
export function expiryBadge(item: Listed, nowMs: number): HTMLElement | undefined {
  const text = item.expiresAt ?? item.expiration;
  const at = text === undefined || text === null ? Number.NaN : Date.parse(text);
  if (Number.isNaN(at)) {
    return undefined;
  }
  if (at <= nowMs) {
    return h('span', { class: 'badge expired' }, 'expired');
  }
  const days = Math.ceil((at - nowMs) / DAY_MS);
  if (days > EXPIRY_WARNING_DAYS) {
    return undefined;
  }
  return h('span', { class: 'badge expiring' }, days === 1 ? 'expires within a day' : `expires in ${days} days`);
}

// ----- search ------------------------------------------------------------------------------------

/** Provider, kind, account/Organization/Project, user/bearer, key id, description, region. */
function searchText(item: Listed): string {
  return [
    item.provider === 'aws' ? 'AWS' : 'Scaleway',
    KIND_LABELS[item.kind] ?? item.kind,
    item.accessKeyId,
    item.accessKey,
    item.keyName,
    item.keyPairId,
    item.userName,
    item.accountId,
    item.organizationId,
    item.defaultProjectId,
    item.description,
    item.region,
  ]
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .join(' ')
    .toLowerCase();
}

/** Hides the entries that do not contain every word typed in the search box. */
function applySearch(): void {
  const words = ui.search.value.toLowerCase().split(/\s+/).filter((word) => word !== '');
  let shown = 0;
  for (const [li, text] of searchIndex) {
    const match = words.every((word) => text.includes(word));
    li.hidden = !match;
    if (match) {
      shown += 1;
    }
  }
  if (words.length === 0) {
    ui.searchStatus.textContent = '';
  } else if (shown === 0) {
    ui.searchStatus.textContent = `No entry matches "${ui.search.value.trim()}".`;
  } else {
    ui.searchStatus.textContent = `${shown} of ${plural(searchIndex.size, 'entry', 'entries')} ${shown === 1 ? 'matches' : 'match'}.`;
  }
}

function metaList(item: Listed): HTMLDListElement {
  const list = h('dl', { class: 'entry-meta' });
  for (const [term, value] of metaRows(item)) {
    list.append(h('dt', {}, term), h('dd', {}, value));
  }
  return list;
}

function entryItem(item: Listed): HTMLLIElement {
  const title = entryTitle(item);
  const formats = EXPORT_FORMATS_BY_KIND[item.kind] ?? [];
  const selectId = `format-${item.id}`;
  const outputId = `export-${item.id}`;

  const select = h('select', { id: selectId });
  for (const format of formats) {
    select.append(h('option', { value: format }, FORMAT_LABELS[format]));
  }
  const exportButton = h('button', { type: 'button', 'aria-label': `Export ${title}` }, 'Export');
  const deleteButton = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${title}` }, 'Delete');
  const revealButton = h('button', { type: 'button', class: 'secondary', 'aria-label': `Reveal the secret of ${title}` }, 'Reveal');
  const copySecretButton = h(
    'button',
    { type: 'button', class: 'secondary', 'aria-label': `Copy secret of ${title}` },
    'Copy secret',
  );
  const revealed = h('code', { class: 'revealed', id: `secret-${item.id}` });
  const revealCountdown = h('span', { class: 'countdown', 'aria-hidden': 'true' });
  const revealHide = h('button', { type: 'button', class: 'secondary', 'aria-label': `Hide the secret of ${title}` }, 'Hide');
  const reveal = h(
    'div',
    { class: 'reveal-panel', role: 'group', 'aria-label': `Secret of ${title}`, hidden: true },
    revealed,
    h('div', { class: 'actions' }, revealHide, revealCountdown),
  );

  // autocomplete=off: Chromium then keeps the field out of the form state it saves to disk for
  // session restore (the leak audit found exported secrets in the profile's Sessions files).
  const output = h('textarea', { id: outputId, readonly: true, rows: '4', spellcheck: 'false', autocomplete: 'off' });
  const countdown = h('span', { class: 'countdown', 'aria-hidden': 'true' });
  const copyButton = h('button', { type: 'button', class: 'secondary' }, 'Copy');
  const hideButton = h('button', { type: 'button', class: 'secondary' }, 'Hide');
  const panelStatus = h('p', { class: 'inline-status', role: 'status', 'aria-live': 'polite' });
  const outputLabel = h('label', { for: outputId }, `Exported ${title}`);
  const panel = h(
    'div',
    { class: 'export-panel', hidden: true },
    outputLabel,
    output,
    h('div', { class: 'actions' }, copyButton, hideButton, countdown),
    panelStatus,
  );

  const confirm = confirmation(deleteButton, {
    label: `Confirm deleting ${title}`,
    question: `Delete ${describeForDelete(item)} from the vault? You can undo this until the browser closes.`,
    confirmText: 'Delete entry',
    onConfirm: () => {
      void deleteEntry(item).catch(reportUnexpected);
    },
  });

  const li = h(
    'li',
    { class: 'entry', 'data-storage-key': item.storageKey, 'data-entry-id': item.id },
    entryHead(item),
    metaList(item),
    h(
      'div',
      { class: 'entry-actions' },
      h('label', { for: selectId, class: 'visually-hidden' }, `Export format for ${title}`),
      select,
      exportButton,
      revealButton,
      copySecretButton,
      deleteButton,
    ),
    reveal,
    panel,
    confirm,
  );

  let timer: ReturnType<typeof setInterval> | undefined;
  const hide = (note?: string) => {
    if (timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
    output.value = '';
    panel.hidden = true;
    countdown.textContent = '';
    exportCleanups.delete(hide);
    if (note !== undefined) {
      setInlineStatus(ui.listStatus, note, 'ok');
    }
  };

  exportButton.addEventListener('click', () => {
    const format = select.value as ExportFormat;
    const options: ExportOptions = {};
    if (FORMATS_WITH_PROFILE.includes(format)) {
      const profile = ui.exportProfile.value.trim();
      if (!EXPORT_PROFILE.test(profile)) {
        ui.exportProfile.setAttribute('aria-invalid', 'true');
        setInlineStatus(ui.listStatus, 'The profile name may contain only letters, digits and _.+@- (at most 64).', 'error');
        ui.exportProfile.focus();
        return;
      }
      ui.exportProfile.setAttribute('aria-invalid', 'false');
      options.profile = profile;
    }
    if (format === 'scaleway-config' || format === 'scaleway-env' || format === 'scaleway-s3') {
      Object.assign(options, scalewayExportOptions());
    }
    void (async () => {
      const reply = await withListProgress(`Exporting ${title}`, () =>
        sendMessage({ type: 'vault.export', storageKey: item.storageKey, format, options }),
      );
      if (!reply.ok) {
        if (!(await handleLocked(reply.error))) {
          setInlineStatus(ui.listStatus, describeVaultError(reply.error), 'error');
        }
        return;
      }
      hide();
      setInlineStatus(ui.listStatus, '', 'ok');
      output.value = reply.result.text;
      output.dataset.format = format;
      outputLabel.textContent = `${FORMAT_LABELS[format]} for ${title}${
        reply.result.fileName === null ? '' : ` (save as ${reply.result.fileName}, then chmod 400 ${reply.result.fileName})`
      }`;
      panel.hidden = false;
      panelStatus.textContent = `Shown for ${EXPORT_VISIBLE_SECONDS} seconds.`;
      let left = EXPORT_VISIBLE_SECONDS;
      countdown.textContent = `Hides in ${left} s`;
      timer = setInterval(() => {
        left -= 1;
        countdown.textContent = `Hides in ${left} s`;
        if (left <= 0) {
          hide(`The exported text of ${title} was hidden after ${EXPORT_VISIBLE_SECONDS} seconds.`);
        }
      }, 1000);
      exportCleanups.add(hide);
      output.focus();
      output.select();
    })().catch(reportUnexpected);
  });

  copyButton.addEventListener('click', () => {
    copyAndClearLater(output.value, (outcome) => setInlineStatus(ui.listStatus, describeClear(outcome), 'ok')).then(
      () => {
        panelStatus.textContent = `Copied. ${copiedNote()}`;
      },
      (error: unknown) => {
        panelStatus.textContent = `Could not copy (${errorText(error)}): select the text and press Ctrl+C.`;
      },
    );
  });

  // Reveal: the bare secret, shown for 30 s, then removed from the page.
  let revealTimer: ReturnType<typeof setInterval> | undefined;
  const hideSecret = (note?: string) => {
    if (revealTimer !== undefined) {
      clearInterval(revealTimer);
      revealTimer = undefined;
    }
    revealed.textContent = '';
    revealCountdown.textContent = '';
    reveal.hidden = true;
    exportCleanups.delete(hideSecret);
    if (note !== undefined) {
      setInlineStatus(ui.listStatus, note, 'ok');
    }
  };
  revealButton.addEventListener('click', () => {
    void (async () => {
      const secret = await readSecret(item);
      if (secret === undefined) {
        return;
      }
      hideSecret();
      revealed.textContent = secret;
      reveal.hidden = false;
      let left = REVEAL_VISIBLE_SECONDS;
      revealCountdown.textContent = `Hides in ${left} s`;
      revealTimer = setInterval(() => {
        left -= 1;
        revealCountdown.textContent = `Hides in ${left} s`;
        if (left <= 0) {
          hideSecret(`The secret of ${title} was hidden again after ${REVEAL_VISIBLE_SECONDS} seconds.`);
        }
      }, 1000);
      exportCleanups.add(hideSecret);
      // The on-screen time is fixed; the options page's timeout is for the clipboard only.
      setInlineStatus(
        ui.listStatus,
        `The secret of ${title} is shown for ${REVEAL_VISIBLE_SECONDS} seconds (a fixed time: the options page's timeout is for the clipboard).`,
        'ok',
      );
      revealHide.focus();
    })().catch(reportUnexpected);
  });
  revealHide.addEventListener('click', () => {
    hideSecret();
    revealButton.focus();
  });
  copySecretButton.addEventListener('click', () => {
    void (async () => {
      const secret = await readSecret(item);
      if (secret === undefined) {
        return;
      }
      try {
        await copyAndClearLater(secret, (outcome) => setInlineStatus(ui.listStatus, describeClear(outcome), 'ok'));
      } catch (error) {
        setInlineStatus(ui.listStatus, `Could not copy (${errorText(error)}): use Reveal and copy it by hand.`, 'error');
        return;
      }
      setInlineStatus(ui.listStatus, `Copied the secret of ${title}. ${copiedNote()}`, 'ok');
    })().catch(reportUnexpected);
  });
  hideButton.addEventListener('click', () => {
    hide();
    exportButton.focus();
  });

  return li;
}

/** Said after a copy: the clipboard timeout from the options page, and its limit. */
function copiedNote(): string {
  return (
    `Keysmith clears the clipboard in ${clipboardClearSeconds()} seconds if it still holds this, ` +
    'but only while this popup stays open: once it closes, copy something else over it yourself.'
  );
}

/** The entry's bare secret from the worker (vault.export "secret"), or undefined (reported). */
async function readSecret(item: Listed): Promise<string | undefined> {
  const reply = await withListProgress(`Opening the entry ${entryTitle(item)}`, () =>
    sendMessage({ type: 'vault.export', storageKey: item.storageKey, format: 'secret' }),
  );
  if (!reply.ok) {
    if (!(await handleLocked(reply.error))) {
      setInlineStatus(ui.listStatus, describeVaultError(reply.error), 'error');
    }
    return undefined;
  }
  return reply.result.text;
}

function deletedItem(item: Listed): HTMLLIElement {
  const title = entryTitle(item);
  const restore = h('button', { type: 'button', class: 'secondary', 'aria-label': `Restore ${title}` }, 'Restore');
  restore.addEventListener('click', () => {
    void restoreEntry(item.storageKey, describeForDelete(item)).catch(reportUnexpected);
  });
  return h(
    'li',
    { class: 'entry deleted', 'data-storage-key': item.storageKey },
    entryHead(item),
    h('div', { class: 'entry-actions' }, restore),
  );
}

async function deleteEntry(item: Listed): Promise<void> {
  const reply = await withListProgress(`Deleting ${entryTitle(item)}`, () =>
    sendMessage({ type: 'vault.delete', storageKey: item.storageKey }),
  );
  if (!reply.ok) {
    if (!(await handleLocked(reply.error))) {
      setInlineStatus(ui.listStatus, describeVaultError(reply.error), 'error');
    }
    return;
  }
  lastDeleted = { storageKey: item.storageKey, title: describeForDelete(item) };
  ui.undoText.textContent = `Deleted ${lastDeleted.title}.`;
  ui.undoBar.hidden = false;
  setInlineStatus(ui.listStatus, '', 'ok');
  await loadEntries();
  ui.undo.focus();
}

async function restoreEntry(storageKey: string, title: string): Promise<void> {
  const reply = await withListProgress(`Restoring ${title}`, () => sendMessage({ type: 'vault.restore', storageKey }));
  if (!reply.ok) {
    setInlineStatus(ui.listStatus, describeVaultError(reply.error), 'error');
    return;
  }
  if (lastDeleted?.storageKey === storageKey) {
    lastDeleted = undefined;
    ui.undoBar.hidden = true;
  }
  await loadEntries();
  setInlineStatus(ui.listStatus, `Restored ${title}.`, 'ok');
  ui.list.querySelector<HTMLElement>(`li[data-storage-key="${storageKey}"] select`)?.focus();
}

// ----- import ------------------------------------------------------------------------------------

/** Puts the cursor on a 1-based line of the import box, so the user sees what to fix. */
function selectLine(textarea: HTMLTextAreaElement, line: number): void {
  const lines = textarea.value.split('\n');
  let start = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i += 1) {
    start += (lines[i]?.length ?? 0) + 1;
  }
  const end = start + (lines[line - 1]?.length ?? 0);
  textarea.focus();
  textarea.setSelectionRange(start, end);
}

async function importEntries(): Promise<void> {
  const text = ui.importText.value;
  if (text.trim() === '') {
    setInlineStatus(ui.importStatus, 'Paste the text to import first.', 'error');
    ui.importText.focus();
    return;
  }
  setBusy(ui.importForm, true);
  setInlineStatus(ui.importStatus, 'Importing…', 'busy');
  let reply;
  try {
    reply = await sendMessage({ type: 'vault.import', text });
  } finally {
    setBusy(ui.importForm, false);
  }
  if (!reply.ok) {
    ui.importStatus.dataset.errorCode = reply.error.code;
    if (reply.error.line === undefined) {
      delete ui.importStatus.dataset.line;
    } else {
      ui.importStatus.dataset.line = String(reply.error.line);
    }
    setInlineStatus(ui.importStatus, `${describeVaultError(reply.error)} Nothing was imported.`, 'error');
    ui.importText.setAttribute('aria-invalid', 'true');
    if (reply.error.line !== undefined) {
      selectLine(ui.importText, reply.error.line);
    }
    return;
  }
  // The pasted secrets are in the vault now: clear the box.
  ui.importText.value = '';
  ui.importText.setAttribute('aria-invalid', 'false');
  delete ui.importStatus.dataset.errorCode;
  delete ui.importStatus.dataset.line;
  const names = reply.result.imported.map((item) => item.accessKeyId ?? item.keyName ?? item.accessKey ?? item.id);
  setInlineStatus(
    ui.importStatus,
    `Imported ${plural(names.length, 'entry', 'entries')}: ${names.join(', ')}.`,
    'ok',
  );
  await refreshVault();
}

// ----- wiring ------------------------------------------------------------------------------------

function reportUnexpected(error: unknown): void {
  console.error('Keysmith popup (vault):', errorText(error));
  showVaultError(`Unexpected error: ${errorText(error)}`);
}

/** Hooks up the panel's controls; call once, then refreshVault(). */
export function initVaultPanel(): void {
  ui.newPassphrase.addEventListener('input', () => showStrength(ui.newPassphrase, ui.strength));
  ui.setupForm.addEventListener('submit', (event) => {
    event.preventDefault();
    createVault().catch(reportUnexpected);
  });
  ui.unlockForm.addEventListener('submit', (event) => {
    event.preventDefault();
    unlockVault().catch(reportUnexpected);
  });
  ui.lock.addEventListener('click', () => {
    lockVault().catch(reportUnexpected);
  });
  ui.undo.addEventListener('click', () => {
    if (lastDeleted !== undefined) {
      restoreEntry(lastDeleted.storageKey, lastDeleted.title).catch(reportUnexpected);
    }
  });
  ui.search.addEventListener('input', applySearch);
  ui.search.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && ui.search.value !== '') {
      // Escape empties the box first (and does not close the popup).
      event.preventDefault();
      ui.search.value = '';
      applySearch();
    }
  });
  ui.importForm.addEventListener('submit', (event) => {
    event.preventDefault();
    importEntries().catch(reportUnexpected);
  });
  // The vault can lock without this page doing anything (the idle alarm, another page): the
  // parked key disappearing from session storage is the sign. Follow it at once.
  chrome.storage.onChanged.addListener((changes, area) => {
    const parked = changes[STORAGE.unlocked];
    if (area === 'session' && parked !== undefined && parked.newValue === undefined && current?.unlocked === true) {
      refreshVault().catch(reportUnexpected);
    }
  });
}
