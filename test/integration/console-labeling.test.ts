import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { labelsQuery, pendingQuery } from '../../common/labeling-messages.js';
import { startLabelingSession } from '../../client/start-labeling-session.js';
import type { RunningConsole } from '../../console/server/start-console.js';
import { workerMetrics } from '../../lib/metrics/worker-metrics.js';
import { digitImage, seeded } from '../builders/digit-glyphs.js';
import { writeNpy } from '../builders/npy-writer.js';
import { launchBrowser, newPage, screenshot, startTestConsole } from '../helpers/browser.js';
import { createTestWorker, uniqueId, type TestWorker } from '../helpers/integration.js';
import { eventually, labelingData, sessionSpec } from '../helpers/labeling.js';

const BUSYBOX_ROUND = {
  retrain: {
    image: 'tidemark/busybox:latest',
    args: ['sh', '-c', 'wc -l < /inputs/labeled > /outputs/model'],
    outputs: { model: 'model' },
  },
  evaluate: {
    image: 'tidemark/busybox:latest',
    args: ['sh', '-c', 'echo "{\\"accuracy\\": 0.5}" > /outputs/metrics.json'],
  },
};

/** The sample ids on the screen, in its order, once `n` are shown. */
async function shownSamples(page: Page, n: number): Promise<string[]> {
  await page.waitForFunction(`document.querySelectorAll('[data-sample]').length === ${n}`);
  return page.$$eval('[data-sample]', (els) => els.map((e) => e.getAttribute('data-sample')!));
}

/** How many labels the worker's metrics have counted as `verdict`, through updates. */
async function counted(verdict: string): Promise<number> {
  const metric = await workerMetrics().labels.get();
  return metric.values.find((v) => v.labels.via === 'update' && v.labels.verdict === verdict)?.value ?? 0;
}

