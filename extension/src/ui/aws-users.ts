// The popup's IAM user screen: create a user, attach a managed policy (a template or a checked
// custom ARN), list the attached policies, then hand the user to the access-key form.

import { type ErrorInfo, MessageValidationError, parseIamUserName, sendMessage } from '../shared/messages.js';
import { parsePolicyChoice } from '../shared/aws-flow-messages.js';
import { element, errorText, h } from './dom.js';
import { describeErrorForUser, sentence } from './error-text.js';
import { showStatusText, showSuccess } from './status.js';
import { noteSignerFailure, withSignerAction } from './signer-select.js';

const ui = {
  form: element('iam-user-form', HTMLFormElement),
  userName: element('iam-user-name', HTMLInputElement),
  createUser: element('iam-create-user', HTMLButtonElement),
  policy: element('iam-policy', HTMLSelectElement),
  arnFields: element('iam-policy-arn-fields', HTMLDivElement),
  arn: element('iam-policy-arn', HTMLInputElement),
  attach: element('iam-attach-policy', HTMLButtonElement),
  list: element('iam-list-policies', HTMLButtonElement),
  createKey: element('iam-create-key', HTMLButtonElement),
  status: element('iam-user-status', HTMLElement),
  policies: element('iam-policy-list', HTMLUListElement),
  keyUserName: element('user-name', HTMLInputElement),
  createAccessKey: element('create-access-key', HTMLButtonElement),
};

function fail(error: ErrorInfo): void {
  noteSignerFailure('aws', error);
  showStatusText(ui.status, describeErrorForUser(error), 'error', error.providerCode ?? error.code);
}

function readUserName(): string | undefined {
  const typed = ui.userName.value.trim();
  try {
    if (typed === '') {
      throw new MessageValidationError('Enter the IAM user name.');
    }
    const name = parseIamUserName(typed, 'The IAM user name');
    ui.userName.setAttribute('aria-invalid', 'false');
    return name;
  } catch (error) {
    ui.userName.setAttribute('aria-invalid', 'true');
    showStatusText(ui.status, sentence(errorText(error)), 'error');
    ui.userName.focus();
    return undefined;
  }
}

function readPolicy(): string | undefined {
  if (ui.policy.value !== 'custom') {
    return ui.policy.value;
  }
  try {
    const arn = parsePolicyChoice(ui.arn.value.trim(), 'The policy ARN');
    ui.arn.setAttribute('aria-invalid', 'false');
    return arn;
  } catch (error) {
    ui.arn.setAttribute('aria-invalid', 'true');
    showStatusText(ui.status, sentence(errorText(error)), 'error', 'bad_request');
    ui.arn.focus();
    return undefined;
  }
}

async function createUser(): Promise<void> {
  const userName = readUserName();
  if (userName === undefined) {
    return;
  }
  await withSignerAction('aws', ui.form, ui.status, `Creating IAM user ${userName}…`, async (signerId) => {
    const reply = await sendMessage({ type: 'aws.createUser', signerId, userName });
    if (!reply.ok) {
      fail(reply.error);
      return;
    }
    showSuccess(ui.status, 'User created', [
      ['User', reply.result.userName],
      ['ARN', reply.result.arn],
      ['User ID', reply.result.userId],
    ]);
  });
}

async function attachPolicy(): Promise<void> {
  const userName = readUserName();
  const policy = userName === undefined ? undefined : readPolicy();
  if (userName === undefined || policy === undefined) {
    return;
  }
  await withSignerAction('aws', ui.form, ui.status, `Attaching the policy to ${userName}…`, async (signerId) => {
    const reply = await sendMessage({ type: 'aws.attachUserPolicy', signerId, userName, policy });
    if (!reply.ok) {
      fail(reply.error);
      return;
    }
    showSuccess(ui.status, 'Policy attached', [
      ['User', userName],
      ['Policy ARN', reply.result.policyArn],
    ]);
  });
}

async function listPolicies(): Promise<void> {
  const userName = readUserName();
  if (userName === undefined) {
    return;
  }
  await withSignerAction('aws', ui.form, ui.status, `Listing ${userName}'s policies…`, async (signerId) => {
    const reply = await sendMessage({ type: 'aws.listAttachedUserPolicies', signerId, userName });
    if (!reply.ok) {
      fail(reply.error);
      return;
    }
    const count = reply.result.length;
    showStatusText(ui.status, `${userName} has ${count} attached polic${count === 1 ? 'y' : 'ies'}.`, 'ok');
    ui.policies.hidden = count === 0;
    ui.policies.replaceChildren(
      ...reply.result.map((policy) =>
        h(
          'li',
          { class: 'entry', 'data-policy-arn': policy.policyArn },
          h('p', { class: 'entry-head' }, h('span', { class: 'entry-title' }, policy.policyName)),
          h('p', { class: 'hint' }, policy.policyArn),
        ),
      ),
    );
  });
}

/** Hands the user over to the access-key form, which creates and vaults (and maybe pushes) the key. */
function createKeyForUser(): void {
  const userName = readUserName();
  if (userName === undefined) {
    return;
  }
  ui.keyUserName.value = userName;
  ui.createAccessKey.click();
}

function report(error: unknown): void {
  console.error('Keysmith popup (IAM users):', error);
  showStatusText(ui.status, `Unexpected error: ${errorText(error)}`, 'error');
}

export function initAwsUsers(): void {
  ui.policy.addEventListener('change', () => {
    ui.arnFields.hidden = ui.policy.value !== 'custom';
  });
  ui.createUser.addEventListener('click', () => void createUser().catch(report));
  ui.attach.addEventListener('click', () => void attachPolicy().catch(report));
  ui.list.addEventListener('click', () => void listPolicies().catch(report));
  ui.createKey.addEventListener('click', createKeyForUser);
}
