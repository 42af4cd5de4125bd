// `make run`: a guided demo. Starts moto (a local AWS emulator that checks signatures), loads the
// test build of the extension into Chromium, and drives the popup like a person would: create
// the vault, add the signer identity on the options page (verified with GetCallerIdentity, then
// sealed into the vault), verify it from the popup, create an access key for another user (sealed into
// the vault before the popup hears of it), list it, export it as a credentials profile (printed
// with the secret masked, and proven real by signing with it from Node), create and vault an EC2 key
// pair and export it as .pem (key material masked); then start the strict Scaleway fake and create
// and vault a Scaleway API key the same way (add the signer on the options page, verify it, create a
// key with an expiry and a preferred Project, export config.yaml masked, prove the secret real
// against the fake); then the console fixtures: "Create and vault key" (a real create at moto and
// at the fake, with the vaulted signers) and "Vault this key" in the AWS and Scaleway consoles
// (tests/demo/console-demo.mjs); lock.
// Builds nothing.
//
// Headless unless a display is available (DISPLAY set) and HEADLESS is not 1.
// Exit code 0 on success; non-zero with a message saying what failed otherwise.

import { randomBytes } from 'node:crypto';
import { launchExtension, openPopup, screenshotPath, TEST_DIST } from '../support/browser.mjs';
import { loadCore, signedQuery } from '../support/core.mjs';
import { startMoto, SIGNER_USER } from '../support/moto.mjs';
import { addAwsSigner, addScalewaySigner } from '../support/signer-driver.mjs';
import {
  createAccessKey,
  createKeyPair,
  createVault,
  exportEntry,
  listedEntries,
  lockVault,
  setAwsEndpoint,
  verifyIdentity,
} from '../support/popup-driver.mjs';
import { startScalewayFake } from '../support/scaleway-fake.mjs';
import { createScalewayKey, setScalewayEndpoint, verifyScalewaySigner } from '../support/scaleway-driver.mjs';
import { consoleDemo } from './console-demo.mjs';

const TARGET_USER = 'demo-user';
const OVERALL_TIMEOUT_MS = 180_000;
const LINGER_MS = 5_000; // headed runs: leave the result on screen for a moment

const headless = process.env.HEADLESS === '1' || !process.env.DISPLAY;
let step = 0;
const cleanups = [];

function say(text) {
  step += 1;
  console.log(`${String(step).padStart(2)}. ${text}`);
}

/** Shows an access key id without its middle: enough to recognise, nothing more. */
function shortKeyId(id) {
  return id.length > 8 ? `${id.slice(0, 4)}…${id.slice(-4)}` : id;
}

/** Shows a private key's armour lines only: the key material is masked. */
function maskPem(text) {
  const lines = text.trimEnd().split('\n');
  const body = lines.filter((line) => !line.startsWith('-----'));
  return lines
    .filter((line) => line.startsWith('-----'))
    .flatMap((line, i) => (i === 0 ? [line, `${'*'.repeat(8)} (${body.length} lines of key material, masked)`] : [line]));
}

/** Replaces every secret value in an exported credentials profile with a mask of its length. */
function maskProfile(text) {
  return text.replace(/^(aws_secret_access_key\s*=\s*)(\S+)$/gm, (_, key, secret) => `${key}${'*'.repeat(8)} (${secret.replaceAll('"', '').length} characters, masked)`);
}

/** Masks secret_key in a Scaleway config.yaml profile. */
function maskScalewayYaml(text) {
  return text.replace(/^(\s*secret_key:\s*)(\S+)$/gm, (_, key, secret) => `${key}${'*'.repeat(8)} (${secret.replaceAll('"', '').length} characters, masked)`);
}

