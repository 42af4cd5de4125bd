// A rough passphrase-strength hint for the "create vault" form. It is a nudge, not a guarantee:
// it cannot know that a passphrase is a famous quote. Nothing here stores or logs the input.

import { MIN_NEW_PASSPHRASE } from '../shared/messages.js';

export interface Strength {
  /** 0 too short or trivially guessable, 1 weak, 2 fair, 3 strong. */
  level: 0 | 1 | 2 | 3;
  text: string;
}

const COMMON = ['password', 'passwort', 'motdepasse', 'qwerty', 'azerty', 'letmein', 'keysmith', 'welcome', 'admin'];

/** Characters drawn from a run like "aaaa" or "1234" add almost nothing. */
function isTrivial(passphrase: string): boolean {
  const lower = passphrase.toLowerCase();
  if (COMMON.some((word) => lower.includes(word)) && lower.length < 16) {
    return true;
  }
  const codes = [...lower].map((c) => c.codePointAt(0) ?? 0);
  const steps = new Set(codes.slice(1).map((code, i) => code - (codes[i] ?? 0)));
  return steps.size === 1 && [...steps].every((step) => Math.abs(step) <= 1);
}

/** Estimated bits: length × log2(alphabet), with repeated characters counted once past 2 uses. */
function estimatedBits(passphrase: string): number {
  const chars = [...passphrase];
  let pool = 0;
  if (/[a-z]/.test(passphrase)) pool += 26;
  if (/[A-Z]/.test(passphrase)) pool += 26;
  if (/[0-9]/.test(passphrase)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(passphrase)) pool += 33;
  const counts = new Map<string, number>();
  let effective = 0;
  for (const c of chars) {
    const seen = (counts.get(c) ?? 0) + 1;
    counts.set(c, seen);
    effective += seen <= 2 ? 1 : 0.25;
  }
  return effective * Math.log2(Math.max(pool, 2));
}

export function estimateStrength(passphrase: string): Strength {
  const length = [...passphrase].length;
  if (length === 0) {
    return { level: 0, text: `Use at least ${MIN_NEW_PASSPHRASE} characters; four or more random words are best.` };
  }
  if (length < MIN_NEW_PASSPHRASE) {
    return { level: 0, text: `Too short: at least ${MIN_NEW_PASSPHRASE} characters (${length} so far).` };
  }
  if (isTrivial(passphrase)) {
    return { level: 0, text: 'Too easy to guess: avoid common words and runs like "12345678".' };
  }
  const bits = estimatedBits(passphrase);
  if (bits < 50) {
    return { level: 1, text: 'Strength: weak. Add a few more words or characters.' };
  }
  if (bits < 75) {
    return { level: 2, text: 'Strength: fair. A longer passphrase would be safer.' };
  }
  return { level: 3, text: 'Strength: strong.' };
}
