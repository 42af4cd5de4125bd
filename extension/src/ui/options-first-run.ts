// Options page, first run: when no vault exists, walk through creating it (passphrase twice,
// strength meter, the key-derivation cost), then adding a signer identity (the page's own
// signer forms; skippable), then done. The service worker opens this page on install.

import { MIN_NEW_PASSPHRASE, type VaultStatus, sendMessage } from '../shared/messages.js';
import { element, errorText } from './dom.js';
import { describeErrorForUser } from './error-text.js';
import { DEFAULT_KDF, describeKdfCost } from './kdf-text.js';
import { showStatusText } from './status.js';
import { estimateStrength } from './strength.js';

const PROGRESS_DELAY_MS = 200;

const ui = {
  section: element('first-run', HTMLElement),
  stepVault: element('step-vault', HTMLLIElement),
  stepSigner: element('step-signer', HTMLLIElement),
  stepDone: element('step-done', HTMLLIElement),
  form: element('first-vault-form', HTMLFormElement),
  passphrase: element('first-passphrase', HTMLInputElement),
  meter: element('first-meter', HTMLMeterElement),
  strength: element('first-strength', HTMLParagraphElement),
  repeat: element('first-passphrase-repeat', HTMLInputElement),
  kdf: element('first-kdf', HTMLParagraphElement),
  create: element('first-create', HTMLButtonElement),
  status: element('first-vault-status', HTMLParagraphElement),
  signerStep: element('first-signer-step', HTMLDivElement),
  created: element('first-created', HTMLParagraphElement),
  signerCount: element('first-signer-count', HTMLParagraphElement),
  finish: element('first-finish', HTMLButtonElement),
  skip: element('first-skip', HTMLButtonElement),
  done: element('first-done', HTMLDivElement),
  doneNote: element('first-done-note', HTMLSpanElement),
};

type Step = 'vault' | 'signer' | 'done';
let step: Step | undefined;
let onCreated: () => Promise<void> = async () => undefined;

function show(next: Step): void {
  step = next;
  ui.section.hidden = false;
  document.body.dataset.firstRun = next;
  for (const [item, name] of [
    [ui.stepVault, 'vault'],
    [ui.stepSigner, 'signer'],
    [ui.stepDone, 'done'],
  ] as const) {
    if (name === next) {
      item.setAttribute('aria-current', 'step');
    } else {
      item.removeAttribute('aria-current');
    }
  }
  ui.form.hidden = next !== 'vault';
  ui.signerStep.hidden = next !== 'signer';
  ui.done.hidden = next !== 'done';
}

/** Called with every vault status the page reads: starts the first run when there is no vault. */
export function noteVaultStatus(status: VaultStatus): void {
  if (!status.exists && step === undefined) {
    // Opened on install: nothing but the steps (and the import, and endpoints) until the vault exists.
    if (location.hash === '#welcome') {
      document.body.dataset.welcome = 'true';
    }
    show('vault');
    ui.passphrase.focus();
  } else if (status.exists && step === undefined) {
    delete document.body.dataset.firstRun;
  } else if (status.exists && step === 'vault') {
    // Created in another window (the popup), or imported from a vault file: on to the next step.
    ui.created.textContent = `The vault is set up and ${status.unlocked ? 'unlocked' : 'locked'}.`;
    show('signer');
  }
}

/** Called with the number of signers whenever the list is read: step 2 says how many there are. */
export function noteSignerCount(count: number): void {
  if (step !== 'signer') {
    return;
  }
  ui.signerCount.textContent =
    count === 0 ? 'No signer identity yet.' : `${count} signer identit${count === 1 ? 'y' : 'ies'} added. Add another, or finish.`;
  ui.finish.hidden = count === 0;
}

function showStrength(): void {
  const strength = estimateStrength(ui.passphrase.value);
  ui.meter.value = ui.passphrase.value === '' ? 0 : strength.level;
  ui.strength.dataset.level = String(strength.level);
  ui.strength.textContent = strength.text;
}

function invalid(input: HTMLInputElement, text: string): void {
  input.setAttribute('aria-invalid', 'true');
  input.focus();
  showStatusText(ui.status, text, 'error');
}

async function createVault(): Promise<void> {
  ui.passphrase.setAttribute('aria-invalid', 'false');
  ui.repeat.setAttribute('aria-invalid', 'false');
  const passphrase = ui.passphrase.value;
  if ([...passphrase].length < MIN_NEW_PASSPHRASE) {
    invalid(ui.passphrase, `Choose a passphrase of at least ${MIN_NEW_PASSPHRASE} characters.`);
    return;
  }
  if (ui.repeat.value !== passphrase) {
    invalid(ui.repeat, 'The two passphrases differ: type the passphrase again in "Repeat".');
    return;
  }
  ui.form.setAttribute('aria-busy', 'true');
  ui.create.disabled = true;
  const started = performance.now();
  const timer = setTimeout(
    () => showStatusText(ui.status, 'Creating the vault: deriving its key (Argon2id, about a second)…', 'busy'),
    PROGRESS_DELAY_MS,
  );
  const reply = await sendMessage({ type: 'vault.create', passphrase }).finally(() => {
    clearTimeout(timer);
    ui.create.disabled = false;
    ui.form.setAttribute('aria-busy', 'false');
  });
  if (!reply.ok) {
    showStatusText(ui.status, `${describeErrorForUser(reply.error)} The vault was not created.`, 'error', reply.error.code);
    return;
  }
  ui.passphrase.value = '';
  ui.repeat.value = '';
  showStatusText(ui.status, 'Vault created.', 'ok');
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const cost = describeKdfCost(reply.result.kdf ?? DEFAULT_KDF);
  ui.created.textContent = `Vault created and unlocked (${cost}; it took ${seconds} s here, and costs as much for every guess at the passphrase).`;
  show('signer');
  noteSignerCount(0);
  ui.signerStep.querySelector('a')?.focus();
  await onCreated();
}

function finish(skipped: boolean): void {
  ui.doneNote.textContent = skipped
    ? 'Add a signer identity on this page whenever you are ready: Keysmith needs one to create keys.'
    : 'Your signer identities are listed below.';
  show('done');
  ui.done.focus();
}

export function initFirstRun(options: { onVaultCreated: () => Promise<void> }): void {
  onCreated = options.onVaultCreated;
  ui.kdf.textContent =
    `The vault key is derived with ${describeKdfCost(DEFAULT_KDF)}: deliberately slow (about a second), ` +
    'and as slow for anyone trying to guess the passphrase.';
  showStrength();
  ui.passphrase.addEventListener('input', showStrength);
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    createVault().catch((error: unknown) => showStatusText(ui.status, `Unexpected error: ${errorText(error)}. Reload the page and try again.`, 'error'));
  });
  ui.finish.addEventListener('click', () => finish(false));
  ui.skip.addEventListener('click', () => finish(true));
}
