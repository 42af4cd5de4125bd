// The gate between the messages that use the vault's key pair and the one that replaces it.
// A create reads the header, seals the new secret to its public key (often after a provider
// round trip) and stores the entry: if a vault-file import replaced the vault in between, the
// entry would be sealed to a key the vault no longer has (unreadable: a silent loss) and would
// survive the import's removal of the old entries. So every message runs under a shared hold,
// and a replacing message waits until the held ones have finished, while messages that arrive
// meanwhile wait until it has: each create runs wholly before the import or wholly after it.

import { makeQueue } from './aws-flows.js';

export interface Gate {
  /** Runs `run` alongside other shared runs, once no exclusive run is waiting or running. */
  shared: <T>(run: () => Promise<T>) => Promise<T>;
  /** Runs `run` alone: after the shared runs in progress finish, before any that arrive later. */
  exclusive: <T>(run: () => Promise<T>) => Promise<T>;
}

export function makeGate(): Gate {
  let sharedRuns = 0;
  /** Exclusive runs requested and not yet finished: while any is, shared runs wait. */
  let exclusiveRuns = 0;
  let waiters: (() => void)[] = [];
  const changed = (): Promise<void> => new Promise((resolve) => waiters.push(resolve));
  const wake = (): void => {
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) {
      resolve();
    }
  };
  const oneExclusiveAtATime = makeQueue();

  async function shared<T>(run: () => Promise<T>): Promise<T> {
    while (exclusiveRuns > 0) {
      await changed();
    }
    // No await between the check and the count: an exclusive request cannot slip in between.
    sharedRuns += 1;
    try {
      return await run();
    } finally {
      sharedRuns -= 1;
      wake();
    }
  }

  function exclusive<T>(run: () => Promise<T>): Promise<T> {
    // Counted at once, so that shared runs arriving from now on wait for it.
    exclusiveRuns += 1;
    return oneExclusiveAtATime(async () => {
      try {
        while (sharedRuns > 0) {
          await changed();
        }
        return await run();
      } finally {
        exclusiveRuns -= 1;
        wake();
      }
    });
  }

  return { shared, exclusive };
}
