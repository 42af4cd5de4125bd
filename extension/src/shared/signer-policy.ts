// The least-privilege IAM policy for the "key issuer" user whose key signs Keysmith's requests,
// and a variant that requires MFA. The README's "Signer policy" section shows the same JSON (an
// end-to-end test compares them).

const ISSUE_KEYS = {
  Sid: 'KeysmithAccessKeys',
  Effect: 'Allow',
  Action: [
    'iam:CreateAccessKey',
    'iam:ListAccessKeys',
    'iam:GetAccessKeyLastUsed',
    'iam:UpdateAccessKey',
    'iam:DeleteAccessKey',
  ],
  Resource: 'arn:aws:iam::*:user/*',
};

const EC2_KEY_PAIRS = {
  Sid: 'KeysmithEc2KeyPairs',
  Effect: 'Allow',
  Action: ['ec2:CreateKeyPair', 'ec2:DescribeKeyPairs', 'ec2:DeleteKeyPair'],
  Resource: '*',
};

/** The optional push of a created access key to AWS Secrets Manager. */
const SECRETS_PUSH = {
  Sid: 'KeysmithSecretsManagerPush',
  Effect: 'Allow',
  Action: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'],
  Resource: 'arn:aws:secretsmanager:*:*:secret:*',
};

/**
 * The IAM user screen, kept out of the issuer's policy: who may create users and attach
 * policies to them can make themselves more powerful. The condition limits attachments to the
 * popup's two templates; add a custom policy's ARN to it deliberately, if ever.
 */
const USER_SCREEN = {
  Sid: 'KeysmithIamUsers',
  Effect: 'Allow',
  Action: ['iam:CreateUser', 'iam:AttachUserPolicy', 'iam:ListAttachedUserPolicies'],
  Resource: 'arn:aws:iam::*:user/*',
  Condition: {
    ArnEqualsIfExists: {
      'iam:PolicyARN': ['arn:aws:iam::aws:policy/AmazonEC2FullAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
    },
  },
};

type Statement = Record<string, unknown>;

function policy(statements: Statement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
}

const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };

const ISSUER = [ISSUE_KEYS, EC2_KEY_PAIRS, SECRETS_PUSH];

/** What the popup's key flows call (create, two-key choice, rotation, orphans, push), and nothing more. */
export const SIGNER_POLICY = policy(ISSUER);

/** The same, usable only with credentials from an MFA sign-in (GetSessionToken with a code). */
export const SIGNER_POLICY_MFA = policy(ISSUER.map((statement) => ({ ...statement, Condition: MFA })));

/** An addition, only for a signer that should also run the IAM user screen. */
export const SIGNER_POLICY_USERS = policy([USER_SCREEN]);
