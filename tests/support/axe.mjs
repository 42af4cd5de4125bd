// Accessibility check with axe-core (npm), run inside a page. The source is evaluated through
// the DevTools protocol, which the extension pages' CSP (no inline scripts) does not block.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const FAILING_IMPACTS = ['serious', 'critical'];

/**
 * Runs axe on the page as it is now (hidden parts are skipped, as a screen reader would).
 * @returns {Promise<{id: string, impact: string, help: string, targets: string[]}[]>}
 *   the serious and critical violations (empty when none)
 */
export async function seriousViolations(page) {
  const loaded = await page.evaluate(() => typeof globalThis.axe === 'object');
  if (!loaded) {
    await page.evaluate(AXE_SOURCE);
  }
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, {
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      targets: v.nodes.map((node) => node.target.join(' ')),
    }));
  });
  return violations.filter((v) => FAILING_IMPACTS.includes(v.impact));
}

/** A readable list of violations, for assertion messages. */
export function describeViolations(violations) {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.slice(0, 5).join(', ')})`).join('\n');
}
