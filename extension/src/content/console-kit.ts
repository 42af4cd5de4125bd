// Shared by the console content scripts: finding anchors with fallbacks, re-rendering after
// client-side navigation at a bounded cost, shadow-DOM buttons and toasts, and the typed channel
// to the service worker. Everything here runs in the content script's isolated world; nothing is
// ever injected into the page's own JavaScript context, and no secret is ever written to the DOM.

import type { ConsoleRequestMessage, ConsoleResultByType } from '../shared/console-messages.js';
import { type ErrorInfo, type Reply, parseReply } from '../shared/messages.js';
import { describeErrorForUser } from '../ui/error-text.js';

// ----- the channel -------------------------------------------------------------------------------

/** Sends a console message to the worker; a broken channel becomes an error reply too. */
export async function ask<M extends ConsoleRequestMessage>(message: M): Promise<Reply<ConsoleResultByType[M['type']]>> {
  try {
    return parseReply<ConsoleResultByType[M['type']]>(await chrome.runtime.sendMessage(message));
  } catch (error) {
    // Typically "Extension context invalidated" after an update: the page must be reloaded.
    return { ok: false, error: { code: 'unreachable', message: `Keysmith is not reachable (${String(error)}): reload the page` } };
  }
}

// ----- anchors -----------------------------------------------------------------------------------

/** One way to find an element; tried in order, first hit wins. */
export type Finder = (root: ParentNode) => Element | null;

