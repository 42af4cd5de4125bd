// Fault injection for the end-to-end tests: pause points in create-and-vault where a test can
// hold the worker (and then stop it through the DevTools protocol, or fill the storage) before
// letting it go on. Test build only: every call site is a statement labelled `KEYSMITH_TEST:`,
// which the shipped build drops (extension/build.mjs), so this module is not even bundled there.

declare const __KEYSMITH_TEST_BUILD__: boolean;

/** session: the step a test wants the worker to stop at (armed once; cleared when reached). */
export const TEST_PAUSE_AT = 'keysmith.test.pauseAt';
/** session: the step the worker is held at. */
export const TEST_PAUSED_AT = 'keysmith.test.pausedAt';
/** session: set by the test to let the held worker go on. */
export const TEST_RELEASE = 'keysmith.test.release';

export type PauseStep = 'before-request' | 'after-provider' | 'after-store';

/** Whether a create is held at a pause point in this worker (only one is, however many run). */
let holding = false;

/** Holds the worker at `step` if a test armed it, until the test releases it. */
export async function pausePoint(step: PauseStep): Promise<void> {
  if (!__KEYSMITH_TEST_BUILD__) {
    return;
  }
  const armed: Record<string, unknown> = await chrome.storage.session.get(TEST_PAUSE_AT);
  // Creates running side by side may all read the armed step before the first clears it: the
  // first to get here after the read takes it (this check and set run without a pause between).
  if (armed[TEST_PAUSE_AT] !== step || holding) {
    return;
  }
  holding = true;
  const released = new Promise<void>((resolve) => {
    const listener = (changes: Record<string, chrome.storage.StorageChange>, area: string): void => {
      if (area === 'session' && changes[TEST_RELEASE]?.newValue !== undefined) {
        chrome.storage.onChanged.removeListener(listener);
        resolve();
      }
    };
    chrome.storage.onChanged.addListener(listener);
  });
  await chrome.storage.session.remove(TEST_PAUSE_AT);
  await chrome.storage.session.set({ [TEST_PAUSED_AT]: step });
  await released;
  await chrome.storage.session.remove([TEST_PAUSED_AT, TEST_RELEASE]);
  holding = false;
}
