// Copy a secret to the clipboard, and clear it again after a while, but only if the clipboard
// still holds what Keysmith put there (the user may have copied something else meanwhile).
// Only a SHA-256 digest of the copied text is kept for that comparison, not the text.
// Limitation (SECURITY.md): the timer lives in this page; if the popup closes first (it does
// when focus moves to another window), nothing clears the clipboard.

import { sha256Hex } from '../shared/digest.js';
import { DEFAULT_CLIPBOARD_CLEAR_SECONDS } from '../shared/messages.js';

/**
 * Seconds from a copy to the clear: the options page's setting (Settings.clipboardClearSeconds),
 * which the popup passes in when it loads the settings and whenever they change.
 */
let clearSeconds = DEFAULT_CLIPBOARD_CLEAR_SECONDS;

export function setClipboardClearSeconds(seconds: number): void {
  clearSeconds = seconds;
}

export function clipboardClearSeconds(): number {
  return clearSeconds;
}

/** The pending clear, if any: one at a time (a new copy replaces it). */
let pending: { timer: ReturnType<typeof setTimeout>; hash: string } | undefined;

export type ClearOutcome =
  | { kind: 'cleared'; seconds: number }
  | { kind: 'changed' }
  | { kind: 'unreadable' };

/**
 * Writes `text` to the clipboard and schedules the clear. `onCleared` hears how it ended:
 * cleared, left alone because the clipboard changed, or left alone because it could not be read.
 */
export async function copyAndClearLater(
  text: string,
  onCleared: (outcome: ClearOutcome) => void,
): Promise<void> {
  // The timeout in force at the time of the copy (a later change applies to later copies).
  const seconds = clearSeconds;
  await navigator.clipboard.writeText(text);
  const hash = await sha256Hex(text);
  if (pending !== undefined) {
    clearTimeout(pending.timer);
  }
  const timer = setTimeout(() => {
    pending = undefined;
    void clearIfUnchanged(hash, seconds).then(onCleared);
  }, seconds * 1000);
  pending = { timer, hash };
}

async function clearIfUnchanged(hash: string, seconds: number): Promise<ClearOutcome> {
  let current: string;
  try {
    current = await navigator.clipboard.readText();
  } catch {
    return { kind: 'unreadable' };
  }
  if ((await sha256Hex(current)) !== hash) {
    return { kind: 'changed' };
  }
  await navigator.clipboard.writeText('');
  return { kind: 'cleared', seconds };
}

/** What to tell the user once the timer has run. */
export function describeClear(outcome: ClearOutcome): string {
  switch (outcome.kind) {
    case 'cleared':
      return `The clipboard was cleared after ${outcome.seconds} seconds.`;
    case 'changed':
      return 'The clipboard holds something else now, so Keysmith left it alone.';
    case 'unreadable':
      return 'Keysmith could not read the clipboard to check it, so it left it alone: copy something else over the secret.';
  }
}