/** The accessible-ish name of an element: aria-label, else its text, whitespace collapsed. */
export function nameOf(element: Element): string {
  const label = element.getAttribute('aria-label');
  return (label ?? element.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** By data-testid (consoles rename test ids less often than classes, but they do). */
export const byTestId =
  (...ids: string[]): Finder =>
  (root) => {
    for (const id of ids) {
      const found = root.querySelector(`[data-testid="${CSS.escape(id)}"], [data-test-id="${CSS.escape(id)}"]`);
      if (found !== null) {
        return found;
      }
    }
    return null;
  };

const ROLE_SELECTORS: Record<string, string> = {
  button: 'button, [role="button"], a[href]',
  heading: 'h1, h2, h3, h4, [role="heading"]',
  dialog: 'dialog[open], [role="dialog"], [role="alertdialog"]',
};

/** By ARIA role and accessible name. Our own hosts are never matched. */
export const byRole =
  (role: keyof typeof ROLE_SELECTORS, name: RegExp): Finder =>
  (root) => {
    const candidates = root.querySelectorAll(ROLE_SELECTORS[role] ?? role);
    // Bounded: the consoles' pages have a few hundred buttons at most.
    for (let i = 0; i < candidates.length && i < 2000; i += 1) {
      const candidate = candidates[i] as Element;
      if (!isOurs(candidate) && name.test(nameOf(candidate))) {
        return candidate;
      }
    }
    return null;
  };

export function findFirst(root: ParentNode, finders: Finder[]): Element | null {
  for (const finder of finders) {
    const found = finder(root);
    if (found !== null) {
      return found;
    }
  }
  return null;
}

/** Text nodes under `root` (bounded), for reading what a dialog displays. */
export function textsUnder(root: Element, limit = 5000): string[] {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: string[] = [];
  for (let node = walker.nextNode(); node !== null && texts.length < limit; node = walker.nextNode()) {
    const text = (node.textContent ?? '').trim();
    if (text !== '' && !isOurs(node.parentElement)) {
      texts.push(text);
    }
  }
  return texts;
}

// ----- our elements ------------------------------------------------------------------------------

const HOST_ATTRIBUTE = 'data-keysmith';

function isOurs(element: Element | null): boolean {
  return element?.closest(`[${HOST_ATTRIBUTE}]`) != null;
}

/** How a console's controls look; our buttons copy the native anchor's font and size on top. */
export interface ConsoleTheme {
  font: string;
  accent: string;
  accentText: string;
  radius: string;
  success: string;
  error: string;
  info: string;
  surface: string;
  text: string;
}

/** A host element with a closed shadow root: the page cannot reach in, and styles cannot leak. */
function makeHost(tag: string, id: string): { host: HTMLElement; root: ShadowRoot } {
  const host = document.createElement(tag);
  host.setAttribute(HOST_ATTRIBUTE, id);
  const root = host.attachShadow({ mode: 'closed' });
  return { host, root };
}

function css(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((out, piece, i) => out + piece + (values[i] ?? ''), '');
}

export interface InjectedButton {
  host: HTMLElement;
  setBusy: (busy: boolean, label?: string) => void;
  setDone: (label: string) => void;
}

/**
 * A button in a closed shadow root, placed after `anchor`, in the console's look (font and size
 * copied from the anchor). Activated by click, Enter or Space like any button; synthetic events
 * from the page's scripts (isTrusted false) are ignored.
 */
export function injectButton(options: {
  id: string;
  label: string;
  anchor: Element;
  theme: ConsoleTheme;
  onActivate: (button: InjectedButton) => void;
}): InjectedButton {
  const { host, root } = makeHost('keysmith-button', options.id);
  host.style.display = 'inline-block';
  host.style.marginInlineStart = '8px';
  host.style.verticalAlign = 'middle';
  const native = getComputedStyle(options.anchor);
  const t = options.theme;
  const style = document.createElement('style');
  style.textContent = css`
    :host { all: initial; display: inline-block; }
    button {
      font-family: ${native.fontFamily || t.font}; font-size: ${native.fontSize || '14px'};
      font-weight: 700; line-height: ${native.lineHeight === 'normal' ? '20px' : native.lineHeight};
      min-height: ${native.height !== 'auto' && native.height !== '0px' ? native.height : '32px'};
      padding: 4px 16px; border-radius: ${t.radius}; cursor: pointer;
      background: ${t.surface}; color: ${t.accent}; border: 2px solid ${t.accent};
      display: inline-flex; align-items: center; gap: 6px; box-sizing: border-box;
    }
    button:hover:not([disabled]) { background: ${t.accent}; color: ${t.accentText}; }
    button:focus-visible { outline: 2px solid ${t.accent}; outline-offset: 2px; }
    button[disabled] { cursor: default; opacity: 0.7; }
    .mark { flex: none; }
  `;
  const button = document.createElement('button');
  button.type = 'button';
  button.title = 'Keysmith: the secret goes straight into your encrypted vault';
  // A padlock drawn in SVG: emoji fonts are not installed everywhere.
  const mark = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  mark.setAttribute('class', 'mark');
  mark.setAttribute('aria-hidden', 'true');
  mark.setAttribute('viewBox', '0 0 16 16');
  mark.setAttribute('width', '14');
  mark.setAttribute('height', '14');
  const shackle = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  shackle.setAttribute('d', 'M4.5 7V5a3.5 3.5 0 0 1 7 0v2');
  shackle.setAttribute('fill', 'none');
  shackle.setAttribute('stroke', 'currentColor');
  shackle.setAttribute('stroke-width', '2');
  const body = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  body.setAttribute('x', '2.5');
  body.setAttribute('y', '7');
  body.setAttribute('width', '11');
  body.setAttribute('height', '8');
  body.setAttribute('rx', '1.5');
  body.setAttribute('fill', 'currentColor');
  mark.append(shackle, body);
  const label = document.createElement('span');
  label.textContent = options.label;
  button.append(mark, label);
  root.append(style, button);
  const injected: InjectedButton = {
    host,
    setBusy: (busy, text) => {
      button.disabled = busy;
      button.setAttribute('aria-busy', String(busy));
      label.textContent = busy ? (text ?? 'Working…') : options.label;
    },
    setDone: (text) => {
      button.disabled = true;
      button.removeAttribute('aria-busy');
      label.textContent = text;
    },
  };
  button.addEventListener('click', (event) => {
    if (!event.isTrusted || button.disabled) {
      return;
    }
    options.onActivate(injected);
  });
  options.anchor.insertAdjacentElement('afterend', host);
  return injected;
}

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface ToastContent {
  kind: 'success' | 'error' | 'info';
  title: string;
  detail?: string;
  /** Machine-readable outcome on the host (an error code or "ok"): never a secret or key id. */
  code: string;
  actions?: ToastAction[];
}

let currentToast: HTMLElement | undefined;

/**
 * Shows one toast (replacing the previous one) at the bottom right, announced politely to screen
 * readers. Escape or "Dismiss" closes it. Its text lives in a closed shadow root.
 */
export function showToast(theme: ConsoleTheme, content: ToastContent): HTMLElement {
  currentToast?.remove();
  const { host, root } = makeHost('keysmith-toast', 'toast');
  host.dataset.kind = content.kind;
  host.dataset.code = content.code;
  const colour = content.kind === 'success' ? theme.success : content.kind === 'error' ? theme.error : theme.info;
  const style = document.createElement('style');
  style.textContent = css`
    :host { all: initial; position: fixed; right: 20px; bottom: 20px; z-index: 2147483647; }
    .toast {
      font-family: ${theme.font}; font-size: 14px; line-height: 20px; color: #fff;
      background: ${colour}; border-radius: ${theme.radius === '20px' ? '12px' : theme.radius};
      padding: 12px 16px; max-width: 380px; box-shadow: 0 4px 20px rgba(0, 0, 0, 0.25);
      display: flex; flex-direction: column; gap: 8px;
    }
    .title { font-weight: 700; overflow-wrap: anywhere; }
    .row { display: flex; gap: 8px; flex-wrap: wrap; }
    button {
      font: inherit; font-weight: 700; color: ${colour}; background: #fff; border: 0;
      border-radius: ${theme.radius}; padding: 4px 12px; cursor: pointer;
    }
    button.secondary { color: #fff; background: transparent; border: 1px solid #fff; }
    button:focus-visible { outline: 2px solid #fff; outline-offset: 2px; }
  `;
  const box = document.createElement('div');
  box.className = 'toast';
  box.setAttribute('role', content.kind === 'error' ? 'alert' : 'status');
  box.setAttribute('aria-live', content.kind === 'error' ? 'assertive' : 'polite');
  const title = document.createElement('div');
  title.className = 'title';
  title.textContent = content.title;
  box.append(title);
  if (content.detail !== undefined) {
    const detail = document.createElement('div');
    detail.textContent = content.detail;
    box.append(detail);
  }
  const row = document.createElement('div');
  row.className = 'row';
  const close = (): void => {
    host.remove();
    if (currentToast === host) {
      currentToast = undefined;
    }
  };
  for (const action of content.actions ?? []) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = action.label;
    button.addEventListener('click', (event) => {
      if (event.isTrusted) {
        action.run();
      }
    });
    row.append(button);
  }
  const dismiss = document.createElement('button');
  dismiss.type = 'button';
  dismiss.className = 'secondary';
  dismiss.textContent = 'Dismiss';
  dismiss.addEventListener('click', close);
  row.append(dismiss);
  box.append(row);
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      close();
    }
  });
  root.append(style, box);
  document.body.append(host);
  currentToast = host;
  return host;
}

