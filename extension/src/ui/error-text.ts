// Turns error replies into sentences that say what went wrong and what the user can do.

import type { ErrorInfo } from '../shared/messages.js';

/** Known provider error codes → advice. The provider's code is always shown alongside. */
const PROVIDER_ADVICE: Record<string, (info: ErrorInfo) => string> = {
  SignatureDoesNotMatch: () => 'AWS rejected the signature (SignatureDoesNotMatch): check the secret access key.',
  InvalidClientTokenId: () =>
    'AWS does not know this access key ID (InvalidClientTokenId): check the access key ID, or whether the key was deleted.',
  UnrecognizedClientException: () =>
    'AWS does not know this access key ID (UnrecognizedClientException): check the access key ID.',
  ExpiredToken: () => 'The session token has expired (ExpiredToken): get fresh temporary credentials.',
  InvalidToken: () => 'AWS rejected the session token (InvalidToken): check it, or leave it empty for a long-term key.',
  AccessDenied: (info) =>
    info.missingPermission === undefined
      ? 'AWS denied the request (AccessDenied): the signing identity lacks the IAM permission for this action.'
      : `AWS denied the request (AccessDenied): the signing identity lacks the permission ${info.missingPermission}. ` +
        'Add it to its policy (see "Signer policy").',
  AccessDeniedException: () =>
    'AWS denied the request (AccessDeniedException): the signing identity lacks the permission for this action.',
  NoSuchEntity: () => 'No such IAM user (NoSuchEntity): check the user name.',
  LimitExceeded: () =>
    'This user already has the maximum number of access keys (LimitExceeded): deactivate or delete one first.',
  RequestExpired: () => "AWS says the request has expired (RequestExpired): check this computer's clock.",
  SignatureExpired: () => "AWS says the signature has expired (SignatureExpired): check this computer's clock.",
  Throttling: () => 'AWS is throttling requests (Throttling): wait a moment and try again.',
};

/** "some text" → "Some text." (core messages are lower-case fragments). */
export function sentence(text: string): string {
  const trimmed = text.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

const CODE_ADVICE: Record<string, (info: ErrorInfo) => string> = {
  network: (info) => `Could not reach the provider. ${sentence(info.message)}`,
  invalid_credentials: (info) => sentence(info.message),
  malformed_response: (info) => `The provider sent an answer Keysmith could not read. ${sentence(info.message)}`,
  bad_request: (info) => `Keysmith refused the request: ${sentence(info.message)}`,
  sender_not_allowed: (info) => `Not allowed: ${sentence(info.message)}`,
  core_unavailable: (info) => `The Keysmith core is not available. ${sentence(info.message)}`,
  wrong_passphrase: () => 'Wrong passphrase. Check it (and Caps Lock) and try again.',
  no_vault: (info) => sentence(info.message),
  vault_exists: (info) => sentence(info.message),
  bad_vault_file: (info) => sentence(info.message),
  locked: () => 'The vault is locked: unlock it with your passphrase.',
  not_found: (info) => sentence(info.message),
  not_vaulted: (info) => `The key was created but not vaulted: ${sentence(info.message)}`,
  key_limit: (info) => sentence(info.message),
  storage_failed: (info) => `Keysmith could not write to the browser's storage: ${sentence(info.message)}`,
  storage_full: (info) => sentence(info.message),
  outcome_unknown: (info) => `No clear answer from AWS. ${sentence(info.message)}`,
  rotation_blocked: (info) => sentence(info.message),
  // Says how many, in what window, how long to wait, and that the popup is not paused.
  console_rate_limited: (info) => sentence(info.message),
  kdf_too_expensive: (info) => sentence(info.message),
  out_of_memory: (info) => sentence(info.message),
  header_corrupted: (info) => sentence(info.message),
  newer_format: (info) => sentence(info.message),
  import_malformed: (info) => sentence(info.message),
  import_incomplete: (info) => sentence(info.message),
  import_empty: () => 'There is nothing to import: paste the text first.',
  import_unrecognized: (info) => sentence(info.message),
  entry_damaged: (info) => sentence(info.message),
  foreign_entry: (info) => sentence(info.message),
};

export function describeErrorForUser(info: ErrorInfo): string {
  if (info.providerCode !== undefined) {
    const advice = PROVIDER_ADVICE[info.providerCode];
    if (advice !== undefined) {
      return advice(info);
    }
    const status = info.status === undefined ? '' : `, HTTP ${info.status}`;
    return `The provider refused the request (${info.providerCode}${status}): ${info.message}`;
  }
  const advice = CODE_ADVICE[info.code];
  return advice === undefined ? `Something went wrong (${info.code}): ${sentence(info.message)}` : advice(info);
}

/** Scaleway's error types (and the core's codes) → what the user should do. */
export function describeScalewayError(info: ErrorInfo): string {
  switch (info.providerCode) {
    case 'denied_authentication':
      return 'Scaleway rejected the secret key (denied_authentication): check the secret key, and that the API key has not expired or been deleted.';
    case 'permissions_denied':
      return `The signer's API key lacks a permission for this (permissions_denied): give its bearer an IAM policy with the needed permission set. ${sentence(info.message)}`;
    case 'quotas_exceeded':
      return `A Scaleway quota is exceeded (quotas_exceeded): delete an API key of this bearer first, or ask for a higher quota. ${sentence(info.message)}`;
    case 'invalid_arguments':
      return `Scaleway refused an argument (invalid_arguments): ${sentence(info.message)}`;
    case 'not_found':
      return `Scaleway did not find it (not_found): ${sentence(info.message)}`;
    default:
      break;
  }
  if (info.code === 'expiry_beyond_maximum') {
    return sentence(info.message);
  }
  if (info.code === 'invalid_credentials') {
    return `Check the Scaleway key: ${sentence(info.message)}`;
  }
  if (info.code === 'host_not_allowed') {
    return `Keysmith refused to send the secret key there: ${sentence(info.message)}`;
  }
  return describeErrorForUser(info);
}
