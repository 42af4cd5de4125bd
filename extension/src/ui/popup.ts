// Popup: the vault panel (vault-panel.ts), and the AWS form: verify the chosen signer identity
// and create an access key, which the service worker seals into the vault before it answers.
// Signers are vault entries (signer-select.ts): messages carry only a signer id.

import * as status from './status.js';
import {
  type CustomEndpoints,
  type ErrorInfo,
  MessageValidationError,
  type PushSecretTarget,
  SECRETS_MANAGER_REGIONS,
  STORAGE,
  type Settings,
  parseIamUserName,
  parsePushSecretTarget,
  parseSettings,
  sendMessage,
} from '../shared/messages.js';
import { element } from './dom.js';
import { describeErrorForUser, sentence } from './error-text.js';
import { hideKeySlotChoice, initAwsKeys, showKeySlotChoice } from './aws-keys.js';
import { initAwsRotation, refreshUnfinished } from './aws-rotation.js';
import { initAwsUsers } from './aws-users.js';
import { initScalewaySection } from './scaleway.js';
import { initVaultPanel, refreshVault } from './vault-panel.js';
import {
  noteSignerFailure,
  refreshSigners,
  registerMfaPrompt,
  registerSignerSelect,
  selectedSigner,
  signerForAction,
} from './signer-select.js';
import { linkedKeySlotUser } from './entry-link.js';
import { setClipboardClearSeconds } from './clipboard.js';

const ui = {
  coreVersion: element('core-version', HTMLSpanElement),
  form: element('aws-form', HTMLFormElement),
  openOptions: element('open-options', HTMLAnchorElement),
  openSettings: element('open-settings', HTMLAnchorElement),
  ec2Region: element('ec2-region', HTMLSelectElement),
  ec2KeyType: element('ec2-key-type', HTMLSelectElement),
  userName: element('user-name', HTMLInputElement),
  verify: element('verify-identity', HTMLButtonElement),
  create: element('create-access-key', HTMLButtonElement),
  status: element('status', HTMLElement),
  push: element('aws-push', HTMLInputElement),
  pushFields: element('aws-push-fields', HTMLDivElement),
  pushRegion: element('aws-push-region', HTMLSelectElement),
  pushName: element('aws-push-name', HTMLInputElement),
};

let currentEndpoints: CustomEndpoints = {};

// ----- status area -----------------------------------------------------------------------------

const showBusy = (text: string): void => status.showBusy(ui.status, text);
const showSuccess = (title: string, rows: [string, string][], note?: string): void =>
  status.showSuccess(ui.status, title, rows, note);
const showError = (text: string, code?: string): void => status.showError(ui.status, text, code);

function setBusy(busy: boolean): void {
  ui.form.setAttribute('aria-busy', String(busy));
  ui.verify.disabled = busy;
  ui.create.disabled = busy;
}

// ----- form handling ---------------------------------------------------------------------------

function markInvalid(input: HTMLInputElement, invalid: boolean): void {
  input.setAttribute('aria-invalid', String(invalid));
}

function endpointNote(): string {
  return currentEndpoints.aws === undefined ? 'AWS' : `the custom endpoint ${currentEndpoints.aws}`;
}

function reportFailure(error: ErrorInfo): void {
  noteSignerFailure('aws', error);
  showError(describeErrorForUser(error), error.providerCode ?? error.code);
}

