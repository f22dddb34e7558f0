// Layout and accessibility: a 390 px phone screen without horizontal scrolling, every control
// labelled, tabs operable from the keyboard, screenshots of each main screen.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { launch, openApp, screenshot, PHONE } from './helpers.js';

let env;
beforeAll(async () => { env = await launch(); });
afterAll(async () => { await env?.close(); });

const noHorizontalOverflow = (page) => page.evaluate(() => ({
  scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth,
  wide: [...document.querySelectorAll('body *')]
    .filter((el) => el.offsetParent !== null && !el.closest('.table-wrap') && el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`).slice(0, 5),
}));

describe('layout and accessibility', () => {
  it('fits a 390 px wide phone screen on every tab', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=lung', ...PHONE });
    for (const tab of ['fit', 'score', 'learn']) {
      await page.click(`#tab-${tab}`);
      const o = await noHorizontalOverflow(page);
      expect(o.wide, `elements wider than the screen on ${tab}`).toEqual([]);
      expect(o.scrollWidth).toBeLessThanOrEqual(o.clientWidth);
      await screenshot(page, `mobile-${tab}`);
    }
    await page.click('#tab-fit');
    await page.locator('#results').scrollIntoViewIfNeeded();
    await screenshot(page, 'mobile-results');
    await page.locator('#forest-figure').scrollIntoViewIfNeeded();
    await screenshot(page, 'mobile-forest');
    await page.locator('#setup').scrollIntoViewIfNeeded();
    await screenshot(page, 'mobile-setup');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('labels every control, and the tabs work from the keyboard', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=lung' });
    const unlabelled = await page.evaluate(() => {
      const name = (el) => (el.getAttribute('aria-label') || (el.labels && [...el.labels].map((l) => l.textContent).join(' ')) ||
        (el.getAttribute('aria-labelledby') && document.getElementById(el.getAttribute('aria-labelledby'))?.textContent) || el.textContent || '').trim();
      return [...document.querySelectorAll('button, input, select, textarea, [role="tab"]')].filter((el) => !name(el)).map((el) => el.outerHTML.slice(0, 80));
    });
    expect(unlabelled).toEqual([]);
    // Tables have captions; the chart has a text alternative.
    expect(await page.$$eval('table', (ts) => ts.filter((t) => !t.querySelector('caption')?.textContent.trim()).length)).toBe(0);
    expect(await page.$eval('#forest-figure svg', (s) => s.getAttribute('role') === 'img' && !!s.getAttribute('aria-label'))).toBe(true);
    // Keyboard: focus the selected tab, arrow to the next ones.
    await page.focus('#tab-fit');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement.id)).toBe('tab-score');
    expect(await page.isVisible('#panel-score')).toBe(true);
    await page.keyboard.press('ArrowRight');
    expect(await page.isVisible('#panel-learn')).toBe(true);
    await screenshot(page, 'learn-desktop');
    await page.keyboard.press('Home');
    expect(await page.isVisible('#panel-fit')).toBe(true);
    // The Score tab names the model just fitted.
    await page.click('#tab-score');
    expect(await page.textContent('#score-model')).toMatch(/Just fitted: Cox model on lung\.csv/);
    await screenshot(page, 'score-desktop');
    expect(problems).toEqual([]);
    await context.close();
  });
});