/**
 * "Open Keysmith": the worker opens the extension in a tab, on an entry (an entry id) or on
 * an IAM user's two-key choice (`{userName}`), when given.
 */
export function openExtensionAction(label: string, target?: string | { userName: string }): ToastAction {
  return {
    label,
    run: () => {
      void ask(
        target === undefined
          ? { type: 'console.openExtension' }
          : typeof target === 'string'
            ? { type: 'console.openExtension', entryId: target }
            : { type: 'console.openExtension', userName: target.userName },
      );
    },
  };
}

/**
 * The toast for an error reply: what went wrong and what to do, with a way into Keysmith (for
 * key_limit with the IAM user `userName`: straight to that user's two-key choice).
 */
export function errorToast(theme: ConsoleTheme, error: ErrorInfo, what: string, userName?: string): HTMLElement {
  const advice: Record<string, string> = {
    no_signer: "Add a signer identity in Keysmith's options: it is what creates keys for you.",
    no_vault: "Set up Keysmith's vault first, then try again.",
    vault_locked: 'Unlock Keysmith, then try again: nothing was created.',
    key_limit:
      'This user already has two access keys, the most IAM allows; nothing was created. ' +
      'Choose in Keysmith which one to deactivate or delete: the key is created once a slot is free.',
    mfa_required:
      'Your signer identity requires MFA: open Keysmith, enter the MFA code in the AWS form, then try again here.',
  };
  return showToast(theme, {
    kind: 'error',
    code: error.code,
    title: `${what}: not done`,
    detail: advice[error.code] ?? describeErrorForUser(error),
    actions: [
      error.code === 'key_limit' && userName !== undefined
        ? openExtensionAction('Choose a key in Keysmith', { userName })
        : openExtensionAction(error.code === 'vault_locked' ? 'Unlock Keysmith' : 'Open Keysmith'),
    ],
  });
}

/** A small pill at the bottom left for recognised pages whose layout Keysmith cannot read. */
let fallback: HTMLElement | undefined;
export function showFallback(theme: ConsoleTheme, text: string): void {
  if (fallback?.isConnected === true) {
    return;
  }
  const { host, root } = makeHost('keysmith-fallback', 'fallback');
  const style = document.createElement('style');
  style.textContent = css`
    :host { all: initial; position: fixed; left: 20px; bottom: 20px; z-index: 2147483646; }
    button {
      font-family: ${theme.font}; font-size: 13px; font-weight: 700; padding: 6px 14px;
      border-radius: ${theme.radius}; border: 2px solid ${theme.accent}; background: ${theme.surface};
      color: ${theme.accent}; cursor: pointer; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.2);
    }
    button:focus-visible { outline: 2px solid ${theme.accent}; outline-offset: 2px; }
  `;
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = text;
  button.addEventListener('click', (event) => {
    if (event.isTrusted) {
      void ask({ type: 'console.openExtension' });
    }
  });
  root.append(style, button);
  document.body.append(host);
  fallback = host;
}

