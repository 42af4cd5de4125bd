// `make run`, console part: the console fixtures served on the real console hosts, and Keysmith's
// buttons used there like a person would. "Vault this key" on AWS's "Retrieve access keys" step and
// in Scaleway's secret-key dialog (the key is then listed in the popup); "Create and vault key" on
// the IAM user page and on Scaleway's API-keys page, which really create the keys (at moto and at
// the Scaleway fake) with the signer identities the demo added earlier.

import { screenshotPath } from '../support/browser.mjs';
import { listedAccessKeyIds } from '../support/core.mjs';
import {
  awsDisplayedKey,
  buttonHost,
  clickInShadow,
  dismissToast,
  injectedButton,
  scalewayConsoleKey,
  serveConsoles,
  waitForToast,
} from '../support/console-driver.mjs';

/** A toast's text on one line, for the demo's output. */
const oneLine = (toast) => toast.text.split('\n').join(' / ');

/**
 * @param {{browser: import('../support/browser.mjs').ExtensionBrowser, popup: import('playwright-core').Page,
 *          fake: {url: string, signer: {userId: string}, deployApp: {id: string}, apiKey: (accessKey: string) => object | undefined},
 *          moto: import('../support/moto.mjs').MotoServer, core: object, userName: string, say: (text: string) => void}} demo
 */
export async function consoleDemo({ browser, popup, fake, moto, core, userName, say }) {
  const state = { variant: 'classic', appId: fake.deployApp.id, next: {}, nextKey: (host) => state.next[host.includes('scaleway') ? 'scw' : 'aws'] };
  await serveConsoles(browser.context, state);
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1200, height: 760 });

  say('AWS console (fixture on us-east-1.console.aws.amazon.com): "Vault this key" on "Retrieve access keys"…');
  const key = awsDisplayedKey();
  state.next.aws = key;
  await page.goto('https://us-east-1.console.aws.amazon.com/iam/home#/users/details/demo-user/create-access-key');
  await page.getByRole('button', { name: 'Next' }).click();
  await injectedButton(page, 'aws-vault-this-key');
  await clickInShadow(page, buttonHost('aws-vault-this-key'));
  console.log(`    toast: ${oneLine(await waitForToast(page, 'ok'))}`);
  await page.screenshot({ path: screenshotPath('demo-console-aws.png') });
  await dismissToast(page);

  say(`AWS console: "Create and vault key" on ${userName}'s IAM user page, signed by the vaulted AWS signer…`);
  await page.goto(`https://us-east-1.console.aws.amazon.com/iam/home#/users/details/${userName}?section=security_credentials`);
  await injectedButton(page, 'aws-create-access-key');
  await clickInShadow(page, buttonHost('aws-create-access-key'));
  const created = await waitForToast(page, 'ok');
  console.log(`    toast: ${oneLine(created)}`);
  await page.screenshot({ path: screenshotPath('demo-console-aws-created.png') });
  const accessKeyId = /Access key (AKIA[A-Z0-9]{16})/.exec(created.text)?.[1];
  const listed = await listedAccessKeyIds(core, { endpoint: moto.endpoint, credentials: moto.signer }, userName);
  if (accessKeyId === undefined || !listed.includes(accessKeyId)) {
    throw new Error(`the console's create is not at moto: ${created.text} / moto lists ${listed.join(', ')}`);
  }
  console.log(`    moto lists ${accessKeyId} for ${userName}; its secret went from IAM's answer straight into the vault`);
  await dismissToast(page);

  say('Scaleway console (fixture on console.scaleway.com): "Vault this key" in the secret-key dialog…');
  const scw = await scalewayConsoleKey(fake, { user_id: fake.signer.userId });
  state.next.scw = scw;
  await page.goto('https://console.scaleway.com/iam/api-keys');
  await page.getByRole('button', { name: 'Generate an API key' }).click();
  await injectedButton(page, 'scw-vault-this-key');
  await clickInShadow(page, buttonHost('scw-vault-this-key'));
  console.log(`    toast: ${oneLine(await waitForToast(page, 'ok'))}`);
  await page.screenshot({ path: screenshotPath('demo-console-scaleway.png') });
  await dismissToast(page);

  say('Scaleway console: "Create and vault key" on the API-keys page, for you, with the vaulted Scaleway signer…');
  await page.goto('https://console.scaleway.com/iam/api-keys'); // the dialog closed
  await injectedButton(page, 'scw-create-api-key');
  await clickInShadow(page, buttonHost('scw-create-api-key'));
  const made = await waitForToast(page, 'ok').catch(async (error) => {
    const code = await page.locator('keysmith-toast').getAttribute('data-code').catch(() => 'none');
    throw new Error(`no success toast (toast: ${code}): ${error.message}`);
  });
  console.log(`    toast: ${oneLine(made)}`);
  const scwCreated = /API key (SCW[A-Z0-9]{17})/.exec(made.text)?.[1];
  if (scwCreated === undefined || fake.apiKey(scwCreated)?.user_id !== fake.signer.userId) {
    throw new Error(`the console's create is not at the Scaleway fake: ${made.text}`);
  }
  console.log(`    the fake holds ${scwCreated} for the signer's user`);
  await page.screenshot({ path: screenshotPath('demo-console-scaleway-created.png') });
  await page.close();

  say('The console keys in the vault list…');
  await popup.reload();
  for (const id of [key.accessKeyId, accessKeyId, scw.accessKey, scwCreated]) {
    await popup.locator('#entry-list > li .entry-title', { hasText: id }).waitFor();
    console.log(`    listed: ${id}`);
  }
}
