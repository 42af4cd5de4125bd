// Scaleway message contracts between extension pages and the service worker, with their
// validators. Kept apart from messages.ts (which lists them in its unions and sender table) so
// that provider screens can grow independently. Types and lengths are checked here; the core
// checks the semantics (UUIDs, key formats, description length, expiry in the future) and
// reports them with its own codes.

import { MessageValidationError, parseSignerId } from './messages.js';

export const SCALEWAY_SECRET_MANAGER_REGIONS = ['fr-par', 'nl-ams', 'pl-waw'] as const;
export type ScalewayRegion = (typeof SCALEWAY_SECRET_MANAGER_REGIONS)[number];

export interface ScalewaySecretManagerTarget {
  region: ScalewayRegion;
  projectId: string;
  name: string;
  path?: string;
}

/** The signer's key, as GET /iam/v1alpha1/api-keys/{access_key} describes it. */
export interface ScalewaySigner {
  accessKey: string;
  bearerType: 'user' | 'application';
  bearerId: string;
  /** The user's e-mail or the application's name. */
  bearerName: string | null;
  organizationId: string;
  defaultProjectId: string | null;
  expiresAt: string | null;
  expired: boolean;
}

/** An API key without any secret. */
export interface ScalewayApiKeyInfo {
  accessKey: string;
  bearerType: 'user' | 'application';
  bearerId: string;
  description: string;
  createdAt: string | null;
  expiresAt: string | null;
  expired: boolean;
  defaultProjectId: string | null;
}

/** A created key: its secret was sealed into the vault entry `entryId`, stored before replying. */
export interface ScalewayCreatedApiKey extends ScalewayApiKeyInfo {
  entryId: string;
  secretManager: { region: string; secretId: string; secretName: string; path: string | null; revision: number } | null;
}

export interface ScalewayApplication {
  id: string;
  name: string;
  description: string;
  organizationId: string;
  nbApiKeys: number;
}

export interface ScalewayProject {
  id: string;
  name: string;
  organizationId: string;
  description: string;
}

export type ScalewayRequestMessage =
  | { type: 'scaleway.verifySigner'; signerId: string }
  | {
      type: 'scaleway.createApiKey';
      signerId: string;
      userId?: string;
      applicationId?: string;
      description?: string;
      expiresAt?: string;
      defaultProjectId?: string;
      /** The signer's Organization, written into the vault entry (for config.yaml exports). */
      organizationId?: string;
      secretManager?: ScalewaySecretManagerTarget;
    }
  | { type: 'scaleway.listApplications'; signerId: string; organizationId: string; name?: string }
  | {
      type: 'scaleway.createApplication';
      signerId: string;
      organizationId: string;
      name: string;
      description?: string;
    }
  | { type: 'scaleway.listProjects'; signerId: string; organizationId: string }
  | {
      type: 'scaleway.listApiKeys';
      signerId: string;
      bearerType?: 'user' | 'application';
      bearerId?: string;
    }
  | { type: 'scaleway.deleteApiKey'; signerId: string; accessKey: string };

export type ScalewayMessageType = ScalewayRequestMessage['type'];

export interface ScalewayResultByType {
  'scaleway.verifySigner': ScalewaySigner;
  'scaleway.createApiKey': ScalewayCreatedApiKey;
  'scaleway.listApplications': { applications: ScalewayApplication[]; totalCount: number };
  'scaleway.createApplication': ScalewayApplication;
  'scaleway.listProjects': { projects: ScalewayProject[]; totalCount: number };
  'scaleway.listApiKeys': { apiKeys: ScalewayApiKeyInfo[]; totalCount: number };
  'scaleway.deleteApiKey': { accessKey: string };
}

const SCALEWAY_TYPES: readonly ScalewayMessageType[] = [
  'scaleway.verifySigner',
  'scaleway.createApiKey',
  'scaleway.listApplications',
  'scaleway.createApplication',
  'scaleway.listProjects',
  'scaleway.listApiKeys',
  'scaleway.deleteApiKey',
];

export function isScalewayMessageType(type: string): type is ScalewayMessageType {
  return (SCALEWAY_TYPES as readonly string[]).includes(type);
}

// ----- validation --------------------------------------------------------------------------------

const MAX_ID = 64;
const MAX_NAME = 64;
const MAX_DESCRIPTION = 200;

type Dict = Record<string, unknown>;

function dict(value: unknown, path: string, allowed: readonly string[]): Dict {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MessageValidationError(`${path} must be an object`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new MessageValidationError(`${path}.${key} is not expected`);
    }
  }
  return value as Dict;
}

function str(value: unknown, path: string, maxLength: number): string {
  if (typeof value !== 'string') {
    throw new MessageValidationError(`${path} must be a string`);
  }
  if ([...value].length > maxLength) {
    throw new MessageValidationError(`${path} is longer than ${maxLength} characters`);
  }
  if (value.trim() === '') {
    throw new MessageValidationError(`${path} must not be empty`);
  }
  return value;
}