/** Create and vault a Scaleway API key, against the strict Scaleway fake. */
async function scalewayDemo(browser, popup) {
  say('Starting the strict Scaleway fake (IAM, Account, Secret Manager; audit log on)…');
  const fake = await startScalewayFake();
  cleanups.push(() => fake.stop());
  console.log(`    fake listens on ${fake.url}; signer access key ${shortKeyId(fake.signer.accessKey)} (secret not shown)`);

  say(`Pointing the extension's Scaleway endpoint at ${fake.url}…`);
  await setScalewayEndpoint(popup, fake.url);

  say('Adding the Scaleway signer on the options page: looked up with itself, then sealed into the vault…');
  const added = await addScalewaySigner(browser, fake.signer);
  if (added.kind !== 'ok') {
    throw new Error(`adding the Scaleway signer failed; the options page says: ${added.text}`);
  }
  console.log(`    signer ${added.fields.Bearer} (${added.fields['Bearer name']}) sealed as vault entry ${added.signerId}`);

  say('Verify the Scaleway signer: GET /iam/v1alpha1/api-keys/{access_key} with X-Auth-Token…');
  const verified = await verifyScalewaySigner(popup, fake.signer);
  if (verified.kind !== 'ok') {
    throw new Error(`verifying the Scaleway signer failed; the popup says: ${verified.text}`);
  }
  console.log(`    ${verified.fields.Bearer} ${verified.fields.Name}; Organization ${verified.fields.Organization}`);
  console.log(`    default Project ${verified.fields['Default project']}`);

  say('Create a Scaleway API key for the signer (expires in 30 days, preferred Project "production"), sealed into the vault…');
  const created = await createScalewayKey(popup, fake.signer, {
    for: 'self',
    description: 'created by make run',
    expiry: 'In 30 days',
    project: 'production',
  });
  if (created.kind !== 'ok') {
    throw new Error(`creating the Scaleway API key failed; the popup says: ${created.text}`);
  }
  const accessKey = created.fields['Access key'];
  console.log(`    created ${accessKey} for ${created.fields.Bearer}; expires ${created.fields.Expires}`);
  console.log(`    vaulted as entry ${created.fields['Vault entry']}: stored sealed before the popup was told`);

  say('Exporting it as a Scaleway config.yaml profile (secret masked here)…');
  const yaml = await exportEntry(popup, accessKey, 'Scaleway config.yaml profile', 'keysmith');
  for (const line of maskScalewayYaml(yaml).trimEnd().split('\n')) {
    console.log(`    ${line}`);
  }
  // YAML quotes a UUID that starts with a digit.
  const secret = /^\s*secret_key:\s*"?([0-9a-f-]+)"?$/m.exec(yaml)?.[1];
  if (secret === undefined) {
    throw new Error('the exported profile has no secret_key line');
  }
  const check = await fetch(`${fake.url}/iam/v1alpha1/api-keys/${accessKey}`, { headers: { 'X-Auth-Token': secret } });
  if (check.status !== 200) {
    throw new Error(`the exported secret key was refused by the fake (HTTP ${check.status})`);
  }
  console.log('    the exported secret key authenticates to the fake: it is the real one');
  const leaks = fake
    .audit()
    .filter((entry) => [entry.path, entry.query, entry.body].join(' ').includes(secret) && entry.headers['x-auth-token'] !== secret);
  console.log(`    audit: ${fake.audit().length} requests received, ${leaks.length} carried the new secret outside X-Auth-Token`);
  if (leaks.length > 0) {
    throw new Error('the new secret key appeared in a request body, path or query');
  }
  await popup.locator('#entry-list .export-panel:visible').getByRole('button', { name: 'Hide' }).click();
  await popup.screenshot({ path: screenshotPath('demo-scaleway.png'), fullPage: true });
  return fake;
}