/** Runs one request with the form locked. */
async function withBusyForm(progress: string, run: () => Promise<void>): Promise<void> {
  setBusy(true);
  showBusy(progress);
  try {
    await run();
  } catch (error) {
    // The worker answers every message; landing here means it could not be reached at all.
    showError(`Could not talk to the Keysmith service worker: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    setBusy(false);
  }
}

async function verifyIdentity(): Promise<void> {
  // STS answers for an MFA signer without a code: no MFA exchange before verifying.
  const signerId = selectedSigner('aws')?.id;
  if (signerId === undefined) {
    showError('Choose an AWS signer identity (add one on the options page; the vault must be unlocked).', 'no_signer');
    return;
  }
  await withBusyForm(`Verifying identity with ${endpointNote()}…`, async () => {
    const reply = await sendMessage({ type: 'aws.getCallerIdentity', signerId });
    if (!reply.ok) {
      reportFailure(reply.error);
      return;
    }
    const identity = reply.result;
    showSuccess('Identity verified', [
      ['Account', identity.account],
      ['ARN', identity.arn],
      ['User ID', identity.userId],
    ]);
  });
}

async function createAccessKey(): Promise<void> {
  const typed = ui.userName.value.trim();
  let userName: string;
  try {
    if (typed === '') {
      throw new MessageValidationError('Enter the IAM user name to create an access key for.');
    }
    userName = parseIamUserName(typed, 'The IAM user name');
  } catch (error) {
    markInvalid(ui.userName, true);
    showError(sentence(error instanceof Error ? error.message : String(error)));
    ui.userName.focus();
    return;
  }
  markInvalid(ui.userName, false);
  let pushSecret: PushSecretTarget | undefined;
  if (ui.push.checked) {
    try {
      pushSecret = parsePushSecretTarget({ region: ui.pushRegion.value, name: ui.pushName.value.trim() }, 'The secret');
    } catch (error) {
      markInvalid(ui.pushName, true);
      showError(sentence(error instanceof Error ? error.message : String(error)), 'bad_request');
      ui.pushName.focus();
      return;
    }
    markInvalid(ui.pushName, false);
  }
  const signerId = await signerForAction('aws', showError);
  if (signerId === undefined) {
    return;
  }
  await sendCreateAccessKey(signerId, userName, pushSecret);
}

/**
 * Asks the worker to create the key. When the user already has two keys, the worker (or IAM's
 * LimitExceeded) answers with the key slots, and the popup offers the choice (aws-keys.ts);
 * once a slot is freed, the create runs again with the same signer.
 */
async function sendCreateAccessKey(signerId: string, userName: string, pushSecret?: PushSecretTarget): Promise<void> {
  hideKeySlotChoice();
  await withBusyForm(`Creating an access key for ${userName}…`, async () => {
    const reply = await sendMessage({
      type: 'aws.createAccessKey',
      signerId,
      userName,
      ...(pushSecret === undefined ? {} : { pushSecret }),
    });
    if (!reply.ok) {
      reportFailure(reply.error);
      if (reply.error.keySlot !== undefined) {
        showKeySlotChoice(userName, reply.error.keySlot, signerId, () => sendCreateAccessKey(signerId, userName, pushSecret));
      }
      // A create whose outcome is unknown is listed as unfinished work.
      await refreshUnfinished(false);
      return;
    }
    const key = reply.result;
    const rows: [string, string][] = [
      ['User', key.userName],
      ['Access key ID', key.accessKeyId],
      ['Status', key.status],
      ['Created', key.createDate],
      ['Vault entry', key.entryId],
    ];
    if (key.pushed !== undefined) {
      rows.push(['Secrets Manager', key.pushed.name], ['Secret version', key.pushed.versionId]);
    }
    if (key.pushError !== undefined) {
      rows.push(['Secrets Manager', `not pushed: ${describeErrorForUser(key.pushError)}`]);
    }
    showSuccess(
      'Access key created and vaulted',
      rows,
      `Vaulted as entry ${key.entryId}. The secret went from AWS's answer into the sealed entry inside the Keysmith core; export it from the vault when you need it.`,
    );
    await refreshVault();
  });
}

/**
 * Opened from a console's key_limit toast (popup.html#key-slot=NAME): show NAME's two keys and
 * the choice right away; once the user frees a slot, the create they asked for runs. Only
 * reads until the user chooses.
 */
async function showLinkedKeySlot(): Promise<void> {
  const userName = linkedKeySlotUser();
  if (userName === undefined) {
    return;
  }
  ui.userName.value = userName;
  const signerId = await signerForAction('aws', showError);
  if (signerId === undefined) {
    return;
  }
  await withBusyForm(`Reading ${userName}'s access keys…`, async () => {
    const reply = await sendMessage({ type: 'aws.keySlot', signerId, userName });
    if (!reply.ok) {
      reportFailure(reply.error);
    } else if (reply.result.canCreate) {
      showSuccess(`${userName} has a free key slot now`, [['User', userName]], 'Create the key with "Create access key for user".');
    } else {
      status.showStatusText(ui.status, `${userName} already has two access keys: choose one to free below, and the key is created.`, 'ok');
      showKeySlotChoice(userName, reply.result, signerId, () => sendCreateAccessKey(signerId, userName));
      // The choice is what the user came for: bring it into view and put focus on it.
      const title = element('key-slot-title', HTMLElement);
      title.tabIndex = -1;
      title.scrollIntoView({ block: 'start' });
      title.focus();
    }
  });
}

