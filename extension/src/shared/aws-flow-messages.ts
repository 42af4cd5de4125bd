// AWS flow message contracts (issue 4): IAM users and their policies, pending-create markers
// (orphan detection) and recorded key rotations, with their validators. Kept apart from
// messages.ts, which lists them in its unions and sender table, like the Scaleway contracts.

import { MessageValidationError, dict, parseAccessKeyId, parseIamUserName, parseSignerId } from './messages.js';

export interface IamUser {
  userName: string;
  userId: string;
  arn: string;
  path: string;
  createDate: string;
}

export interface AttachedPolicy {
  policyName: string;
  policyArn: string;
}

/** The policy templates the popup offers; anything else must be a policy ARN (the core checks it). */
export const POLICY_TEMPLATES = ['ec2-full-access', 'read-only'] as const;
const POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]{1,512}$/;

/**
 * A create-and-vault whose outcome is unknown: written before CreateAccessKey is sent, removed
 * once the sealed entry is stored (or AWS said no). Ids, names and times only: no secret.
 */
export interface PendingCreate {
  id: string;
  /** The key's user; null for the signer's own user. */
  userName: string | null;
  /** When the create started (ms since the epoch). */
  startedAt: number;
  /** Why: a plain create, or step one of a rotation. */
  purpose: 'create' | 'rotation';
}

/** An access key of the pending create's user, and whether the vault holds it. */
export interface OrphanCandidate {
  accessKeyId: string;
  status: string;
  createDate: string;
  inVault: boolean;
  /** The key signing this check: in use, never an orphan. */
  isSigner: boolean;
  /** Created after the pending create started (less a margin for clock skew): it may be its key. */
  newerThanMarker: boolean;
}

export interface OrphanCheck {
  marker: PendingCreate;
  keys: OrphanCandidate[];
  /** True when no key that create may have made is outside the vault: the marker was cleared. */
  resolved: boolean;
}

/** Clock skew allowed between this computer and AWS when matching keys to a pending create. */
export const ORPHAN_CLOCK_MARGIN_MS = 5 * 60_000;

/** The keys a pending create may have left outside the vault. */
export function orphansOf(check: OrphanCheck): OrphanCandidate[] {
  return check.keys.filter((key) => !key.inVault && !key.isSigner && key.newerThanMarker);
}

export type RotationStateName =
  | 'started'
  | 'new_key_created'
  | 'new_key_vaulted'
  | 'old_key_deactivated'
  | 'completed'
  | 'rolled_back';

/** One rotation as chrome.storage.local records it after each step. No secret. */
export interface RotationRecord {
  id: string;
  userName: string;
  oldKeyId: string;
  state: RotationStateName;
  newKeyId?: string;
  /** The vault entry of the new key, known once AWS answered (stored right after). */
  entryStorageKey?: string;
  startedAt: number;
  updatedAt: number;
  /** The next forward step, or 'await_confirmation', as the core's step machine says. */
  next: string;
  /** Whether it can still be rolled back (not once the old key is deleted). */
  canRollBack: boolean;
}

export type AwsFlowRequestMessage =
  | { type: 'aws.createUser'; signerId: string; userName: string }
  | { type: 'aws.attachUserPolicy'; signerId: string; userName: string; policy: string }
  | { type: 'aws.listAttachedUserPolicies'; signerId: string; userName: string }
  | { type: 'aws.pendingCreates' }
  | { type: 'aws.findOrphans'; signerId: string; markerId: string }
  | { type: 'aws.dismissPending'; markerId: string }
  | { type: 'aws.rotation.start'; signerId: string; userName: string; oldKeyId: string }
  | { type: 'aws.rotation.list' }
  | { type: 'aws.rotation.resume'; signerId: string; rotationId: string }
  | { type: 'aws.rotation.confirm'; signerId: string; rotationId: string }
  | { type: 'aws.rotation.rollback'; signerId: string; rotationId: string };

export type AwsFlowMessageType = AwsFlowRequestMessage['type'];

export interface AwsFlowResultByType {
  'aws.createUser': IamUser;
  'aws.attachUserPolicy': { policyArn: string };
  'aws.listAttachedUserPolicies': AttachedPolicy[];
  'aws.pendingCreates': PendingCreate[];
  'aws.findOrphans': OrphanCheck;
  'aws.dismissPending': { markerId: string };
  'aws.rotation.start': RotationRecord;
  'aws.rotation.list': RotationRecord[];
  'aws.rotation.resume': RotationRecord;
  'aws.rotation.confirm': RotationRecord;
  'aws.rotation.rollback': RotationRecord;
}