async function cleanUp() {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    try {
      await cleanup();
    } catch (error) {
      console.error(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

async function demo() {
  say(`Starting moto (local AWS emulator) and seeding user "${SIGNER_USER}" with a full-access policy…`);
  const moto = await startMoto({ extraUsers: [TARGET_USER] });
  cleanups.push(() => moto.stop());
  console.log(`    moto listens on ${moto.endpoint}; account ${moto.accountId}; signature checks are ON`);
  console.log(`    signer access key: ${shortKeyId(moto.signer.accessKeyId)} (secret not shown)`);

  say(`Launching Chromium (${headless ? 'headless' : 'with a window'}) with ${TEST_DIST}…`);
  const browser = await launchExtension({ headless, audit: false });
  cleanups.push(() => browser.close());
  console.log(`    extension id ${browser.extensionId}`);

  say('Opening the Keysmith popup…');
  const popup = await openPopup(browser);
  console.log(`    core version ${await popup.locator('#core-version').innerText()}; ${await popup.locator('#vault-state').innerText()}`);

  say(`Pointing the extension's AWS endpoint at ${moto.endpoint}…`);
  await setAwsEndpoint(popup, moto.endpoint);

  say('Creating the vault (a random passphrase, not shown; Argon2id at the defaults)…');
  const vault = await createVault(popup, randomBytes(18).toString('base64url'));
  if (!vault.ok) {
    throw new Error(`creating the vault failed; the popup says: ${vault.error}`);
  }
  console.log(`    ${vault.state} (took ${vault.ms} ms)`);
  console.log(`    ${await popup.locator('#kdf-cost').innerText()}`);

  say(`Adding ${SIGNER_USER}'s key as the AWS signer on the options page (GetCallerIdentity first, then sealed)…`);
  const signer = await addAwsSigner(browser, moto.signer);
  if (signer.kind !== 'ok') {
    throw new Error(`adding the AWS signer failed; the options page says: ${signer.text}`);
  }
  console.log(`    signer sealed as vault entry ${signer.signerId}; its secret never goes back to the popup`);

  say(`Verify identity: GetCallerIdentity signed by the core with the vaulted signer…`);
  const identity = await verifyIdentity(popup, moto.signer);
  if (identity.kind !== 'ok') {
    await popup.screenshot({ path: screenshotPath('demo.png'), fullPage: true });
    throw new Error(`GetCallerIdentity failed; the popup says: ${identity.text}`);
  }
  console.log(`    verified: account ${identity.fields.Account}, ARN ${identity.fields.ARN}`);

  say(`Create access key for user "${TARGET_USER}" (IAM CreateAccessKey), sealed into the vault…`);
  const created = await createAccessKey(popup, moto.signer, TARGET_USER);
  if (created.kind !== 'ok') {
    await popup.screenshot({ path: screenshotPath('demo.png'), fullPage: true });
    throw new Error(`CreateAccessKey failed; the popup says: ${created.text}`);
  }
  const key = created.fields;
  console.log(`    created ${key['Access key ID']} for ${key.User} (${key.Status}, ${key.Created}); moto checked the signature`);
  console.log(`    vaulted as entry ${key['Vault entry']}: stored sealed before the popup was told`);

  say('Listing the vault…');
  await popup.locator('#entry-list > li').first().waitFor();
  for (const entry of await listedEntries(popup)) {
    console.log(`    ${entry.title}  user ${entry.fields.User}  created ${entry.fields.Created}  (entry ${entry.id})`);
  }

  say(`Exporting it as a ~/.aws/credentials profile "${TARGET_USER}" (secret masked here)…`);
  const profile = await exportEntry(popup, key['Access key ID'], '~/.aws/credentials profile', TARGET_USER);
  for (const line of maskProfile(profile).trimEnd().split('\n')) {
    console.log(`    ${line}`);
  }
  const secret = /^aws_secret_access_key\s*=\s*(\S+)$/m.exec(profile)?.[1];
  if (secret === undefined) {
    throw new Error('the exported profile has no aws_secret_access_key line');
  }
  const check = await signedQuery(await loadCore(), {
    endpoint: moto.endpoint,
    service: 'sts',
    params: { Action: 'GetCallerIdentity' },
    credentials: { accessKeyId: key['Access key ID'], secretAccessKey: secret },
  });
  if (check.status !== 200) {
    throw new Error(`the exported secret was refused by moto (HTTP ${check.status})`);
  }
  console.log(`    the exported secret signs GetCallerIdentity as ${TARGET_USER}: it is the real one`);
  // The screenshot must not show the secret: hide the export first.
  await popup.locator('#entry-list .export-panel').getByRole('button', { name: 'Hide' }).click();
  const shot = screenshotPath('demo.png');
  await popup.screenshot({ path: shot, fullPage: true });

  say('Create and vault an EC2 key pair "demo-bastion" in eu-west-3 (EC2 CreateKeyPair, ed25519, .pem)…');
  const pair = await createKeyPair(popup, moto.signer, { region: 'eu-west-3', keyName: 'demo-bastion' });
  if (pair.kind !== 'ok') {
    await popup.screenshot({ path: screenshotPath('demo.png'), fullPage: true });
    throw new Error(`CreateKeyPair failed; the popup says: ${pair.text}`);
  }
  console.log(`    created ${pair.fields['Key pair ID']} (${pair.fields.Type}) in ${pair.fields.Region}, fingerprint ${pair.fields.Fingerprint}`);
  console.log(`    vaulted as entry ${pair.fields['Vault entry']}: the private key went from AWS's answer straight into the sealed entry`);
  await popup.locator('#entry-list > li .entry-title', { hasText: 'demo-bastion' }).waitFor();
  const pem = await exportEntry(popup, 'demo-bastion', 'Private key (.pem)');
  const pemRow = popup.locator('#entry-list > li', { has: popup.locator('.entry-title', { hasText: 'demo-bastion' }) });
  console.log(`    exported: ${await pemRow.locator('.export-panel label').innerText()}`);
  for (const line of maskPem(pem)) {
    console.log(`    ${line}`);
  }
  await pemRow.locator('.export-panel').getByRole('button', { name: 'Hide' }).click();
  const fake = await scalewayDemo(browser, popup);
  await consoleDemo({ browser, popup, fake, moto, core: await loadCore(), userName: TARGET_USER, say });

  say('Locking the vault…');
  await lockVault(popup);
  console.log(`    ${await popup.locator('#vault-state').innerText()}`);

  say(`Screenshot saved to ${shot}`);
  if (!headless) {
    await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
  }
}

async function main() {
  const timer = setTimeout(() => {
    console.error(`demo: gave up after ${OVERALL_TIMEOUT_MS / 1000} s`);
    cleanUp().finally(() => process.exit(2));
  }, OVERALL_TIMEOUT_MS);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`demo: ${signal}, cleaning up`);
      cleanUp().finally(() => process.exit(130));
    });
  }
  try {
    await demo();
    console.log(
      'Demo finished: vault created; an AWS access key and an EC2 key pair (moto) and a Scaleway API key (strict fake) created, vaulted, exported and verified (secrets masked); in the console fixtures, an IAM key and a Scaleway key created and vaulted with one click each, and two displayed keys vaulted.',
    );
    return 0;
  } catch (error) {
    console.error(`\ndemo FAILED at step ${step}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    clearTimeout(timer);
    await cleanUp();
  }
}

process.exitCode = await main();
