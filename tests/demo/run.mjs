// `make run`: a guided demo. Starts moto (a local AWS emulator that checks signatures), loads the
// test build of the extension into Chromium, and drives the popup like a person would: verify
// the signer's identity, then create an access key for another user. Builds nothing itself.
//
// Headless unless a display is available (DISPLAY set) and HEADLESS is not 1.
// Exit code 0 on success; non-zero with a message saying what failed otherwise.

import { launchExtension, openPopup, screenshotPath, TEST_DIST } from '../support/browser.mjs';
import { startMoto, SIGNER_USER } from '../support/moto.mjs';
import { createAccessKey, setAwsEndpoint, verifyIdentity } from '../support/popup-driver.mjs';

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
  const browser = await launchExtension({ headless });
  cleanups.push(() => browser.close());
  console.log(`    extension id ${browser.extensionId}`);

  say('Opening the Keysmith popup…');
  const popup = await openPopup(browser);
  console.log(`    core version ${await popup.locator('#core-version').innerText()}; ${await popup.locator('#vault-state').innerText()}`);

  say(`Pointing the extension's AWS endpoint at ${moto.endpoint}…`);
  await setAwsEndpoint(popup, moto.endpoint);

  say(`Verify identity: GetCallerIdentity signed by the core with ${SIGNER_USER}'s key…`);
  const identity = await verifyIdentity(popup, moto.signer);
  if (identity.kind !== 'ok') {
    await popup.screenshot({ path: screenshotPath('demo.png'), fullPage: true });
    throw new Error(`GetCallerIdentity failed; the popup says: ${identity.text}`);
  }
  console.log(`    verified: account ${identity.fields.Account}, ARN ${identity.fields.ARN}`);

  say(`Create access key for user "${TARGET_USER}" (IAM CreateAccessKey)…`);
  const created = await createAccessKey(popup, moto.signer, TARGET_USER);
  const shot = screenshotPath('demo.png');
  await popup.screenshot({ path: shot, fullPage: true });
  if (created.kind !== 'ok') {
    throw new Error(`CreateAccessKey failed; the popup says: ${created.text}`);
  }
  const key = created.fields;
  console.log(`    created ${key['Access key ID']} for ${key.User} (${key.Status}, ${key.Created}); moto checked the signature`);
  console.log('    the new secret stayed inside the core, which wiped it (the vault comes later)');

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
    console.log('Demo finished: identity verified and access key created against moto.');
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
