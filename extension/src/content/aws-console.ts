// AWS console content script (commercial, GovCloud and China consoles). On an IAM user's page:
// "Create and vault key" next to "Create access key". On the "Retrieve access keys" step:
// "Vault this key", which reads the key the page shows and has the worker seal it. On EC2's key
// pairs page: "Create and vault key pair" for the page's region. Reads the page only when the
// user clicks; writes nothing but its own shadow-DOM buttons and toasts.

import {
  type ConsoleTheme,
  type Finder,
  type InjectedButton,
  type Target,
  ask,
  byRole,
  byTestId,
  errorToast,
  findFirst,
  injectButton,
  openExtensionAction,
  runInjector,
  showToast,
  textsUnder,
} from './console-kit.js';
import { type AwsRoute, parseAwsRoute } from './console-routes.js';
import { markLoaded } from './mark-loaded.js';

/** Cloudscape, the AWS console's design system (visual refresh): blue actions, pill buttons. */
const AWS_THEME: ConsoleTheme = {
  font: '"Amazon Ember", "Helvetica Neue", Roboto, Arial, sans-serif',
  accent: '#0972d3',
  accentText: '#ffffff',
  radius: '20px',
  success: '#037f0c',
  error: '#d91515',
  info: '#0972d3',
  surface: '#ffffff',
  text: '#000716',
};

const CREATE_ACCESS_KEY: Finder[] = [
  byTestId('create-access-key-button', 'create-access-key'),
  byRole('button', /^create access key$/i),
];
const RETRIEVE_HEADING: Finder[] = [byTestId('retrieve-access-keys-header'), byRole('heading', /^retrieve access keys?$/i)];
const DOWNLOAD_CSV: Finder[] = [byTestId('download-csv-button'), byRole('button', /^download \.csv( file)?$/i)];
const CREATE_KEY_PAIR: Finder[] = [byTestId('create-key-pair-button'), byRole('button', /^create key pair$/i)];

const ACCESS_KEY_ID = /^AKIA[A-Z0-9]{16}$/;
const SECRET_ACCESS_KEY = /^[A-Za-z0-9/+]{40}$/;

markLoaded('aws-console');
runInjector(AWS_THEME, 'Keysmith: open the extension to create a key', () => {
  const target = targetFor(parseAwsRoute(location.href));
  return target === undefined ? [] : [target];
});

function targetFor(route: AwsRoute): Target | undefined {
  switch (route.kind) {
    case 'iam-user':
      return {
        slot: 'page',
        key: `iam-user:${route.userName}`,
        expected: true,
        finders: CREATE_ACCESS_KEY,
        inject: (anchor) =>
          injectButton({
            id: 'aws-create-access-key',
            label: 'Create and vault key',
            anchor,
            theme: AWS_THEME,
            onActivate: (button) => void createAccessKey(route.userName, button),
          }),
      };
    case 'iam-create-access-key':
      // Only on the last step, where the page shows the new key; earlier steps expect nothing.
      return {
        slot: 'page',
        key: `iam-retrieve:${route.userName}`,
        expected: false,
        finders: [(root) => (findFirst(root, RETRIEVE_HEADING) === null ? null : findFirst(root, [...DOWNLOAD_CSV, ...RETRIEVE_HEADING]))],
        inject: (anchor) =>
          injectButton({
            id: 'aws-vault-this-key',
            label: 'Vault this key',
            anchor,
            theme: AWS_THEME,
            onActivate: (button) => void vaultDisplayedKey(route.userName, button),
          }),
      };
    case 'ec2-key-pairs':
      return {
        slot: 'page',
        key: `ec2:${route.region}`,
        expected: true,
        finders: CREATE_KEY_PAIR,
        inject: (anchor) =>
          injectButton({
            id: 'aws-create-key-pair',
            label: 'Create and vault key pair',
            anchor,
            theme: AWS_THEME,
            onActivate: (button) => void createKeyPair(route.region, button),
          }),
      };
    case 'other':
      return undefined;
  }
}

