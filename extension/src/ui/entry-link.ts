// "Open in Keysmith" from a console toast opens popup.html#entry=<id>: point out that entry.
// After key_limit, the toast opens popup.html#key-slot=<IAM user name>: that user's two-key choice.

import { parseIamUserName } from '../shared/messages.js';

const ENTRY_LINK = /^#entry=([0-9a-f]{32})$/;

/** Marks the linked entry of `list` (aria-current), scrolls to it and focuses it, if listed. */
export function showLinkedEntry(list: HTMLElement): void {
  const id = ENTRY_LINK.exec(location.hash)?.[1];
  if (id === undefined) {
    return;
  }
  const item = list.querySelector<HTMLElement>(`li[data-entry-id="${id}"]`);
  if (item === null) {
    return;
  }
  item.setAttribute('aria-current', 'true');
  item.tabIndex = -1;
  item.scrollIntoView({ block: 'center' });
  item.focus();
}

/** The IAM user of a #key-slot=<name> link, if the page was opened with a valid one. */
export function linkedKeySlotUser(): string | undefined {
  const match = /^#key-slot=([^&#]{1,200})$/.exec(location.hash);
  if (match?.[1] === undefined) {
    return undefined;
  }
  try {
    return parseIamUserName(decodeURIComponent(match[1]));
  } catch {
    return undefined; // not a user name: open the popup as usual
  }
}
