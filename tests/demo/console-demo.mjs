// `make run`, console part: the console fixtures served on the real console hosts, and Keysmith's
// buttons used there like a person would. "Vault this key" on AWS's "Retrieve access keys" step and
// in Scaleway's secret-key dialog (the key is then listed in the popup); "Create and vault key",
// which creates the key with the most recent vaulted AWS signer (the popup's own create path:
// two-key choice, pending marker) and vaults it.

import { screenshotPath } from '../support/browser.mjs';
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

/**
 * @param {{browser: import('../support/browser.mjs').ExtensionBrowser, popup: import('playwright-core').Page,
 *          fake: {url: string, signer: {userId: string}, deployApp: {id: string}}, say: (text: string) => void}} demo
 */
export async function consoleDemo({ browser, popup, fake, say }) {
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
  console.log(`    toast: ${(await waitForToast(page, 'ok')).text.split('\n').join(' / ')}`);
  await page.screenshot({ path: screenshotPath('demo-console-aws.png') });
  await dismissToast(page);

  say('AWS console: "Create and vault key" on the IAM user page…');
  await page.goto('https://us-east-1.console.aws.amazon.com/iam/home#/users/details/demo-user?section=security_credentials');
  await injectedButton(page, 'aws-create-access-key');
  await clickInShadow(page, buttonHost('aws-create-access-key'));
  const created = await waitForToast(page, 'ok');
  console.log(`    toast: ${created.text.split('\n').join(' / ')}`);
  const createdId = /AKIA[A-Z0-9]{16}/.exec(created.text)?.[0];
  if (createdId === undefined) {
    throw new Error(`the create toast names no access key id: ${created.text}`);
  }
  await dismissToast(page);

  say('Scaleway console (fixture on console.scaleway.com): "Vault this key" in the secret-key dialog…');
  const scw = await scalewayConsoleKey(fake, { user_id: fake.signer.userId });
  state.next.scw = scw;
  await page.goto('https://console.scaleway.com/iam/api-keys');
  await page.getByRole('button', { name: 'Generate an API key' }).click();
  await injectedButton(page, 'scw-vault-this-key');
  await clickInShadow(page, buttonHost('scw-vault-this-key'));
  console.log(`    toast: ${(await waitForToast(page, 'ok')).text.split('\n').join(' / ')}`);
  await page.screenshot({ path: screenshotPath('demo-console-scaleway.png') });
  await page.close();

  say('The console keys in the vault list…');
  await popup.reload();
  for (const id of [key.accessKeyId, createdId, scw.accessKey]) {
    await popup.locator('#entry-list > li .entry-title', { hasText: id }).waitFor();
    console.log(`    listed: ${id}`);
  }
}
