// Where a "create and vault" went: the core's phases (sign, network, parse, seal, from its
// CallTimings) plus the worker's own (store), kept as User Timing measures in the service
// worker. DevTools' performance panel shows them; the benchmark (bench/console-create.mjs)
// reads them from the worker. Durations only, never a name, key id or secret, and only the
// latest measure of each name is kept, so nothing accumulates in a long-lived worker.

import type { CallTimings } from '../../../build/pkg/keysmith_core.js';

/** The core's phases of one flow, summed over its calls, and the storage write. */
export type CreateTimings = CallTimings & { storeMs: number };

export const CREATE_MEASURE = {
  /** The worker's create handler: signer opened, key created, sealed and stored. */
  awsCreateAccessKey: 'keysmith.aws.createAccessKey',
  /** The console's message, from arrival to answer (adds finding the signer). */
  consoleAwsCreateAccessKey: 'keysmith.console.aws.createAccessKey',
} as const;

export function sumTimings(parts: CallTimings[], storeMs: number): CreateTimings {
  const sum = (key: keyof CallTimings): number => parts.reduce((total, part) => total + (part[key] ?? 0), 0);
  return { signMs: sum('signMs'), networkMs: sum('networkMs'), parseMs: sum('parseMs'), sealMs: sum('sealMs'), storeMs };
}

/** Records (replacing the previous one) the measure `name` from `startMs` to now. */
export function recordMeasure(name: string, startMs: number, detail?: CreateTimings): void {
  performance.clearMeasures(name);
  performance.measure(name, { start: startMs, end: performance.now(), ...(detail === undefined ? {} : { detail }) });
}
