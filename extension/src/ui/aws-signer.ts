// The AWS signer credentials, as the popup's newer AWS screens (users, rotation, unfinished
// work) read them from the AWS form: one place to change when signers come from the vault.

import type { AwsCredentials } from '../shared/messages.js';
import { element } from './dom.js';
import { showStatusText } from './status.js';

const fields = {
  accessKeyId: element('access-key-id', HTMLInputElement),
  secretAccessKey: element('secret-access-key', HTMLInputElement),
  sessionToken: element('session-token', HTMLInputElement),
};

/** The signer fields; says in `status` what is missing and returns undefined if so. */
export function readSigner(status: HTMLElement): AwsCredentials | undefined {
  const accessKeyId = fields.accessKeyId.value.trim();
  const secretAccessKey = fields.secretAccessKey.value;
  const sessionToken = fields.sessionToken.value.trim();
  if (accessKeyId === '' || secretAccessKey === '') {
    showStatusText(status, 'Enter the signer access key ID and secret access key in the AWS form above.', 'error');
    (accessKeyId === '' ? fields.accessKeyId : fields.secretAccessKey).focus();
    return undefined;
  }
  return sessionToken === '' ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}

/** The secret fields are cleared after every use, like everywhere in the popup. */
export function clearSignerSecrets(): void {
  fields.secretAccessKey.value = '';
  fields.sessionToken.value = '';
}

/** Runs `run` with the signer's credentials, marking `form` busy; always clears the secrets. */
export async function withSigner(
  form: HTMLElement,
  status: HTMLElement,
  progress: string,
  run: (credentials: AwsCredentials) => Promise<void>,
): Promise<void> {
  const credentials = readSigner(status);
  if (credentials === undefined) {
    return;
  }
  form.setAttribute('aria-busy', 'true');
  showStatusText(status, progress, 'busy');
  try {
    await run(credentials);
  } catch (error) {
    showStatusText(status, `Could not talk to the Keysmith service worker: ${error instanceof Error ? error.message : String(error)}`, 'error');
  } finally {
    clearSignerSecrets();
    form.setAttribute('aria-busy', 'false');
  }
}