/** All of these name a signer or change AWS or the records: extension pages only. */
export const AWS_FLOW_SENDER_REQUIREMENT: Record<AwsFlowMessageType, 'extension-page'> = {
  'aws.createUser': 'extension-page',
  'aws.attachUserPolicy': 'extension-page',
  'aws.listAttachedUserPolicies': 'extension-page',
  'aws.pendingCreates': 'extension-page',
  'aws.findOrphans': 'extension-page',
  'aws.dismissPending': 'extension-page',
  'aws.rotation.start': 'extension-page',
  'aws.rotation.list': 'extension-page',
  'aws.rotation.resume': 'extension-page',
  'aws.rotation.confirm': 'extension-page',
  'aws.rotation.rollback': 'extension-page',
};

export function isAwsFlowMessageType(type: string): type is AwsFlowMessageType {
  return Object.hasOwn(AWS_FLOW_SENDER_REQUIREMENT, type);
}

const RECORD_ID = /^[0-9a-f]{32}$/;

export function parseRecordId(value: unknown, path: string): string {
  if (typeof value !== 'string' || !RECORD_ID.test(value)) {
    throw new MessageValidationError(`${path} must be 32 lowercase hex digits`);
  }
  return value;
}

/** A template name, or a managed policy ARN (arn:aws:iam::aws:policy/… or an account's). */
export function parsePolicyChoice(value: unknown, path = 'policy'): string {
  if (typeof value !== 'string' || value.length > 2048) {
    throw new MessageValidationError(`${path} must be a string`);
  }
  if ((POLICY_TEMPLATES as readonly string[]).includes(value) || POLICY_ARN.test(value)) {
    return value;
  }
  throw new MessageValidationError(
    `${path} must be ${POLICY_TEMPLATES.join(' or ')}, or a policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess`,
  );
}

export function parseAwsFlowMessage(type: AwsFlowMessageType, value: unknown): AwsFlowRequestMessage {
  switch (type) {
    case 'aws.createUser':
    case 'aws.listAttachedUserPolicies': {
      const d = dict(value, 'message', ['type', 'signerId', 'userName']);
      return { type, signerId: parseSignerId(d.signerId), userName: parseIamUserName(d.userName) };
    }
    case 'aws.attachUserPolicy': {
      const d = dict(value, 'message', ['type', 'signerId', 'userName', 'policy']);
      return {
        type,
        signerId: parseSignerId(d.signerId),
        userName: parseIamUserName(d.userName),
        policy: parsePolicyChoice(d.policy),
      };
    }
    case 'aws.pendingCreates':
    case 'aws.rotation.list':
      dict(value, 'message', ['type']);
      return { type };
    case 'aws.findOrphans': {
      const d = dict(value, 'message', ['type', 'signerId', 'markerId']);
      return { type, signerId: parseSignerId(d.signerId), markerId: parseRecordId(d.markerId, 'markerId') };
    }
    case 'aws.dismissPending': {
      const d = dict(value, 'message', ['type', 'markerId']);
      return { type, markerId: parseRecordId(d.markerId, 'markerId') };
    }
    case 'aws.rotation.start': {
      const d = dict(value, 'message', ['type', 'signerId', 'userName', 'oldKeyId']);
      return {
        type,
        signerId: parseSignerId(d.signerId),
        userName: parseIamUserName(d.userName),
        oldKeyId: parseAccessKeyId(d.oldKeyId, 'oldKeyId'),
      };
    }
    case 'aws.rotation.resume':
    case 'aws.rotation.confirm':
    case 'aws.rotation.rollback': {
      const d = dict(value, 'message', ['type', 'signerId', 'rotationId']);
      return { type, signerId: parseSignerId(d.signerId), rotationId: parseRecordId(d.rotationId, 'rotationId') };
    }
  }
}

/** What the popup shows of a pending create whose outcome is unknown. */
export function describePending(marker: PendingCreate): string {
  const who = marker.userName ?? 'the signing user';
  const when = new Date(marker.startedAt).toISOString().slice(0, 19).replace('T', ' ');
  return `A key may have been created for ${who} at ${when} UTC and not vaulted.`;
}
