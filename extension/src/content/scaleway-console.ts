// Scaleway console content script. On the IAM API-keys page and on an IAM application's page:
// "Create and vault key" (for yourself, or for that application) next to "Generate an API key".
// In the dialog that shows a new key's secret: "Vault this key", which reads the key the dialog
// shows and has the worker seal it. Reads the page only when the user clicks; writes nothing but
// its own shadow-DOM buttons and toasts.

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
import { type ScalewayRoute, parseScalewayRoute } from './console-routes.js';
import { markLoaded } from './mark-loaded.js';

/** Scaleway's design system (Ultraviolet): violet primary, 4 px corners, Inter. */
const SCALEWAY_THEME: ConsoleTheme = {
  font: 'Inter, "Asap", "Helvetica Neue", Arial, sans-serif',
  accent: '#8c40ef',
  accentText: '#ffffff',
  radius: '4px',
  success: '#1e7f51',
  error: '#b3144d',
  info: '#521094',
  surface: '#ffffff',
  text: '#222638',
};

const GENERATE_API_KEY: Finder[] = [
  byTestId('generate-api-key-button', 'create-api-key-button'),
  byRole('button', /^(generate|create) (an |a new )?api key$/i),
];
/** The dialog that shows a new key: it mentions the secret key and shows an SCW access key. */
const SECRET_DIALOG: Finder = (root) => {
  const dialog = findFirst(root, [byRole('dialog', /secret key/i)]);
  return dialog !== null && readDisplayedKey(dialog).accessKey !== undefined ? dialog : null;
};
const DIALOG_ANCHOR: Finder[] = [
  (root) => {
    const dialog = SECRET_DIALOG(root);
    return dialog === null ? null : findFirst(dialog, [byTestId('secret-key-copy-button'), byRole('button', /^copy( secret)?( key)?$/i), byRole('heading', /./)]);
  },
];

const ACCESS_KEY = /^SCW[A-Z0-9]{17}$/;
const SECRET_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

markLoaded('scaleway-console');
runInjector(SCALEWAY_THEME, 'Keysmith: open the extension to create a key', () => {
  const route = parseScalewayRoute(location.href);
  const targets: Target[] = [];
  const page = pageTarget(route);
  if (page !== undefined) {
    targets.push(page);
  }
  // The dialog can open over any page (the API-keys page, an application's page).
  targets.push({
    slot: 'dialog',
    key: 'secret-dialog',
    expected: false,
    finders: DIALOG_ANCHOR,
    inject: (anchor) =>
      injectButton({
        id: 'scw-vault-this-key',
        label: 'Vault this key',
        anchor,
        theme: SCALEWAY_THEME,
        onActivate: (button) => void vaultDisplayedKey(anchor, route, button),
      }),
  });
  return targets;
});

function pageTarget(route: ScalewayRoute): Target | undefined {
  if (route.kind === 'other') {
    return undefined;
  }
  const applicationId = route.kind === 'application' ? route.applicationId : undefined;
  return {
    slot: 'page',
    key: `${route.kind}:${applicationId ?? 'self'}`,
    expected: true,
    finders: GENERATE_API_KEY,
    inject: (anchor) =>
      injectButton({
        id: 'scw-create-api-key',
        label: 'Create and vault key',
        anchor,
        theme: SCALEWAY_THEME,
        onActivate: (button) => void createApiKey(applicationId, button),
      }),
  };
}

async function createApiKey(applicationId: string | undefined, button: InjectedButton): Promise<void> {
  button.setBusy(true, 'Creating…');
  const reply = await ask(
    applicationId === undefined ? { type: 'console.scaleway.createApiKey' } : { type: 'console.scaleway.createApiKey', applicationId },
  );
  button.setBusy(false);
  const whose = applicationId === undefined ? 'you' : 'this application';
  if (!reply.ok) {
    errorToast(SCALEWAY_THEME, reply.error, `Create and vault key for ${whose}`);
    return;
  }
  showToast(SCALEWAY_THEME, {
    kind: 'success',
    code: 'ok',
    title: `API key ${reply.result.keyId} created for ${whose} and vaulted`,
    detail: 'Its secret key went straight into your Keysmith vault.',
    actions: [openExtensionAction('Open in Keysmith', reply.result.entryId)],
  });
}

/** The access key and secret key the dialog shows (as text, or in read-only fields). */
function readDisplayedKey(dialog: Element): { accessKey: string | undefined; secretKey: string | undefined } {
  const fields = [...dialog.querySelectorAll('input, textarea')].map((field) => (field as HTMLInputElement).value.trim());
  const all = [...textsUnder(dialog, 500), ...fields];
  return { accessKey: all.find((text) => ACCESS_KEY.test(text)), secretKey: all.find((text) => SECRET_KEY.test(text)) };
}

async function vaultDisplayedKey(anchor: Element, route: ScalewayRoute, button: InjectedButton): Promise<void> {
  button.setBusy(true, 'Vaulting…');
  const dialog = anchor.closest('dialog, [role="dialog"], [role="alertdialog"]');
  const { accessKey, secretKey } = dialog === null ? { accessKey: undefined, secretKey: undefined } : readDisplayedKey(dialog);
  if (accessKey === undefined || secretKey === undefined) {
    button.setBusy(false);
    showToast(SCALEWAY_THEME, {
      kind: 'error',
      code: 'not_readable',
      title: 'Vault this key: not done',
      detail: "Keysmith could not find the access key and secret key in this dialog. Copy them into Keysmith's import instead.",
      actions: [openExtensionAction('Open Keysmith')],
    });
    return;
  }
  const reply = await ask({
    type: 'console.vaultKey',
    key: {
      provider: 'scaleway',
      accessKey,
      secretKey,
      ...(route.kind === 'application' ? { applicationId: route.applicationId } : {}),
    },
  });
  if (!reply.ok) {
    button.setBusy(false);
    errorToast(SCALEWAY_THEME, reply.error, 'Vault this key');
    return;
  }
  button.setDone('Vaulted');
  showToast(SCALEWAY_THEME, {
    kind: 'success',
    code: 'ok',
    title: `API key ${reply.result.keyId} is in your Keysmith vault`,
    detail: 'It is safe to close this dialog: the secret key is sealed in the vault.',
    actions: [openExtensionAction('Open in Keysmith', reply.result.entryId)],
  });
}
