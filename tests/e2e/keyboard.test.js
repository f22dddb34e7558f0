// Keyboard use and the words of run statuses: the automatic demo at opening leaves focus alone (the
// first Tab reaches the skip link); Escape cancels a running job, "Cancelled." is a neutral status
// (not the red ⚠ of an error) and focus returns to the button that started the run; each
// modality-name box is labelled with its modality; a settings message says its range once.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { launch, openApp, act } from './helpers.js';

let env;
beforeAll(async () => { env = await launch(); });
afterAll(async () => { await env?.close(); });

describe('keyboard', () => {
  it('after the page opens with the demo, the first Tab reaches the skip link', async () => {
    const { context, page, problems } = await openApp(env);
    expect(await page.isVisible('#fusion')).toBe(true);
    expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement.className)).toBe('skip-link');
    // A user's click on "Run demo" does move focus to the results.
    await act(page, () => page.click('#btn-demo'), 60_000);
    expect(await page.evaluate(() => document.activeElement.closest('#fusion') !== null)).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('Escape cancels a running job; "Cancelled." is a neutral status; focus returns to the starting button', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await page.click('#tab-learn');
    await page.fill('#learn-seeds', '50');
    await page.fill('#learn-bootstrap', '1000');
    await page.focus('#btn-learn-run');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('#progress').hidden && /Seed \d+/.test(document.querySelector('#progress-stage').textContent), null, { timeout: 60_000 });
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.body.dataset.flow === 'idle' && document.querySelector('#progress').hidden, null, { timeout: 30_000 });
    expect(await page.textContent('#learn-error')).toBe('Cancelled.');
    const look = await page.$eval('#learn-error', (el) => ({
      cls: el.className, color: getComputedStyle(el).color, mark: getComputedStyle(el, '::before').content,
    }));
    const errorColor = await page.evaluate(() => {
      const probe = document.createElement('p');
      probe.className = 'field-error';
      document.body.append(probe);
      const c = getComputedStyle(probe).color;
      probe.remove();
      return c;
    });
    expect(look.cls).toContain('cancelled');
    expect(look.color).not.toBe(errorColor);
    expect(look.mark).toBe('none');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('btn-learn-run');
    // A later problem is an error again (red, ⚠).
    await page.fill('#learn-seeds', '0');
    await page.click('#btn-learn-run');
    expect(await page.$eval('#learn-error', (el) => el.classList.contains('cancelled'))).toBe(false);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('labels each modality-name box with its modality; a setting\'s message states its range once', async () => {
    const { context, page, problems } = await openApp(env, { query: '?demo=0' });
    await act(page, () => page.click('#btn-rotterdam-gbsg'));
    const labels = await page.$$eval('#modalities .modality[data-modality] .modality-head input', (els) => els.map((e) => e.getAttribute('aria-label')));
    const names = await page.$$eval('#modalities .modality[data-modality] .modality-head input', (els) => els.map((e) => e.value));
    expect(new Set(labels).size).toBe(labels.length);
    labels.forEach((l, i) => expect(l).toContain(`“${names[i]}”`));
    await page.getByLabel(labels[0], { exact: true }).fill('first');
    await page.keyboard.press('Tab');
    expect(await page.$eval('#modalities .modality[data-modality] .modality-head input', (e) => e.getAttribute('aria-label'))).toContain('“first”');

    await page.fill('#fs-testFraction', '1');
    await page.click('#btn-fuse');
    expect(await page.textContent('[data-error-for="setting:testFraction"]')).toBe('Give a fraction strictly between 0 and 1 (e.g. 0.3).');
    await page.fill('#fs-testFraction', '0.3');
    await page.fill('#fs-penalizer', '-1');
    await page.click('#btn-fuse');
    expect(await page.textContent('[data-error-for="setting:penalizer"]')).toBe('Give a penalty from 0 to 1,000,000.');
    await page.fill('#fs-penalizer', '0.1');
    await page.fill('#fs-bootstrap', '2.5');
    await page.click('#btn-fuse');
    expect(await page.textContent('[data-error-for="setting:bootstrap"]'))
      .toBe('“2.5” is not a whole number. Give a number of replicates (a whole number) from 0 to 1,000,000 (0 = no intervals).');
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
