// A 390 px phone on the late-fusion demo (the page as it opens): every chart is laid out about the
// full width of the screen with text of at least 12 px, and the "Test patients by availability
// pattern" table shows every column: it fits, or it scrolls inside its box with a visible shadow cue.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { launch, openApp, PHONE } from './helpers.js';

let env;
beforeAll(async () => { env = await launch(); });
afterAll(async () => { await env?.close(); });

describe('phone (390 px)', () => {
  it('charts full width with text >= 12 px; the pattern table wraps or scrolls with a cue', async () => {
    const { context, page, problems } = await openApp(env, { ...PHONE });
    expect(await page.isVisible('#fusion')).toBe(true);
    const charts = await page.$$eval('#fusion .chart svg[role="img"]', (svgs) => svgs.filter((s) => s.getClientRects().length).map((svg) => ({
      label: svg.getAttribute('aria-label'),
      width: svg.getBoundingClientRect().width,
      smallest: Math.min(...[...svg.querySelectorAll('text')].map((t) => parseFloat(getComputedStyle(t).fontSize))),
    })));
    const screen = await page.evaluate(() => document.documentElement.clientWidth);
    expect(charts.length).toBeGreaterThan(3);
    for (const c of charts) {
      expect(c.width, c.label).toBeGreaterThanOrEqual(0.75 * screen);
      expect(c.smallest, c.label).toBeGreaterThanOrEqual(12);
    }
    const table = await page.$eval('#fusion-patterns-test', (t) => {
      const wrap = t.closest('.table-wrap');
      const last = t.querySelector('thead th:last-child').getBoundingClientRect();
      const box = wrap.getBoundingClientRect();
      return { fits: last.right <= box.right + 1, scrolls: wrap.scrollWidth > wrap.clientWidth, overflow: getComputedStyle(wrap).overflowX, cue: getComputedStyle(wrap).backgroundImage };
    });
    expect(table.fits || (table.scrolls && table.overflow === 'auto')).toBe(true);
    expect(table.cue).toContain('radial-gradient');
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