export function hideFallback(): void {
  fallback?.remove();
  fallback = undefined;
}

// ----- re-rendering after client-side navigation -------------------------------------------------

const RENDER_INTERVAL_MS = 250;
/** How long a recognised page may take to render its anchor before the fallback shows. */
export const ANCHOR_GRACE_MS = 4000;

/**
 * Calls `render` now, after every client-side navigation, and after DOM changes, at most once
 * per RENDER_INTERVAL_MS: the observer callback only sets a timer, so a busy page costs one
 * bounded render per interval whatever the number of mutations. Changes inside our own hosts
 * are ignored, so rendering cannot feed itself.
 */
export function watchPage(render: () => void): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (): void => {
    if (timer === undefined) {
      timer = setTimeout(() => {
        timer = undefined;
        render();
      }, RENDER_INTERVAL_MS);
    }
  };
  const observer = new MutationObserver((records) => {
    // A render is already due: nothing to look at (this keeps a busy page's cost flat).
    if (timer !== undefined) {
      return;
    }
    if (records.some((record) => !isOurs(record.target instanceof Element ? record.target : record.target.parentElement) && !addsOnlyOurs(record))) {
      schedule();
    }
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener('hashchange', schedule);
  window.addEventListener('popstate', schedule);
  render();
}

function addsOnlyOurs(record: MutationRecord): boolean {
  const nodes = [...record.addedNodes, ...record.removedNodes];
  return nodes.length > 0 && nodes.every((node) => node instanceof Element && node.hasAttribute(HOST_ATTRIBUTE));
}

/** Something to inject on the current page: where (finders) and what (inject). */
export interface Target {
  /** Which slot it occupies: one injected element per slot ("page", "dialog"). */
  slot: string;
  /** Identifies the page state (route and names): a new key re-injects. */
  key: string;
  finders: Finder[];
  inject: (anchor: Element) => { host: HTMLElement };
  /** The page is recognised and should have the anchor: missing it for long shows the fallback. */
  expected: boolean;
}

/**
 * Runs a console script: after every (bounded) render, each target is injected next to its
 * anchor once; an expected anchor missing for ANCHOR_GRACE_MS (a redesign Keysmith does not
 * know yet) shows the "open the extension" fallback instead.
 */
export function runInjector(theme: ConsoleTheme, fallbackText: string, targetsNow: () => Target[]): void {
  const slots = new Map<string, Slot>();
  let missingSince: { key: string; at: number } | undefined;
  const render = (): void => {
    const targets = targetsNow();
    const missing: string[] = [];
    for (const [name, slot] of slots) {
      if (!targets.some((target) => target.slot === name)) {
        slot.clear();
      }
    }
    for (const target of targets) {
      const slot = slots.get(target.slot) ?? new Slot();
      slots.set(target.slot, slot);
      const anchor = findFirst(document, target.finders);
      if (anchor === null) {
        slot.clear();
        if (target.expected) {
          missing.push(target.key);
        }
      } else if (slot.needs(target.key, anchor)) {
        slot.hold(target.key, anchor, target.inject(anchor).host);
      }
    }
    const key = missing.join('|');
    if (key === '') {
      missingSince = undefined;
      hideFallback();
    } else if (missingSince?.key !== key) {
      missingSince = { key, at: Date.now() };
      setTimeout(render, ANCHOR_GRACE_MS + 50);
    } else if (Date.now() - missingSince.at >= ANCHOR_GRACE_MS) {
      showFallback(theme, fallbackText);
    }
  };
  watchPage(render);
}

/** Keeps one injected element per key in sync with where it should be. */
export class Slot {
  private current: { key: string; host: HTMLElement; anchor: Element } | undefined;

  /** Removes what no longer fits `key`/`anchor`; returns true when (re)injection is needed. */
  needs(key: string, anchor: Element): boolean {
    const c = this.current;
    if (c !== undefined && c.key === key && c.anchor === anchor && c.host.isConnected && c.anchor.isConnected) {
      return false;
    }
    this.clear();
    return true;
  }

  hold(key: string, anchor: Element, host: HTMLElement): void {
    this.current = { key, anchor, host };
  }

  clear(): void {
    this.current?.host.remove();
    this.current = undefined;
  }
}