describe("the console's labeling screen, in Chromium", function () {
  this.timeout(600_000);
  let tw: TestWorker;
  let browser: Browser;
  let web: RunningConsole;
  let taskQueue: string;
  const errors: string[] = [];

  before(async () => {
    [browser, web] = await Promise.all([launchBrowser(), startTestConsole()]);
    taskQueue = uniqueId('labeling-console');
  });
  beforeEach(async () => {
    tw = await createTestWorker({ taskQueue });
  });
  afterEach(async () => {
    await tw?.close();
    assert.deepEqual(errors.splice(0), [], 'the pages threw no errors');
  });
  after(async () => {
    await browser?.close();
    await web?.close();
  });

  it("labels a whole batch of digit images with the keyboard only, undoes one, and the session's labels query holds what the screen sent", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-digits-'));
    const rand = seeded(7);
    const truth = Array.from({ length: 16 }, (_, i) => (i * 7 + 3) % 10);
    const images = truth.map((d) => digitImage(d, rand));
    await writeNpy(join(dir, 'pool.npy'), images.length, [8, 8], (block, first, n) => {
      for (let r = 0; r < n; r++) block.set(images[first + r]!, r * 64);
    });
    const header = [...Array.from({ length: 64 }, (_, p) => `f${p}`), 'label'].join(',');
    const rows = Array.from({ length: 10 }, (_, d) => `${digitImage(d, rand).join(',')},${d}`);
    writeFileSync(join(dir, 'labeled.csv'), `${header}\n${rows.join('\n')}\n`);
    const store = tw.plugin.deps.store;
    const spec = {
      name: uniqueId('digits-labeling'),
      pool: await store.put(join(dir, 'pool.npy'), 'pool.npy'),
      labeled: await store.put(join(dir, 'labeled.csv'), 'labeled.csv'),
      scorer: { kind: 'random' as const, seed: 1 },
      batchSize: 8,
      labelSet: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      ...BUSYBOX_ROUND,
      stop: { rounds: 1 },
      deadline: '1h',
    };
    const page = await newPage(browser, errors);
    await tw.worker.runUntil(async () => {
      const handle = await startLabelingSession(tw.client, spec, {
        baseDir: dir,
        store,
        taskQueue,
        workflowId: spec.name,
        consoleUrl: web.url,
      });
      await eventually(
        () => handle.query(pendingQuery),
        (p) => p.phase === 'waiting',
        60_000,
        'the batch',
      );

      await page.goto(`${web.url}/labeling?status=waiting`);
      await page.waitForSelector(`tr[data-workflow-id="${spec.name}"]`);
      await screenshot(page, 'labeling-queue');

      await page.goto(`${web.url}/labeling/${encodeURIComponent(spec.name)}?labeler=ann`);
      const ids = await shownSamples(page, 8);
      const want = Object.fromEntries(ids.map((id) => [id, String(truth[Number(id)])]));
      // The last sample first gets a wrong key, which Backspace takes back.
      for (const id of ids.slice(0, -1)) await page.keyboard.press(want[id]!);
      const last = ids.at(-1)!;
      const wrong = String((Number(want[last]) + 1) % 10);
      await page.keyboard.press(wrong);
      await page.waitForSelector(`[data-sample="${last}"][data-status=drafted]`);
      await page.keyboard.press('Backspace');
      await page.waitForSelector(`[data-sample="${last}"][data-status=open].current`);
      await page.waitForSelector('[data-testid=progress]:has-text("7 drafted")');
      await page.keyboard.press(want[last]!);
      await page.waitForSelector('[data-testid=progress]:has-text("8 drafted")');
      const drafted = await page.$$eval('[data-sample] .label-chip', (els) => els.map((e) => e.textContent));
      assert.deepEqual(
        drafted,
        ids.map((id) => want[id]),
      );
      await screenshot(page, 'labeling-images');

      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-testid=submit-message]:has-text("8 accepted, 0 unchanged, 0 rejected")');
      const labels = await handle.query(labelsQuery);
      assert.deepEqual(Object.fromEntries(Object.entries(labels).map(([id, l]) => [id, l.label])), want);
      assert.ok(Object.values(labels).every((l) => l.labeler === 'ann'));
      assert.equal(labels[last]!.label, want[last], 'the label taken back never reached the session');
      const result = await handle.result();
      assert.equal(result.rounds[0]!.labeled, 8);
      assert.equal((await handle.describe()).searchAttributes.LabelingStatus?.[0], 'completed');
    });
  });

  it('lets two people label one session at once: every label counted once, and a conflicting one rejected in place', async () => {
    const data = await labelingData(tw.plugin.deps.store, { poolRows: 40, seed: 4 });
    const spec = sessionSpec(data, uniqueId('two-labelers'), { batchSize: 6 });
    const ann = await newPage(browser, errors);
    const bob = await newPage(browser, errors);
    const acceptedBefore = await counted('accepted');
    const rejectedBefore = await counted('rejected');
    await tw.worker.runUntil(async () => {
      const handle = await startLabelingSession(tw.client, spec, {
        baseDir: tmpdir(),
        store: tw.plugin.deps.store,
        taskQueue,
        workflowId: spec.name,
        consoleUrl: web.url,
      });
      await eventually(
        () => handle.query(pendingQuery),
        (p) => p.phase === 'waiting',
        60_000,
        'the batch',
      );
      const url = `${web.url}/labeling/${encodeURIComponent(spec.name)}`;
      await Promise.all([ann.goto(`${url}?labeler=ann`), bob.goto(`${url}?labeler=bob`)]);
      const ids = await shownSamples(ann, 6);
      assert.deepEqual(await shownSamples(bob, 6), ids, 'both see the same batch');
      await ann.waitForSelector('.row-table th:has-text("typical")');
      const truth = (id: string) => data.truth[id]!;
      const other = (label: string) => (label === 'a' ? 'b' : 'a');

      // Ann labels the first four; Bob the last four, the third the same as Ann, the fourth otherwise.
      for (const id of ids.slice(0, 4)) await ann.keyboard.press(truth(id));
      await screenshot(ann, 'labeling-rows');
      await bob.keyboard.press('ArrowRight');
      await bob.keyboard.press('ArrowRight');
      await bob.keyboard.press(truth(ids[2]!));
      await bob.keyboard.press(other(truth(ids[3]!)));
      await bob.keyboard.press(truth(ids[4]!));
      await bob.keyboard.press(truth(ids[5]!));
      await bob.waitForSelector('[data-testid=progress]:has-text("4 drafted")');

      await ann.keyboard.press('Enter');
      await ann.waitForSelector('[data-testid=submit-message]:has-text("4 accepted")');
      await bob.keyboard.press('Enter');
      await bob.waitForSelector('[data-testid=submit-message]:has-text("2 accepted, 1 unchanged, 1 rejected")');
      const rejection = bob.locator(`[data-sample="${ids[3]}"] [data-testid=rejection]`);
      assert.match(await rejection.innerText(), /already labeled "[ab]" by ann/);
      await bob.waitForSelector(`[data-sample="${ids[2]}"][data-status=unchanged]`);
      await screenshot(bob, 'labeling-two-labelers');

      const labels = await handle.query(labelsQuery);
      assert.deepEqual(Object.keys(labels).sort(), [...ids].sort(), 'six labels, one a sample');
      assert.deepEqual(
        ids.map((id) => [labels[id]!.label, labels[id]!.labeler]),
        ids.map((id, i) => [truth(id), i < 4 ? 'ann' : 'bob']),
      );
      assert.equal((await handle.result()).rounds[0]!.labeled, 6);
      assert.equal((await counted('accepted')) - acceptedBefore, 6, 'the worker counted six labels accepted');
      assert.equal((await counted('rejected')) - rejectedBefore, 1);
    });
  });
});
