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

type Statement = Record<string, unknown>;

function policy(statements: Statement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
}

const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };

/** What the popup's flows call, and nothing more. */
export const SIGNER_POLICY = policy([ISSUE_KEYS, EC2_KEY_PAIRS]);

/** The same, usable only with credentials from an MFA sign-in (GetSessionToken with a code). */
export const SIGNER_POLICY_MFA = policy([ISSUE_KEYS, EC2_KEY_PAIRS].map((statement) => ({ ...statement, Condition: MFA })));
