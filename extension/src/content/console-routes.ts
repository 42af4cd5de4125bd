// Route detection for the console content scripts, from the URL alone (no DOM): which page of
// which console this is, and the names in it. Pure functions, so they are easy to test.

export type AwsRoute =
  | { kind: 'iam-user'; userName: string }
  | { kind: 'iam-create-access-key'; userName: string }
  | { kind: 'ec2-key-pairs'; region: string }
  | { kind: 'other' };

export type ScalewayRoute =
  | { kind: 'api-keys' }
  | { kind: 'application'; applicationId: string }
  | { kind: 'other' };

const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/**
 * The AWS console: IAM is a hash-routed app under /iam/ (`#/users/details/NAME?section=…`,
 * `#/users/details/NAME/create-access-key`); EC2 key pairs live at /ec2/…#KeyPairs:, in the
 * region of the `region` query parameter, else of the host (us-west-2.console.aws.amazon.com).
 */
export function parseAwsRoute(href: string): AwsRoute {
  const url = new URL(href);
  const path = url.pathname;
  const hash = url.hash.replace(/^#/, '');
  if (/^\/iam(\/|$)/.test(path)) {
    const route = hash.split('?')[0] ?? '';
    const match = /^\/users\/details\/([^/]+)(\/create-access-key)?\/?$/.exec(route);
    const userName = match?.[1] === undefined ? undefined : decode(match[1]);
    if (match !== null && userName !== undefined && IAM_USER_NAME.test(userName)) {
      return match[2] === undefined ? { kind: 'iam-user', userName } : { kind: 'iam-create-access-key', userName };
    }
    return { kind: 'other' };
  }
  if (/^\/ec2(\/|$)/.test(path) && /^KeyPairs(:|$)/.test(hash)) {
    const fromQuery = url.searchParams.get('region') ?? '';
    const fromHash = /[:;]region=([a-z0-9-]+)/.exec(hash)?.[1] ?? '';
    const fromHost = url.hostname.split('.')[0] ?? '';
    const region = [fromQuery, fromHash, fromHost].find((candidate) => REGION.test(candidate));
    return { kind: 'ec2-key-pairs', region: region ?? 'us-east-1' };
  }
  return { kind: 'other' };
}

/** The Scaleway console routes by path: /iam/api-keys, /iam/applications/<uuid>[/…]. */
export function parseScalewayRoute(href: string): ScalewayRoute {
  const path = new URL(href).pathname.replace(/\/+$/, '');
  if (/^(\/organization\/[^/]+)?\/iam\/api-keys$/.test(path)) {
    return { kind: 'api-keys' };
  }
  const app = /^(?:\/organization\/[^/]+)?\/iam\/applications\/([0-9a-f-]{36})(\/[\w-]+)?$/.exec(path);
  if (app?.[1] !== undefined && UUID.test(app[1])) {
    return { kind: 'application', applicationId: app[1] };
  }
  return { kind: 'other' };
}