/** Copies the optional string fields that are present into `into`. */
function optionalStrings<T extends object>(d: Dict, into: T, fields: [keyof T & string, number][]): T {
  for (const [field, max] of fields) {
    if (d[field] !== undefined) {
      (into as Dict)[field] = str(d[field], field, max);
    }
  }
  return into;
}

function parseSecretManager(value: unknown, path = 'secretManager'): ScalewaySecretManagerTarget {
  const d = dict(value, path, ['region', 'projectId', 'name', 'path']);
  const region = str(d.region, `${path}.region`, 16);
  const known = SCALEWAY_SECRET_MANAGER_REGIONS.find((r) => r === region);
  if (known === undefined) {
    throw new MessageValidationError(`${path}.region must be one of ${SCALEWAY_SECRET_MANAGER_REGIONS.join(', ')}`);
  }
  const target: ScalewaySecretManagerTarget = {
    region: known,
    projectId: str(d.projectId, `${path}.projectId`, MAX_ID),
    name: str(d.name, `${path}.name`, 255),
  };
  if (d.path !== undefined) {
    target.path = str(d.path, `${path}.path`, 255);
  }
  return target;
}

export function parseScalewayMessage(type: ScalewayMessageType, value: unknown): ScalewayRequestMessage {
  switch (type) {
    case 'scaleway.verifySigner': {
      const d = dict(value, 'message', ['type', 'signerId']);
      return { type, signerId: parseSignerId(d.signerId) };
    }
    case 'scaleway.createApiKey': {
      const d = dict(value, 'message', [
        'type',
        'signerId',
        'userId',
        'applicationId',
        'description',
        'expiresAt',
        'defaultProjectId',
        'organizationId',
        'secretManager',
      ]);
      if ((d.userId === undefined) === (d.applicationId === undefined)) {
        throw new MessageValidationError('give exactly one of userId (a key for yourself) and applicationId');
      }
      const message: Extract<ScalewayRequestMessage, { type: 'scaleway.createApiKey' }> = {
        type,
        signerId: parseSignerId(d.signerId),
      };
      optionalStrings(d, message, [
        ['userId', MAX_ID],
        ['applicationId', MAX_ID],
        ['description', MAX_DESCRIPTION],
        ['expiresAt', 64],
        ['defaultProjectId', MAX_ID],
        ['organizationId', MAX_ID],
      ]);
      if (d.secretManager !== undefined) {
        message.secretManager = parseSecretManager(d.secretManager);
      }
      return message;
    }
    case 'scaleway.listApplications': {
      const d = dict(value, 'message', ['type', 'signerId', 'organizationId', 'name']);
      const message: Extract<ScalewayRequestMessage, { type: 'scaleway.listApplications' }> = {
        type,
        signerId: parseSignerId(d.signerId),
        organizationId: str(d.organizationId, 'organizationId', MAX_ID),
      };
      return optionalStrings(d, message, [['name', MAX_NAME]]);
    }
    case 'scaleway.createApplication': {
      const d = dict(value, 'message', ['type', 'signerId', 'organizationId', 'name', 'description']);
      const message: Extract<ScalewayRequestMessage, { type: 'scaleway.createApplication' }> = {
        type,
        signerId: parseSignerId(d.signerId),
        organizationId: str(d.organizationId, 'organizationId', MAX_ID),
        name: str(d.name, 'name', MAX_NAME).trim(),
      };
      return optionalStrings(d, message, [['description', MAX_DESCRIPTION]]);
    }
    case 'scaleway.listProjects': {
      const d = dict(value, 'message', ['type', 'signerId', 'organizationId']);
      return {
        type,
        signerId: parseSignerId(d.signerId),
        organizationId: str(d.organizationId, 'organizationId', MAX_ID),
      };
    }
    case 'scaleway.listApiKeys': {
      const d = dict(value, 'message', ['type', 'signerId', 'bearerType', 'bearerId']);
      const message: Extract<ScalewayRequestMessage, { type: 'scaleway.listApiKeys' }> = {
        type,
        signerId: parseSignerId(d.signerId),
      };
      if (d.bearerType !== undefined) {
        if (d.bearerType !== 'user' && d.bearerType !== 'application') {
          throw new MessageValidationError('bearerType must be "user" or "application"');
        }
        message.bearerType = d.bearerType;
      }
      return optionalStrings(d, message, [['bearerId', MAX_ID]]);
    }
    case 'scaleway.deleteApiKey': {
      const d = dict(value, 'message', ['type', 'signerId', 'accessKey']);
      return {
        type,
        signerId: parseSignerId(d.signerId),
        accessKey: str(d.accessKey, 'accessKey', MAX_ID).trim(),
      };
    }
  }
}
