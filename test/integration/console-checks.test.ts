import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startPipeline } from '../../client/start-pipeline.js';
import type { RunningConsole } from '../../console/server/start-console.js';
import type { monitor } from '../../workflows/monitor.js';
import { seeded } from '../builders/digit-glyphs.js';
import { launchBrowser, newPage, screenshot, startTestConsole } from '../helpers/browser.js';
import { createTestWorker, uniqueId, type TestWorker } from '../helpers/integration.js';
import { eventually } from '../helpers/labeling.js';

/** Rows with a numeric `size` (shifted by `shift`), a numeric `weight` and a `colour`. */
function measurements(n: number, shift: number, seed: number): string {
  const rand = seeded(seed);
  const rows = ['size,weight,colour'];
  for (let i = 0; i < n; i++)
    rows.push(`${(rand() * 10 + shift).toFixed(3)},${(50 + rand() * 10).toFixed(3)},${rand() < 0.5 ? 'red' : 'blue'}`);
  return `${rows.join('\n')}\n`;
}

describe("the console's checks and monitors, in Chromium", function () {
  this.timeout(600_000);
  let tw: TestWorker;
  let browser: Browser;
  let web: RunningConsole;
  let dir: string;
  const errors: string[] = [];

  before(async () => {
    [tw, browser, web] = await Promise.all([createTestWorker(), launchBrowser(), startTestConsole()]);
    dir = mkdtempSync(join(tmpdir(), 'console-checks-'));
    writeFileSync(join(dir, 'reference.csv'), measurements(800, 0, 1));
    writeFileSync(join(dir, 'same.csv'), measurements(400, 0, 2));
    writeFileSync(join(dir, 'shifted.csv'), measurements(400, 3, 3));
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await tw?.close();
  });
  afterEach(() => assert.deepEqual(errors.splice(0), [], 'the pages threw no errors'));

  it("renders a check step's drift report with its plot drawn live and its per-feature scores, and a monitor's batches as a chart", async () => {
    const page = await newPage(browser, errors);
    await tw.worker.runUntil(async () => {
      const store = tw.plugin.deps.store;
      const id = uniqueId('checked');
      const handle = await startPipeline(
        tw.client,
        {
          name: id,
          inputs: { reference: { path: './reference.csv' }, batch: { path: './shifted.csv' } },
          steps: [
            { name: 'drift', check: { plugin: 'feature-drift', reference: 'inputs.reference', batch: 'inputs.batch' } },
          ],
        },
        { baseDir: dir, store, taskQueue: tw.taskQueue, workflowId: id, consoleUrl: web.url },
      );
      await handle.result();
      await page.goto(`${web.url}/pipelines/${encodeURIComponent(id)}?step=drift`);
      await page.getByRole('link', { name: 'drift report' }).click();
      await page.waitForSelector('[data-testid=vega-chart] svg .mark-rect path');
      assert.equal(await page.getByTestId('verdict').innerText(), 'ALARM');
      const features = await page.$$eval('[data-testid=per-feature] tbody td.mono', (tds) =>
        tds.map((t) => t.textContent),
      );
      assert.equal(features[0], 'size', 'the shifted feature scores highest');
      // One row per test: each column has its distribution test and its missing-share test.
      assert.deepEqual([...new Set(features)].sort(), ['colour', 'size', 'weight']);
      await screenshot(page, 'drift-report', true);

      const monitorId = uniqueId('monitor');
      const reference = await store.put(join(dir, 'reference.csv'), 'reference.csv');
      const watch = await tw.client.workflow.start<typeof monitor>('monitor', {
        taskQueue: tw.taskQueue,
        workflowId: monitorId,
        args: [{ name: 'measurements', checks: [{ plugin: 'feature-drift', reference }] }],
      });
      for (const [i, file] of ['same.csv', 'same.csv', 'shifted.csv', 'same.csv', 'shifted.csv'].entries())
        await watch.signal('monitorBatch', { batch: await store.put(join(dir, file), `batch-${i}-${file}`) });
      await eventually(
        () => watch.query<number>('checked'),
        (n) => n === 5,
        120_000,
        'five batches checked',
      );
      await page.goto(`${web.url}/monitors/${encodeURIComponent(monitorId)}`);
      await page.waitForSelector('[data-testid=vega-chart] svg .mark-line path');
      assert.equal(await page.locator('tr.alarm-row').count(), 2, 'the two shifted batches alarmed');
      await screenshot(page, 'monitor', true);
      await page.goto(`${web.url}/checks`);
      await page.waitForSelector(`a:has-text("${monitorId}")`);
      await watch.terminate('test done');
    });
  });
});
