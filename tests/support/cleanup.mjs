// Test teardown: every step runs even if an earlier one fails, so nothing is left running
// (a browser, an emulator), and every failure is reported.

/** Runs each cleanup in order; throws an AggregateError of the ones that failed. */
export async function cleanUp(...steps) {
  const failures = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) {
    throw new AggregateError(failures, 'cleanup failed');
  }
}
