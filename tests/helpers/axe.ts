/**
 * axe-core (Deque's accessibility engine) run inside a page of the test Chromium. The engine is evaluated
 * through the DevTools protocol, so the page's own Content-Security-Policy stays as it is in production.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

let source: string | undefined;
const axeSource = (): string => (source ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));

export interface AxeProblem { id: string; impact: string; help: string; targets: string[] }

/**
 * The serious and critical violations on the page as it is now (WCAG 2.x A/AA rules and axe's best
 * practices). An empty list means the page passes; each problem names the rule and the elements.
 */
export async function axeProblems(page: Page, opts: { include?: string } = {}): Promise<AxeProblem[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(axeSource());
  const found = await page.evaluate(async (include) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const res = await axe.run(include ? { include: [include] } : document, { resultTypes: ['violations'] });
    return res.violations.map((v) => ({ id: v.id, impact: v.impact ?? 'unknown', help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  }, opts.include ?? null);
  return found.filter((p) => p.impact === 'serious' || p.impact === 'critical');
}
