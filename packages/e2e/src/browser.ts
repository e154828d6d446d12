import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findRepoRoot } from '@hookstream/local-infra';
import { HEADLESS_CHROMIUM_FLAGS } from '@hookstream/testkit';

export { ensureChromium } from '@hookstream/testkit';

/**
 * Headless Chromium with a fresh profile. Without the background-networking flags it
 * tries to reach Google's services, which on a closed network only floods it.
 */
export async function launchChromium(executablePath: string): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'hookstream-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [...HEADLESS_CHROMIUM_FLAGS],
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core in the page (injected through the DevTools protocol, which the page's
 * Content-Security-Policy does not govern) and returns its serious and critical findings.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`
    axe.run(document, { resultTypes: ['violations'] }).then((results) =>
      results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.map((node) => node.target.join(' ')),
      })),
    )
  `)) as AxeViolation[];
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

export interface KeyboardReport {
  /** Interactive elements that Tab never reached. */
  unreached: string[];
  /** Elements that had the focus without a visible outline or ring. */
  invisibleFocus: string[];
  reached: number;
}

/**
 * Presses Tab through the whole page (three times its interactive elements, so the focus
 * wraps around) and reports the visible interactive elements that never got the focus, and
 * those whose focus was not visible.
 */
export async function keyboardReport(page: Page): Promise<KeyboardReport> {
  const total = (await page.evaluate(`(() => {
    const selector = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
    // checkVisibility: the content of a closed <details> keeps its boxes but is skipped (content-visibility).
    const elements = [...document.querySelectorAll(selector)].filter(
      (element) => element.getClientRects().length > 0 && element.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true }),
    );
    elements.forEach((element, index) => element.setAttribute('data-kb', String(index)));
    // Start from the top of the page, not from the control last used.
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    return elements.length;
  })()`)) as number;
  const reached = new Set<string>();
  const invisible = new Set<string>();
  for (let press = 0; press < total * 3 + 6; press += 1) {
    await page.keyboard.press('Tab');
    const focused = (await page.evaluate(`(() => {
      const element = document.activeElement;
      if (!element || element === document.body) return null;
      const style = getComputedStyle(element);
      const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      const state = visible ? '' : ' [outline ' + style.outlineStyle + ' ' + style.outlineWidth + ', shadow ' + style.boxShadow + ', focus ' + element.matches(':focus') + ', document focus ' + document.hasFocus() + ']';
      return { index: element.getAttribute('data-kb'), visible, label: element.tagName.toLowerCase() + ' ' + (element.textContent || element.getAttribute('aria-label') || element.id || '').trim().slice(0, 40) + state };
    })()`)) as { index: string | null; visible: boolean; label: string } | null;
    if (!focused) continue;
    if (focused.index !== null) reached.add(focused.index);
    if (!focused.visible) invisible.add(focused.label);
  }
  const unreached = (await page.evaluate(`(() => {
    const reached = new Set(${JSON.stringify([...reached])});
    return [...document.querySelectorAll('[data-kb]')]
      .filter((element) => !reached.has(element.getAttribute('data-kb')))
      .map((element) => element.tagName.toLowerCase() + ' ' + (element.textContent || element.id || '').trim().slice(0, 40));
  })()`)) as string[];
  return { unreached, invisibleFocus: [...invisible], reached: reached.size };
}

/**
 * Writes a screenshot of the page under reports/console-screenshots/, or under
 * docs/console/ (the README shows those) when UPDATE_SCREENSHOTS=1, so that an ordinary
 * test run never rewrites tracked files.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const root = findRepoRoot();
  const directory =
    process.env.UPDATE_SCREENSHOTS === '1' ? path.join(root, 'docs', 'console') : path.join(root, 'reports', 'console-screenshots');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${name}.png`);
  await page.evaluate('document.activeElement instanceof HTMLElement && document.activeElement.blur()');
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
