// Shared by the content scripts: a visible, harmless sign that the script ran (used by tests).

/** Sets data-keysmith-content="<name>" on the page's root element. No secrets, no page scripts. */
export function markLoaded(name: string): void {
  document.documentElement.dataset.keysmithContent = name;
}
