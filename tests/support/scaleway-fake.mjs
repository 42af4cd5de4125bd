// A strict fake of the parts of the Scaleway API that Keysmith calls. Scaleway has no emulator,
// so this is written from the public API reference and the official SDKs, and errs on the strict
// side: a request it accepts is one the real API documents; anything else gets Scaleway's error
// shapes. It keeps an audit log of every request, so tests can check where secrets went.
//
// References followed (read for the shapes; no code copied):
//  - IAM API v1alpha1, "API keys", "Applications", "Users":
//      https://www.scaleway.com/en/developers/api/iam/  (ListAPIKeys, CreateAPIKey, GetAPIKey,
//      DeleteAPIKey: paths, query parameters, the `bearer` one-of of user_id/application_id,
//      "description (max length is 200 characters)", expires_at "RFC 3339", `secret_key` "only
//      displayed upon API key creation"; CreateApplication: name "max length is 64",
//      description max 200, "You must define the organization_id" for ListApplications)
//  - Account API v3, "Projects": https://www.scaleway.com/en/developers/api/account/project-api/
//      (GET /account/v3/projects with organization_id, name, page, page_size, order_by)
//  - Secret Manager API v1beta1: https://www.scaleway.com/en/developers/api/secret-manager/
//      (CreateSecret fields and `type` enum; CreateSecretVersion: `data` "base64-encoded",
//      `data_crc32` "If specified, Secret Manager will verify the integrity of the data ... An
//      error is returned if the CRC32 does not match"; "The maximum size of a secret is 64 KB";
//      key_value: "Flat JSON ... first level keys and scalar types as values")
//  - Error bodies: the standard errors decoded by scaleway-sdk-go (scw/errors.go) and
//      scaleway-sdk-js (packages/clients/src/scw/errors/standard/*): `type` denied_authentication
//      {method, reason}, invalid_arguments {details[{argument_name, reason, help_message}]},
//      permissions_denied {details[{resource, action}]}, quotas_exceeded {details[{resource,
//      quota, current}]}, not_found {resource, resource_id}, already_exists {resource,
//      resource_id, help_message}; statuses as in those SDKs' fixtures (401, 400, 403, 403, 404,
//      409; quotas_exceeded comes with 403 there, not 409).
//  - IAM "Get security settings of an Organization":
//      GET /iam/v1alpha1/organizations/{organization_id}/security-settings (scaleway-sdk-python
//      IamV1Alpha1API.get_organization_security_settings) answers OrganizationSecuritySettings:
//      enforce_password_renewal, grace_period_duration, login_attempts_before_locked,
//      max_login_session_duration, max_api_key_expiration_duration ("Maximum duration the
//      `expires_at` field of an API key can represent. A value of 0 means there is no maximum
//      duration. (in seconds)"; protobuf JSON durations such as "2592000s"). Fake's choice: reading
//      them needs IAM read access, and with a maximum set a key that never expires is refused too.
//  - Key formats: access key "SCW" + 17 upper-case letters or digits, secret key a UUID.
//
// Where the reference is silent, the fake chooses and says so below (marked "fake's choice").