async function createAccessKey(userName: string, button: InjectedButton): Promise<void> {
  button.setBusy(true, 'Creating…');
  const reply = await ask({ type: 'console.aws.createAccessKey', userName });
  button.setBusy(false);
  if (!reply.ok) {
    errorToast(AWS_THEME, reply.error, `Create and vault key for ${userName}`, userName);
    return;
  }
  showToast(AWS_THEME, {
    kind: 'success',
    code: 'ok',
    title: `Access key ${reply.result.keyId} created for ${userName} and vaulted`,
    detail: 'Its secret went straight into your Keysmith vault.',
    actions: [openExtensionAction('Open in Keysmith', reply.result.entryId)],
  });
}

async function createKeyPair(region: string, button: InjectedButton): Promise<void> {
  button.setBusy(true, 'Creating…');
  const reply = await ask({ type: 'console.ec2.createKeyPair', region });
  button.setBusy(false);
  if (!reply.ok) {
    errorToast(AWS_THEME, reply.error, `Create and vault key pair in ${region}`);
    return;
  }
  showToast(AWS_THEME, {
    kind: 'success',
    code: 'ok',
    title: `Key pair ${reply.result.keyId} created in ${region} and vaulted`,
    detail: 'Its private key went straight into your Keysmith vault.',
    actions: [openExtensionAction('Open in Keysmith', reply.result.entryId)],
  });
}

/** The section of the page that shows the new key: up from the heading until it holds the secret's label. */
function retrieveSection(): Element | null {
  const heading = findFirst(document, RETRIEVE_HEADING);
  let section: Element | null = heading;
  for (let depth = 0; section !== null && depth < 10; depth += 1) {
    if (/secret access key/i.test(section.textContent ?? '')) {
      return section;
    }
    section = section.parentElement;
  }
  return document.querySelector('main') ?? document.body;
}

/**
 * Reads the key the page shows. The console masks the secret until "Show" is pressed; if it is
 * masked, press the page's own "Show", read, and press "Hide" again.
 */
async function readDisplayedKey(section: Element): Promise<{ accessKeyId: string; secretAccessKey: string } | undefined> {
  const read = () => {
    const texts = textsUnder(section);
    const inputs = [...section.querySelectorAll('input, textarea')].map((field) => (field as HTMLInputElement).value.trim());
    const all = [...texts, ...inputs];
    const accessKeyId = all.find((text) => ACCESS_KEY_ID.test(text));
    const secretAccessKey = all.find((text) => SECRET_ACCESS_KEY.test(text) && text !== accessKeyId);
    return { accessKeyId, secretAccessKey };
  };
  let found = read();
  if (found.accessKeyId !== undefined && found.secretAccessKey === undefined) {
    const show = findFirst(section, [byTestId('show-secret-access-key'), byRole('button', /^show( secret)?/i)]);
    if (show instanceof HTMLElement) {
      show.click();
      await new Promise((resolve) => setTimeout(resolve, 100));
      found = read();
      const hide = findFirst(section, [byTestId('show-secret-access-key'), byRole('button', /^hide( secret)?/i)]);
      if (hide instanceof HTMLElement) {
        hide.click();
      }
    }
  }
  const { accessKeyId, secretAccessKey } = found;
  return accessKeyId === undefined || secretAccessKey === undefined ? undefined : { accessKeyId, secretAccessKey };
}

async function vaultDisplayedKey(userName: string, button: InjectedButton): Promise<void> {
  button.setBusy(true, 'Vaulting…');
  const section = retrieveSection();
  const key = section === null ? undefined : await readDisplayedKey(section);
  if (key === undefined) {
    button.setBusy(false);
    showToast(AWS_THEME, {
      kind: 'error',
      code: 'not_readable',
      title: 'Vault this key: not done',
      detail: "Keysmith could not find the access key and its secret on this page. Use the console's .csv download and import it in Keysmith.",
      actions: [openExtensionAction('Open Keysmith')],
    });
    return;
  }
  const reply = await ask({ type: 'console.vaultKey', key: { provider: 'aws', ...key, userName } });
  if (!reply.ok) {
    button.setBusy(false);
    errorToast(AWS_THEME, reply.error, 'Vault this key');
    return;
  }
  button.setDone('Vaulted');
  showToast(AWS_THEME, {
    kind: 'success',
    code: 'ok',
    title: `Access key ${reply.result.keyId} is in your Keysmith vault`,
    detail: 'It is safe to close this page: the secret is sealed in the vault.',
    actions: [openExtensionAction('Open in Keysmith', reply.result.entryId)],
  });
}