// ----- start -----------------------------------------------------------------------------------

async function loadState(): Promise<void> {
  // The settings first: the clipboard timeout must be known before the list offers a copy.
  const settings = await sendMessage({ type: 'settings.get' });
  if (settings.ok) {
    applySettings(settings.result);
  } else {
    showError(`Could not read the settings: ${describeErrorForUser(settings.error)}`, settings.error.code);
  }
  await refreshVault();
  await refreshSigners();
  const ping = await sendMessage({ type: 'ping' });
  ui.coreVersion.textContent = ping.ok ? ping.result.coreVersion : 'unavailable';
  if (!ping.ok) {
    reportFailure(ping.error);
  }
}

/** The options page's choices: where requests go, the clipboard timeout, and what the EC2 form starts with. */
function applySettings(settings: Settings): void {
  currentEndpoints = settings.endpoints;
  setClipboardClearSeconds(settings.clipboardClearSeconds);
  ui.ec2Region.value = settings.defaultRegion;
  ui.ec2KeyType.value = settings.defaultEc2KeyType;
}

function reportUnexpected(error: unknown): void {
  console.error('Keysmith popup:', error);
  showError(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`);
}

ui.verify.addEventListener('click', () => {
  verifyIdentity().catch(reportUnexpected);
});
ui.create.addEventListener('click', () => {
  createAccessKey().catch(reportUnexpected);
});
ui.form.addEventListener('submit', (event) => {
  // Enter in a credential field verifies the identity rather than reloading the popup.
  event.preventDefault();
  verifyIdentity().catch(reportUnexpected);
});
ui.pushRegion.replaceChildren(
  ...SECRETS_MANAGER_REGIONS.map((region) => {
    const option = document.createElement('option');
    option.value = region;
    option.textContent = region;
    return option;
  }),
);
ui.push.addEventListener('change', () => {
  ui.pushFields.hidden = !ui.push.checked;
});

for (const link of [ui.openOptions, ui.openSettings]) {
  link.addEventListener('click', (event) => {
    event.preventDefault();
    chrome.runtime.openOptionsPage().catch(reportUnexpected);
  });
}

registerSignerSelect('aws', 'aws-signer', 'aws-signer-hint');
registerSignerSelect('scaleway', 'scw-signer', 'scw-signer-hint');
registerMfaPrompt({ box: 'mfa-prompt', label: 'mfa-code-label', code: 'mfa-code', submit: 'mfa-submit', cancel: 'mfa-cancel' });
// Unlocking or locking in the vault panel changes which signers can be used.
// Signers added or removed (on the options page), and locks and unlocks: only those changes.
// The parked key is rewritten on every use of the vault, which must not cause a refresh loop.
chrome.storage.onChanged.addListener((changes) => {
  const settingsChange = changes[STORAGE.settings];
  if (settingsChange !== undefined) {
    // Changed on the options page while the popup is open: where requests go now, and the
    // clipboard timeout of the next copy (the EC2 form keeps what the user may already have chosen).
    try {
      const changed = parseSettings(settingsChange.newValue ?? {});
      currentEndpoints = changed.endpoints;
      setClipboardClearSeconds(changed.clipboardClearSeconds);
    } catch {
      currentEndpoints = {}; // the worker falls back to the provider hosts too
    }
  }
  const lockChange = changes[STORAGE.unlocked];
  const lockedOrUnlocked =
    lockChange !== undefined && (lockChange.oldValue === undefined) !== (lockChange.newValue === undefined);
  if (lockedOrUnlocked || Object.keys(changes).some((key) => key.startsWith(STORAGE.entryPrefix))) {
    refreshSigners().catch(reportUnexpected);
  }
});
initVaultPanel();
initAwsKeys();
initAwsUsers();
initAwsRotation();
initScalewaySection({ onVaulted: refreshVault });
loadState()
  .then(showLinkedKeySlot)
  .catch(reportUnexpected);