import { randomInt, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { crc32 } from 'node:zlib';
import { watchEmulator } from './leak-audit.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACCESS_KEY = /^SCW[A-Z0-9]{17}$/;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const REGIONS = ['fr-par', 'nl-ams', 'pl-waw'];
const SECRET_TYPES = ['opaque', 'certificate', 'key_value', 'basic_credentials', 'database_credentials', 'ssh_key'];

// Bounds, so that no test (or bug) can make the fake grow without limit.
const MAX_BODY_BYTES = 256 * 1024;
const MAX_AUDIT_ENTRIES = 5_000;
const MAX_SECRET_DATA = 64 * 1024;
const STOP_TIMEOUT_MS = 5_000;
// Fake's choice: the reference does not state the default page size.
const DEFAULT_PAGE_SIZE = 20;

const ALL_PERMISSION_SETS = ['IAMManager', 'ProjectManager', 'SecretManagerFullAccess'];

export function makeAccessKey() {
  let key = 'SCW';
  for (let i = 0; i < 17; i += 1) {
    key += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  }
  return key;
}

/** Scaleway writes timestamps with microseconds: 2022-03-22T12:34:56.123456Z. */
function timestamp(ms = Date.now()) {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A typed error, thrown by handlers and turned into Scaleway's JSON error body. */
class ApiError extends Error {
  constructor(status, body) {
    super(body.message ?? body.type);
    this.status = status;
    this.body = body;
  }
}

const denied = (reason) =>
  new ApiError(401, { message: 'authentication is denied', method: 'api_key', reason, type: 'denied_authentication' });
const invalidArguments = (details) =>
  new ApiError(400, { details, message: 'invalid argument(s)', type: 'invalid_arguments' });
const argument = (name, reason, help) => invalidArguments([{ argument_name: name, reason, help_message: help }]);
const permissionsDenied = (resource, action) =>
  new ApiError(403, { details: [{ action, resource }], message: 'insufficient permissions', type: 'permissions_denied' });
const notFound = (resource, id) =>
  new ApiError(404, { message: 'resource is not found', resource, resource_id: id, type: 'not_found' });

/**
 * Checks a JSON body against a schema of allowed fields: unknown fields, wrong types and
 * missing required fields are `invalid_arguments`, reported all at once as Scaleway does.
 * schema: { field: { type: 'string'|'boolean'|'uint32'|'string[]'|'object', required?: true } }
 */
function checkBody(body, schema) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw argument('body', 'format', 'the request body must be a JSON object');
  }
  const details = [];
  for (const key of Object.keys(body)) {
    if (!(key in schema)) {
      details.push({ argument_name: key, reason: 'unknown', help_message: 'unknown field: the API reference does not define it' });
    }
  }
  for (const [key, rule] of Object.entries(schema)) {
    const value = body[key];
    if (value === undefined || value === null) {
      if (rule.required) {
        details.push({ argument_name: key, reason: 'required', help_message: `${key} is required` });
      }
      continue;
    }
    const ok =
      (rule.type === 'string' && typeof value === 'string') ||
      (rule.type === 'boolean' && typeof value === 'boolean') ||
      (rule.type === 'uint32' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) ||
      (rule.type === 'string[]' && Array.isArray(value) && value.every((v) => typeof v === 'string')) ||
      (rule.type === 'object' && typeof value === 'object' && !Array.isArray(value));
    if (!ok) {
      details.push({ argument_name: key, reason: 'format', help_message: `${key} must be of type ${rule.type}` });
    }
  }
  if (details.length > 0) {
    throw invalidArguments(details);
  }
}

function checkUuid(name, value) {
  if (!UUID.test(value)) {
    throw argument(name, 'format', `${name} must be a UUID`);
  }
}

/** Reads page and page_size ("page ... greater or equal to 1", "page_size ... between 1 and 100"). */
function pageOf(query, items) {
  const page = query.has('page') ? Number(query.get('page')) : 1;
  const size = query.has('page_size') ? Number(query.get('page_size')) : DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(page) || page < 1) {
    throw argument('page', 'constraint', 'page must be greater or equal to 1');
  }
  if (!Number.isInteger(size) || size < 1 || size > 100) {
    throw argument('page_size', 'constraint', 'page_size must be between 1 and 100');
  }
  return { items: items.slice((page - 1) * size, page * size), total_count: items.length };
}

/** Refuses query parameters the endpoint does not define. */
function checkQuery(query, allowed) {
  const details = [];
  for (const key of new Set(query.keys())) {
    if (!allowed.includes(key)) {
      details.push({ argument_name: key, reason: 'unknown', help_message: 'unknown query parameter' });
    }
  }
  if (details.length > 0) {
    throw invalidArguments(details);
  }
}

