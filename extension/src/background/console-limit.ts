// The console rate limit (console-messages.ts CONSOLE_RATE_LIMIT): a sliding window of what console
// pages had Keysmith make, across every console tab. Checked once, where the worker dispatches a
// console message, before the handler runs: over the limit, nothing reaches a provider or storage.

import { CONSOLE_RATE_KIND, CONSOLE_RATE_LIMIT, type ConsoleRateKind, ConsoleErrorCode } from '../shared/console-messages.js';
import { type MessageType, STORAGE, WorkerErrorCode } from '../shared/messages.js';
import { makeQueue } from './aws-flows.js';
import { ConsoleError } from './console.js';

/** The window as stored: per kind, when each counted message was taken (ms since the epoch). */
type Window = Record<ConsoleRateKind, number[]>;

/**
 * Refusals that come before any provider call or storage write: the message made nothing, so its
 * slot is given back (a person who clicks while the vault is locked, then unlocks, is not paused).
 * Anything else keeps its slot, a provider's refusal included: it was a call made with the
 * user's signer identity.
 */
const MADE_NOTHING: ReadonlySet<string> = new Set([
  WorkerErrorCode.badRequest,
  WorkerErrorCode.coreUnavailable,
  WorkerErrorCode.noVault,
  WorkerErrorCode.locked,
  WorkerErrorCode.vaultLocked,
  WorkerErrorCode.noSigner,
  // The core refuses an MFA signer without its session while reading the call's arguments.
  'mfa_required',
]);

const KIND_TEXT: Record<ConsoleRateKind, string> = { create: 'creates', vault: '"Vault this key"' };

/** console_rate_limited, with when a slot frees up. */
export class ConsoleRateLimitedError extends ConsoleError {
  constructor(
    kind: ConsoleRateKind,
    readonly retryAfterMs: number,
  ) {
    const { max, windowMs } = CONSOLE_RATE_LIMIT[kind];
    const minute = windowMs === 60_000 ? 'the last minute' : `the last ${Math.round(windowMs / 1000)} s`;
    super(
      ConsoleErrorCode.rateLimited,
      `Keysmith paused ${KIND_TEXT[kind]} from console pages: ${max} in ${minute}. ` +
        `Wait ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s, or use the Keysmith popup`,
    );
    this.name = 'ConsoleRateLimitedError';
  }
}

/**
 * The limiter. The window lives in chrome.storage.session, not in the worker's memory: a
 * stopped worker (MV3 stops idle ones; a page can make it idle) must not start a fresh window,
 * and session storage is for trusted contexts only (the worker never widens its access level),
 * so a content script can neither read nor reset it. Every read-check-write runs in one queue,
 * so messages arriving together are counted one after the other and none slips past.
 */
export function createConsoleLimiter(area: chrome.storage.StorageArea = chrome.storage.session, now: () => number = Date.now) {
  const serially = makeQueue();

  async function read(): Promise<Window> {
    const stored: Record<string, unknown> = await area.get(STORAGE.consoleLimit);
    const value = stored[STORAGE.consoleLimit] as Partial<Record<ConsoleRateKind, unknown>> | undefined;
    const times = (kind: ConsoleRateKind): number[] => {
      const list = value?.[kind];
      return Array.isArray(list) ? list.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)) : [];
    };
    return { create: times('create'), vault: times('vault') };
  }

  /** Takes a slot of `kind` (persisted before the handler runs) or throws ConsoleRateLimitedError. */
  function take(kind: ConsoleRateKind): Promise<number> {
    return serially(async () => {
      const window = await read();
      const at = now();
      const { max, windowMs } = CONSOLE_RATE_LIMIT[kind];
      // Within the window either way: a clock set back keeps what it counted, for one window at most.
      const recent = window[kind].filter((t) => Math.abs(at - t) < windowMs).sort((a, b) => a - b);
      if (recent.length >= max) {
        // The slot that frees first: when the oldest of the last `max` leaves the window.
        const frees = (recent[recent.length - max] as number) + windowMs - at;
        throw new ConsoleRateLimitedError(kind, Math.min(windowMs, Math.max(0, Math.ceil(frees))));
      }
      await area.set({ [STORAGE.consoleLimit]: { ...window, [kind]: [...recent, at] } });
      return at;
    });
  }

  /** Gives back the slot taken at `at` (one entry of that time). */
  function giveBack(kind: ConsoleRateKind, at: number): Promise<void> {
    return serially(async () => {
      const window = await read();
      const index = window[kind].indexOf(at);
      if (index >= 0) {
        window[kind].splice(index, 1);
        await area.set({ [STORAGE.consoleLimit]: window });
      }
    });
  }

  return {
    /**
     * Runs `work` (a console message's handling) under the limit, when messages of `type` are
     * counted; other types run straight away. A refusal that made nothing gives its slot back.
     */
    async limit<T>(type: MessageType, work: () => Promise<T>): Promise<T> {
      const kind = (CONSOLE_RATE_KIND as Partial<Record<MessageType, ConsoleRateKind>>)[type];
      if (kind === undefined) {
        return work();
      }
      const at = await take(kind);
      try {
        return await work();
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        if (typeof code === 'string' && MADE_NOTHING.has(code)) {
          await giveBack(kind, at).catch(() => undefined);
        }
        throw error;
      }
    },
  };
}
