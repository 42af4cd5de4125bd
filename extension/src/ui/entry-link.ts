// "Open in Keysmith" from a console toast opens popup.html#entry=<id>: point out that entry.

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