function parseRfc3339(value) {
  // RFC 3339 date-time with upper-case T and Z (or an offset), as protobuf's Timestamp takes it.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    return null;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * @typedef {object} AuditEntry
 * @property {string} method
 * @property {string} path      without the query
 * @property {string} query     the raw query string ('' if none)
 * @property {Record<string, string|string[]>} headers  as received (names lower-cased)
 * @property {string} body      raw body text
 * @property {number} status    the status the fake answered
 */

/**
 * Starts the fake on a random loopback port.
 * @param {{maxApiKeyExpirationMs?: number}} [options]  maxApiKeyExpirationMs: the Organization's
 *   maximum key lifetime (a security setting); unlimited when absent.
 */
export async function startScalewayFake(options = {}) {
  const organizationId = randomUUID();
  const projects = [
    { id: randomUUID(), name: 'default', organization_id: organizationId, description: 'Default project', created_at: timestamp(), updated_at: timestamp() },
    { id: randomUUID(), name: 'production', organization_id: organizationId, description: '', created_at: timestamp(), updated_at: timestamp() },
  ];
  /** @type {Map<string, object>} principals by id: users and applications */
  const users = new Map();
  const applications = new Map();
  /** @type {Map<string, object>} API keys by access key, with their secrets */
  const apiKeys = new Map();
  /** @type {Map<string, object>} secrets by id */
  const secrets = new Map();
  /** Every secret key ever issued, deleted keys' included. */
  const issued = [];
  const audit = [];
  let auditDropped = 0;
  let apiKeyQuota = 10;
  let maxApiKeyExpirationMs = options.maxApiKeyExpirationMs;
  const faults = [];

  function addUser(email, permissionSets, type = 'member') {
    const user = {
      id: randomUUID(),
      email,
      username: email.split('@')[0],
      organization_id: organizationId,
      type,
      status: 'activated',
      mfa: false,
      created_at: timestamp(),
      updated_at: timestamp(),
      tags: [],
      permissionSets,
    };
    users.set(user.id, user);
    return user;
  }

  function addApplication(name, description, permissionSets = []) {
    const app = {
      id: randomUUID(),
      name,
      description,
      organization_id: organizationId,
      created_at: timestamp(),
      updated_at: timestamp(),
      editable: true,
      deletable: true,
      managed: false,
      tags: [],
      permissionSets,
    };
    applications.set(app.id, app);
    return app;
  }

  function addKey(bearer, fields = {}) {
    const key = {
      access_key: makeAccessKey(),
      secret_key: randomUUID(),
      user_id: bearer.type === 'user' ? bearer.id : null,
      application_id: bearer.type === 'application' ? bearer.id : null,
      description: fields.description ?? '',
      created_at: timestamp(),
      updated_at: timestamp(),
      expires_at: fields.expires_at ?? null,
      default_project_id: fields.default_project_id ?? projects[0].id,
      editable: true,
      deletable: true,
      managed: false,
      creation_ip: '127.0.0.1',
    };
    apiKeys.set(key.access_key, key);
    issued.push(key.secret_key);
    return key;
  }

  // The signer: the Organization's owner, as in the console's first API key.
  const owner = addUser('owner@example.com', ALL_PERMISSION_SETS, 'owner');
  const signerKey = addKey({ type: 'user', id: owner.id }, { description: 'Keysmith signer' });
  // A member without any policy: authenticates, but may only touch its own user and keys.
  const member = addUser('member@example.com', []);
  const memberKey = addKey({ type: 'user', id: member.id }, { description: 'no policy' });
  // An application with IAM read access, whose key can sign too.
  const readerApp = addApplication('ci-reader', 'reads IAM', ['IAMReadOnly']);
  const readerKey = addKey({ type: 'application', id: readerApp.id }, { description: 'reader' });
  // A key that expired yesterday.
  const expiredKey = addKey({ type: 'user', id: owner.id }, { description: 'old', expires_at: timestamp(Date.now() - 86_400_000) });
  // An existing application to create keys for.
  const deployApp = addApplication('ci-deployer', 'deploys from CI');

  const publicKey = (key) => {
    const { secret_key: _secret, ...rest } = key;
    return rest;
  };
  const publicPrincipal = ({ permissionSets: _sets, ...rest }) => rest;
  const publicSecret = ({ versions, ...rest }) => ({ ...rest, version_count: versions.length });
  const publicApplication = (app) => ({
    ...publicPrincipal(app),
    nb_api_keys: [...apiKeys.values()].filter((k) => k.application_id === app.id).length,
  });

  /** The caller, from X-Auth-Token; 401 denied_authentication otherwise. */
  function authenticate(headers) {
    const token = headers['x-auth-token'];
    if (typeof token !== 'string' || token === '') {
      throw denied('invalid_argument');
    }
    if (!UUID.test(token)) {
      throw denied('invalid_argument');
    }
    const key = [...apiKeys.values()].find((k) => k.secret_key === token);
    if (key === undefined) {
      throw denied('not_found');
    }
    if (key.expires_at !== null && Date.parse(key.expires_at) <= Date.now()) {
      throw denied('expired');
    }
    const principal = key.user_id !== null ? users.get(key.user_id) : applications.get(key.application_id);
    return { key, principal, type: key.user_id !== null ? 'user' : 'application' };
  }

  /** Permission check (fake's choice of resource names in the error details). */
  function requirePermission(caller, sets, resource, action) {
    const granted = caller.principal.permissionSets;
    if (!sets.some((s) => granted.includes(s))) {
      throw permissionsDenied(resource, action);
    }
  }
  const iamRead = ['IAMManager', 'IAMReadOnly'];
  const iamAppWrite = ['IAMManager', 'IAMApplicationManager'];

  function listApiKeys(caller, query) {
    checkQuery(query, ['order_by', 'page', 'page_size', 'organization_id', 'editable', 'expired', 'access_key', 'description', 'bearer_id', 'bearer_type', 'access_keys', 'application_id', 'user_id']);
    const bearerId = query.get('bearer_id');
    const bearerType = query.get('bearer_type');
    if (bearerId !== null) {
      checkUuid('bearer_id', bearerId);
    }
    if (bearerType !== null && !['unknown_bearer_type', 'user', 'application'].includes(bearerType)) {
      throw argument('bearer_type', 'constraint', 'bearer_type must be user or application');
    }
    if (query.has('organization_id')) {
      checkUuid('organization_id', query.get('organization_id'));
    }
    for (const flag of ['expired', 'editable']) {
      if (query.has(flag) && !['true', 'false'].includes(query.get(flag))) {
        throw argument(flag, 'format', `${flag} must be true or false`);
      }
    }
    // Anyone may list their own keys; listing others' needs IAM read access.
    if (bearerId !== caller.principal.id) {
      requirePermission(caller, iamRead, 'iam_api_key', 'read');
    }
    let keys = [...apiKeys.values()];
    if (bearerId !== null) {
      keys = keys.filter((k) => k.user_id === bearerId || k.application_id === bearerId);
    }
    if (bearerType === 'user' || bearerType === 'application') {
      keys = keys.filter((k) => (bearerType === 'user' ? k.user_id !== null : k.application_id !== null));
    }
    if (query.get('expired') === 'false') {
      keys = keys.filter((k) => k.expires_at === null || Date.parse(k.expires_at) > Date.now());
    }
    const { items, total_count } = pageOf(query, keys);
    return { api_keys: items.map(publicKey), total_count };
  }

  function createApiKey(caller, body) {
    checkBody(body, {
      application_id: { type: 'string' },
      user_id: { type: 'string' },
      expires_at: { type: 'string' },
      default_project_id: { type: 'string' },
      description: { type: 'string' },
    });
    const hasUser = typeof body.user_id === 'string';
    const hasApp = typeof body.application_id === 'string';
    if (hasUser === hasApp) {
      throw invalidArguments([
        { argument_name: 'user_id', reason: 'constraint', help_message: 'exactly one of user_id and application_id is required' },
        { argument_name: 'application_id', reason: 'constraint', help_message: 'exactly one of user_id and application_id is required' },
      ]);
    }
    const bearerName = hasUser ? 'user_id' : 'application_id';
    const bearerId = hasUser ? body.user_id : body.application_id;
    checkUuid(bearerName, bearerId);
    const description = body.description ?? '';
    if ([...description].length > 200) {
      throw argument('description', 'constraint', 'the description must be at most 200 characters long');
    }
    let expiresAt = null;
    if (body.expires_at !== undefined && body.expires_at !== null) {
      const ms = parseRfc3339(body.expires_at);
      if (ms === null) {
        throw argument('expires_at', 'format', 'expires_at must be an RFC 3339 date-time');
      }
      if (ms <= Date.now()) {
        throw argument('expires_at', 'constraint', 'the expiration date must be in the future');
      }
      if (maxApiKeyExpirationMs !== undefined && ms > Date.now() + maxApiKeyExpirationMs) {
        throw argument('expires_at', 'constraint', `the expiration date must be before ${timestamp(Date.now() + maxApiKeyExpirationMs)} (the Organization's maximum API key lifetime)`);
      }
      expiresAt = timestamp(ms);
    } else if (maxApiKeyExpirationMs !== undefined) {
      throw argument('expires_at', 'required', "the Organization's security settings require API keys to expire");
    }
    if (body.default_project_id !== undefined && body.default_project_id !== null) {
      checkUuid('default_project_id', body.default_project_id);
    }
    // "You can generate API keys for your own user, but not for other IAM users."
    if (hasUser) {
      if (!users.has(bearerId)) {
        throw notFound('user', bearerId);
      }
      if (bearerId !== caller.principal.id) {
        throw permissionsDenied('iam_api_key', 'write');
      }
    } else {
      requirePermission(caller, iamAppWrite, 'iam_api_key', 'write');
      if (!applications.has(bearerId)) {
        throw notFound('application', bearerId);
      }
    }
    if (body.default_project_id && !projects.some((p) => p.id === body.default_project_id)) {
      throw notFound('project', body.default_project_id);
    }
    const current = [...apiKeys.values()].filter((k) => k.user_id === bearerId || k.application_id === bearerId).length;
    if (current >= apiKeyQuota) {
      throw new ApiError(403, {
        details: [{ current, quota: apiKeyQuota, resource: 'api_keys_per_bearer' }],
        message: 'quota(s) exceeded for this resource',
        type: 'quotas_exceeded',
      });
    }
    const key = addKey(
      { type: hasUser ? 'user' : 'application', id: bearerId },
      { description, expires_at: expiresAt, default_project_id: body.default_project_id ?? projects[0].id },
    );
    // The only answer that ever carries secret_key.
    return { ...key };
  }

  function securitySettings(caller, org) {
    checkUuid('organization_id', org);
    requirePermission(caller, iamRead, 'iam_organization_security_settings', 'read');
    if (org !== organizationId) {
      throw notFound('organization', org);
    }
    const seconds = maxApiKeyExpirationMs === undefined ? 0 : Math.floor(maxApiKeyExpirationMs / 1000);
    return {
      enforce_password_renewal: false,
      grace_period_duration: '604800s',
      login_attempts_before_locked: 5,
      max_login_session_duration: '43200s',
      max_api_key_expiration_duration: `${seconds}s`,
    };
  }

  /** Reading one's own user or application needs no policy; anything else does. */
  function requireUnlessSelf(caller, id, sets, resource) {
    if (id !== caller.principal.id) {
      requirePermission(caller, sets, resource, 'read');
    }
  }

  function createApplication(caller, body) {
    checkBody(body, {
      name: { type: 'string', required: true },
      organization_id: { type: 'string' },
      description: { type: 'string' },
      tags: { type: 'string[]' },
    });
    if (body.name.length === 0 || [...body.name].length > 64) {
      throw argument('name', 'constraint', 'the name must be 1 to 64 characters long');
    }
    if ([...(body.description ?? '')].length > 200) {
      throw argument('description', 'constraint', 'the description must be at most 200 characters long');
    }
    if ((body.tags ?? []).length > 10) {
      throw argument('tags', 'constraint', 'at most 10 tags');
    }
    const org = body.organization_id ?? organizationId;
    checkUuid('organization_id', org);
    requirePermission(caller, iamAppWrite, 'iam_application', 'write');
    if (org !== organizationId) {
      throw notFound('organization', org);
    }
    const app = addApplication(body.name, body.description ?? '');
    app.tags = body.tags ?? [];
    return publicApplication(app);
  }

  function listApplications(caller, query) {
    checkQuery(query, ['order_by', 'page_size', 'page', 'name', 'organization_id', 'editable', 'application_ids', 'tag']);
    const org = query.get('organization_id');
    if (org === null) {
      throw argument('organization_id', 'required', 'organization_id is required');
    }
    checkUuid('organization_id', org);
    requirePermission(caller, iamRead, 'iam_application', 'read');
    let apps = org === organizationId ? [...applications.values()] : [];
    const name = query.get('name');
    if (name !== null) {
      apps = apps.filter((a) => a.name.includes(name));
    }
    const { items, total_count } = pageOf(query, apps);
    return { applications: items.map(publicApplication), total_count };
  }

  function listProjects(caller, query) {
    checkQuery(query, ['organization_id', 'name', 'page', 'page_size', 'order_by', 'project_ids']);
    const org = query.get('organization_id');
    if (org === null) {
      throw argument('organization_id', 'required', 'organization_id is required');
    }
    checkUuid('organization_id', org);
    requirePermission(caller, ['ProjectManager', 'ProjectReadOnly'], 'account_project', 'read');
    let list = org === organizationId ? projects : [];
    const name = query.get('name');
    if (name !== null) {
      list = list.filter((p) => p.name.includes(name));
    }
    const { items, total_count } = pageOf(query, list);
    return { total_count, projects: items };
  }

  function createSecret(caller, region, body) {
    checkBody(body, {
      project_id: { type: 'string', required: true },
      name: { type: 'string', required: true },
      tags: { type: 'string[]' },
      description: { type: 'string' },
      type: { type: 'string' },
      path: { type: 'string' },
      ephemeral_policy: { type: 'object' },
      protected: { type: 'boolean' },
      key_id: { type: 'string' },
    });
    checkUuid('project_id', body.project_id);
    // Fake's choice: names of 1-255 characters without '/', paths starting with '/'.
    if (body.name.length === 0 || body.name.length > 255 || body.name.includes('/')) {
      throw argument('name', 'constraint', 'the name must be 1 to 255 characters, without /');
    }
    const path = body.path ?? '/';
    if (!path.startsWith('/')) {
      throw argument('path', 'format', 'the path must start with /');
    }
    const type = body.type ?? 'opaque';
    if (!SECRET_TYPES.includes(type)) {
      throw argument('type', 'constraint', `type must be one of ${SECRET_TYPES.join(', ')}`);
    }
    requirePermission(caller, ['SecretManagerFullAccess'], 'secret_manager_secret', 'write');
    if (!projects.some((p) => p.id === body.project_id)) {
      throw notFound('project', body.project_id);
    }
    const clash = [...secrets.values()].find((s) => s.region === region && s.project_id === body.project_id && s.path === path && s.name === body.name);
    if (clash !== undefined) {
      throw new ApiError(409, {
        help_message: `a secret named ${body.name} already exists at path ${path}`,
        message: 'resource already exists',
        resource: 'secret',
        resource_id: clash.id,
        type: 'already_exists',
      });
    }
    const secret = {
      id: randomUUID(),
      project_id: body.project_id,
      name: body.name,
      status: 'ready',
      created_at: timestamp(),
      updated_at: timestamp(),
      tags: body.tags ?? [],
      version_count: 0,
      description: body.description ?? null,
      managed: false,
      protected: body.protected ?? false,
      type,
      path,
      region,
      versions: [],
    };
    secrets.set(secret.id, secret);
    return publicSecret(secret);
  }


  function createVersion(caller, region, secretId, body) {
    checkBody(body, {
      data: { type: 'string', required: true },
      description: { type: 'string' },
      disable_previous: { type: 'boolean' },
      data_crc32: { type: 'uint32' },
    });
    checkUuid('secret_id', secretId);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body.data) || body.data.length % 4 !== 0) {
      throw argument('data', 'format', 'data must be base64-encoded');
    }
    const data = Buffer.from(body.data, 'base64');
    if (data.length === 0 || data.length > MAX_SECRET_DATA) {
      throw argument('data', 'constraint', 'a version holds 1 byte to 64 KB');
    }
    if (body.data_crc32 !== undefined && body.data_crc32 !== crc32(data)) {
      throw argument('data_crc32', 'constraint', 'the CRC32 of the data does not match data_crc32');
    }
    requirePermission(caller, ['SecretManagerFullAccess'], 'secret_manager_secret', 'write');
    const secret = secrets.get(secretId);
    if (secret === undefined || secret.region !== region) {
      throw notFound('secret', secretId);
    }
    if (secret.type === 'key_value') {
      let parsed;
      try {
        parsed = JSON.parse(data.toString('utf8'));
      } catch {
        throw argument('data', 'constraint', 'a key_value secret holds a flat JSON object');
      }
      const flat =
        parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) &&
        Object.values(parsed).every((v) => ['string', 'number', 'boolean'].includes(typeof v));
      if (!flat) {
        throw argument('data', 'constraint', 'a key_value secret holds a flat JSON object of scalars');
      }
    }
    if (body.disable_previous === true) {
      for (const v of secret.versions) {
        v.status = 'disabled';
      }
    }
    const version = {
      revision: secret.versions.length + 1,
      secret_id: secret.id,
      status: 'enabled',
      created_at: timestamp(),
      updated_at: timestamp(),
      deleted_at: null,
      description: body.description ?? null,
      latest: true,
      ephemeral_properties: null,
      deletion_requested_at: null,
      region,
      data,
      data_crc32: body.data_crc32 ?? null,
    };
    for (const v of secret.versions) {
      v.latest = false;
    }
    secret.versions.push(version);
    const { data: _d, data_crc32: _c, ...shown } = version;
    return shown;
  }

  /** Routes one request; returns [status, body] or throws ApiError. */
  function route(method, path, query, headers, rawBody) {
    const caller = authenticate(headers);
    const json = () => {
      const type = String(headers['content-type'] ?? '');
      if (!type.startsWith('application/json')) {
        throw argument('body', 'format', 'the request body must be JSON (Content-Type: application/json)');
      }
      try {
        return JSON.parse(rawBody);
      } catch {
        throw argument('body', 'format', 'the request body is not valid JSON');
      }
    };
    const noBody = () => {
      if (rawBody.length > 0) {
        throw argument('body', 'constraint', `${method} takes no body`);
      }
    };
    // Only the list endpoints define query parameters (checked there).
    const isList = method === 'GET' && ['/iam/v1alpha1/api-keys', '/iam/v1alpha1/applications', '/account/v3/projects'].includes(path);
    if (!isList) {
      checkQuery(query, []);
    }
    let m;
    if (path === '/iam/v1alpha1/api-keys') {
      if (method === 'GET') return [200, listApiKeys(caller, query)];
      if (method === 'POST') return [200, createApiKey(caller, json())];
    } else if ((m = /^\/iam\/v1alpha1\/api-keys\/([^/]+)$/.exec(path))) {
      const accessKey = decodeURIComponent(m[1]);
      if (!ACCESS_KEY.test(accessKey)) {
        throw argument('access_key', 'format', 'access_key must be SCW followed by 17 upper-case letters or digits');
      }
      const key = apiKeys.get(accessKey);
      const own = key !== undefined && (key.user_id ?? key.application_id) === caller.principal.id;
      if (method === 'GET') {
        noBody();
        if (!own) requirePermission(caller, iamRead, 'iam_api_key', 'read');
        if (key === undefined) throw notFound('api_key', accessKey);
        return [200, publicKey(key)];
      }
      if (method === 'DELETE') {
        noBody();
        if (!own) requirePermission(caller, ['IAMManager'], 'iam_api_key', 'delete');
        if (key === undefined) throw notFound('api_key', accessKey);
        apiKeys.delete(accessKey);
        return [204, null];
      }
    } else if (path === '/iam/v1alpha1/applications') {
      if (method === 'GET') return [200, listApplications(caller, query)];
      if (method === 'POST') return [200, createApplication(caller, json())];
    } else if ((m = /^\/iam\/v1alpha1\/applications\/([^/]+)$/.exec(path))) {
      if (method === 'GET') {
        noBody();
        checkUuid('application_id', m[1]);
        requireUnlessSelf(caller, m[1], iamRead, 'iam_application');
        const app = applications.get(m[1]);
        if (app === undefined) throw notFound('application', m[1]);
        return [200, publicApplication(app)];
      }
    } else if ((m = /^\/iam\/v1alpha1\/users\/([^/]+)$/.exec(path))) {
      if (method === 'GET') {
        noBody();
        checkUuid('user_id', m[1]);
        requireUnlessSelf(caller, m[1], iamRead, 'iam_user');
        const user = users.get(m[1]);
        if (user === undefined) throw notFound('user', m[1]);
        return [200, publicPrincipal(user)];
      }
    } else if ((m = /^\/iam\/v1alpha1\/organizations\/([^/]+)\/security-settings$/.exec(path))) {
      if (method === 'GET') {
        noBody();
        return [200, securitySettings(caller, m[1])];
      }
    } else if (path === '/account/v3/projects') {
      if (method === 'GET') return [200, listProjects(caller, query)];
    } else if ((m = /^\/secret-manager\/v1beta1\/regions\/([^/]+)\/secrets(?:\/([^/]+)(\/versions)?)?$/.exec(path))) {
      const [, region, secretId, versions] = m;
      if (!REGIONS.includes(region)) {
        throw argument('region', 'constraint', `region must be one of ${REGIONS.join(', ')}`);
      }
      if (secretId === undefined && method === 'POST') return [200, createSecret(caller, region, json())];
      if (secretId !== undefined && versions !== undefined && method === 'POST') {
        return [200, createVersion(caller, region, secretId, json())];
      }
      if (secretId !== undefined && versions === undefined && method === 'DELETE') {
        noBody();
        checkUuid('secret_id', secretId);
        requirePermission(caller, ['SecretManagerFullAccess'], 'secret_manager_secret', 'delete');
        const secret = secrets.get(secretId);
        if (secret === undefined || secret.region !== region) throw notFound('secret', secretId);
        secrets.delete(secretId);
        return [204, null];
      }
    } else {
      // Fake's choice: an unknown path is a not_found of resource "route".
      throw notFound('route', path);
    }
    throw new ApiError(405, { message: `method ${method} not allowed on ${path}`, type: 'invalid_request_error' });
  }

  function record(entry) {
    audit.push(entry);
    if (audit.length > MAX_AUDIT_ENTRIES) {
      audit.shift();
      auditDropped += 1;
    }
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake.invalid');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const entry = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.search.replace(/^\?/, ''),
        headers: { ...req.headers },
        body: rawBody,
        status: 0,
      };
      let status;
      let payload;
      const fault = faults.findIndex((f) => f.method === entry.method && f.path.test(entry.path));
      if (tooLarge) {
        status = 413;
        payload = JSON.stringify({ message: 'request entity too large', type: 'invalid_request_error' });
      } else if (fault !== -1) {
        const [injected] = faults.splice(fault, 1);
        status = injected.status;
        payload = injected.body;
      } else {
        try {
          const [okStatus, body] = route(entry.method, entry.path, url.searchParams, req.headers, rawBody);
          status = okStatus;
          payload = body === null ? '' : JSON.stringify(body);
        } catch (error) {
          if (!(error instanceof ApiError)) {
            throw error;
          }
          status = error.status;
          payload = JSON.stringify(error.body);
        }
      }
      entry.status = status;
      record(entry);
      res.writeHead(status, payload === '' ? {} : { 'content-type': 'application/json' });
      res.end(payload);
    });
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 1_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('the Scaleway fake has no TCP address');
  }
  const url = `http://127.0.0.1:${address.port}`;
  // The fake's part in the leak audit (tests/support/leak-audit.mjs): every secret key it issued;
  // in what it received, a secret key only as the X-Auth-Token header (the key's own use), a
  // created key in the body of a Secret Manager version (a push the user chose), nothing else.
  watchEmulator({
    secrets: () => issued.map((text, i) => ({ label: `Scaleway secret key #${i}`, text, kind: 'provider' })),
    requestHits: (search) => [
      ...(auditDropped > 0 ? [`the Scaleway fake dropped ${auditDropped} requests from its log unaudited`] : []),
      ...audit.flatMap(({ method, path, query, headers, body }) => {
        const { 'x-auth-token': token, ...rest } = headers;
        const where = `request to the Scaleway fake ${method} ${path}`;
        const push = method === 'POST' && /^\/secret-manager\/v1beta1\/regions\/[^/]+\/secrets\/[^/]+\/versions$/.test(path);
        return [
          ...search(JSON.stringify({ path, query, headers: rest })).map((label) => `${where}: ${label}`),
          ...search(String(token ?? ''), (secret) => secret.text === token && issued.includes(token)).map((label) => `${where} (X-Auth-Token): ${label}`),
          ...search(body, (secret) => push && secret.kind !== 'passphrase').map((label) => `${where} (body): ${label}`),
        ];
      }),
    ],
  });
  const credentialsOf = (key) => ({ accessKey: key.access_key, secretKey: key.secret_key });

  return {
    url,
    port: address.port,
    organizationId,
    projects: projects.map((p) => ({ id: p.id, name: p.name })),
    /** The Organization owner's key: every permission. */
    signer: { ...credentialsOf(signerKey), userId: owner.id },
    /** A member without policies: may manage only its own keys. */
    member: { ...credentialsOf(memberKey), userId: member.id },
    /** An application's key with IAM read access only. */
    reader: { ...credentialsOf(readerKey), applicationId: readerApp.id },
    /** A key whose expiry has passed. */
    expired: credentialsOf(expiredKey),
    /** An application that exists before the tests start. */
    deployApp: { id: deployApp.id, name: deployApp.name },
    /** @returns {AuditEntry[]} a copy of every request received so far (oldest dropped past 5000) */
    audit: () => structuredClone(audit),
    auditDropped: () => auditDropped,
    clearAudit: () => {
      audit.length = 0;
    },
    /** Test-side inspection: the stored key, secret included (never sent by GET). */
    apiKey: (accessKey) => {
      const key = apiKeys.get(accessKey);
      return key === undefined ? undefined : { ...key };
    },
    /** Every secret key the fake has issued: the signers' and every created key's, deleted or not. */
    allSecretKeys: () => [...issued],
    /** Test-side inspection of Secret Manager: secrets with their versions' decoded data. */
    secrets: () =>
      [...secrets.values()].map((s) => ({
        ...publicSecret(s),
        versions: s.versions.map((v) => ({ revision: v.revision, status: v.status, data: Buffer.from(v.data), dataCrc32: v.data_crc32 })),
      })),
    setApiKeyQuota: (n) => {
      apiKeyQuota = n;
    },
    /** The Organization's maximum API key lifetime in ms (a security setting); undefined: none. */
    setMaxApiKeyExpirationMs: (ms) => {
      maxApiKeyExpirationMs = ms;
    },
    /**
     * Answers the next request matching method and path with status and raw body, once.
     * @param {{method: string, path: RegExp, status: number, body: string}} fault
     */
    failNext: (fault) => {
      faults.push(fault);
    },
    stop: async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      let timer;
      await Promise.race([
        closed,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('the Scaleway fake did not stop in time')), STOP_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
