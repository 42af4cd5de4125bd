// How the vault's key-derivation cost is described to the user (setup, unlock).

import type { KdfInfo } from '../shared/messages.js';

/** The core's default Argon2id cost (KdfParams::DEFAULT), shown before a vault exists. */
export const DEFAULT_KDF: KdfInfo = { mKib: 65_536, t: 3, p: 4 };

export function describeKdfCost(kdf: KdfInfo): string {
  const memory = kdf.mKib % 1024 === 0 ? `${kdf.mKib / 1024} MiB` : `${kdf.mKib} KiB`;
  const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  return `Argon2id, ${memory} of memory, ${count(kdf.t, 'pass', 'passes')}, ${count(kdf.p, 'lane', 'lanes')}`;
}
