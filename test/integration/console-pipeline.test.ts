import { strict as assert } from 'node:assert';
import { randomInt } from 'node:crypto';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import type { temporal } from '@temporalio/proto';
import { readPipelineFile } from '../../client/prepare-pipeline.js';
import { startPipeline } from '../../client/start-pipeline.js';
import type { RunningConsole } from '../../console/server/start-console.js';
import { MlflowClient } from '../../lib/mlflow/mlflow-client.js';
import { PROJECT_ROOT } from '../../scripts/stack/paths.js';
import { launchBrowser, newPage, screenshot, startTestConsole } from '../helpers/browser.js';
import { createTestWorker, testConfig, uniqueId, type TestWorker } from '../helpers/integration.js';

const DIGITS = join(PROJECT_ROOT, 'examples', 'digits', 'pipeline.yaml');
const FINAL = new Set(['succeeded', 'cached', 'failed', 'skipped', 'cancelled']);

/** The state each step's box shows now. */
async function boxStates(page: Page): Promise<Record<string, string>> {
  return page.$$eval('[data-testid=dag] [data-step]', (els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-step')!, e.getAttribute('data-state')!])),
  );
}

/**
 * A pipeline of 167 steps: `prep`, 150 shards fed by it (the first 40 run, the others are skipped
 * by their `when`), 15 merges of ten shards each, and a report of the merges.
 */
function largePipeline(name: string): Record<string, unknown> {
  const shard = (i: number) => `shard-${String(i).padStart(3, '0')}`;
  const noop = { image: 'tidemark/busybox:latest', args: ['sh', '-c', 'echo ok > /outputs/out'], outputs: ['out'] };
  return {
    name,
    params: { all: false },
    maxParallel: 8,
    steps: [
      { name: 'prep', ...noop },
      ...Array.from({ length: 150 }, (_, i) => ({
        name: shard(i),
        ...noop,
        inputs: { seed: 'prep.out' },
        ...(i >= 40 ? { when: 'params.all == true' } : {}),
      })),
      ...Array.from({ length: 15 }, (_, m) => ({
        name: `merge-${String(m).padStart(2, '0')}`,
        ...noop,
        inputs: Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`p${k}`, `${shard(m * 10 + k)}.out`])),
      })),
      {
        name: 'report',
        ...noop,
        inputs: Object.fromEntries(
          Array.from({ length: 15 }, (_, m) => [`m${m}`, `merge-${String(m).padStart(2, '0')}.out`]),
        ),
      },
    ],
  };
}

describe("the console's pipeline pages, in Chromium", function () {
  this.timeout(600_000);
  let tw: TestWorker;
  let browser: Browser;
  let web: RunningConsole;
  let digitsId: string;
  let taskQueue: string;
  const errors: string[] = [];

  before(async () => {
    [browser, web] = await Promise.all([launchBrowser(), startTestConsole()]);
    taskQueue = uniqueId('console');
  });
  // A worker runs once (runUntil): each test has its own, on one task queue.
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

  it('draws the digits DAG and shows its steps change state as the pipeline runs', async () => {
    const page = await newPage(browser, errors);
    await tw.worker.runUntil(async () => {
      digitsId = uniqueId('digits-console');
      // A C no run had before: train and evaluate run rather than come from the cache.
      const handle = await startPipeline(tw.client, readPipelineFile(DIGITS), {
        baseDir: dirname(DIGITS),
        store: tw.plugin.deps.store,
        taskQueue: tw.taskQueue,
        workflowId: digitsId,
        params: { C: 1 + randomInt(1_000_000) / 1e7 },
        consoleUrl: web.url,
      });
      await page.goto(`${web.url}/pipelines/${encodeURIComponent(digitsId)}`);
      await page.waitForSelector('[data-testid=dag] [data-step="evaluate"]');
      assert.deepEqual(Object.keys(await boxStates(page)).sort(), ['evaluate', 'gather', 'preprocess', 'train']);
      // The arrows come from the run's memo, set by its first workflow task.
      await page.waitForFunction(`document.querySelectorAll('[data-testid=dag] path.dag-edge').length === 4`);

      const seen = new Map<string, string[]>();
      let shotRunning = false;
      const deadline = Date.now() + 300_000;
      for (;;) {
        const states = await boxStates(page);
        for (const [step, state] of Object.entries(states)) {
          const list = seen.get(step) ?? [];
          if (list.at(-1) !== state) seen.set(step, [...list, state]);
        }
        if (!shotRunning && states.train === 'running') {
          await page.locator('[data-step="train"]').click();
          // Once its heartbeat has lines (every 2 s), or after a few seconds without.
          await page
            .waitForSelector('[data-testid=log-tail][data-source=running]:has-text("train")', { timeout: 6000 })
            .catch(() => undefined);
          await screenshot(page, 'pipeline-running');
          shotRunning = true;
        }
        if (Object.values(states).every((s) => FINAL.has(s))) break;
        assert.ok(Date.now() < deadline, `the page never showed every step finished: ${JSON.stringify(states)}`);
        await sleep(200);
      }
      const result = await handle.result();
      assert.equal(result.state, 'succeeded');
      assert.deepEqual(seen.get('train')?.slice(-2), ['running', 'succeeded'], `train went ${seen.get('train')}`);
      assert.equal(seen.get('evaluate')?.at(-1), 'succeeded');
      assert.ok(seen.get('evaluate')!.includes('pending'), 'evaluate waited for train, on the page too');

      await page.locator('[data-step="train"]').click();
      // The stored log, once the step is done (the live lines came from its heartbeat).
      await page.waitForSelector('[data-testid=log-tail][data-source=log]:has-text("train accuracy")', {
        timeout: 60_000,
      });
      await screenshot(page, 'pipeline');

      await page.goto(`${web.url}/pipelines?name=digits`);
      await page.waitForSelector(`tr[data-workflow-id="${digitsId}"]`);
      await screenshot(page, 'pipelines');
    });
  });

  it("names each step's activities for the Temporal UI, links its Current Details to the console, and gives the MLflow run the evaluate step's metrics", async () => {
    const handle = tw.client.workflow.getHandle(digitsId);
    const history = await handle.fetchHistory();
    const converter = tw.client.options.loadedDataConverter.payloadConverter;
    const summaries = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runStep')
      .map((e) => converter.fromPayload<string>(e.userMetadata!.summary as temporal.api.common.v1.IPayload));
    assert.deepEqual(
      summaries.sort(),
      ['evaluate', 'gather', 'preprocess', 'train'].map((s) => `${s} · runStep`),
    );

    await tw.worker.runUntil(async () => {
      const meta = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      assert.match(meta.currentDetails ?? '', /digits\*\* · succeeded · 4 of 4 steps done/);
      assert.ok(meta.currentDetails!.includes(`(${web.url}/pipelines/${encodeURIComponent(digitsId)})`));
    });

    const memo = (await handle.describe()).memo as { mlflow: { runId: string; experimentId: string; url: string } };
    assert.match(memo.mlflow.url, /\?workflowType=machine_learning$/, 'MLflow links open the model-training view');
    const mlflow = new MlflowClient(testConfig.mlflow.trackingUri);
    const run = await mlflow.getRun(memo.mlflow.runId);
    const metrics = Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.value]));
    assert.ok(
      metrics.accuracy! > 0.8,
      `the pipeline's run has the evaluate step's accuracy: ${JSON.stringify(metrics)}`,
    );
    assert.ok(metrics.f1_macro! > 0.8);
    assert.ok(metrics.duration_s! > 0);
    const experiment = (await fetch(
      `${testConfig.mlflow.trackingUri}/api/2.0/mlflow/experiments/get?experiment_id=${memo.mlflow.experimentId}`,
    ).then((r) => r.json())) as { experiment: { tags?: { key: string; value: string }[] } };
    assert.ok(
      experiment.experiment.tags?.some(
        (t) => t.key === 'mlflow.experimentKind' && t.value === 'custom_model_development',
      ),
    );
  });

  it('keeps a pipeline of 167 steps readable: a compact drawing, a search that picks one step out, and a table', async () => {
    const page = await newPage(browser, errors);
    await tw.worker.runUntil(async () => {
      const id = uniqueId('large');
      const handle = await startPipeline(tw.client, largePipeline(id), {
        baseDir: PROJECT_ROOT,
        store: tw.plugin.deps.store,
        taskQueue: tw.taskQueue,
        workflowId: id,
        consoleUrl: web.url,
      });
      const result = await handle.result();
      assert.equal(result.steps.filter((s) => s.state === 'skipped').length, 110 + 11 + 1);
      await page.goto(`${web.url}/pipelines/${encodeURIComponent(id)}`);
      await page.waitForSelector('[data-testid=dag] [data-step="report"]');
      assert.equal(await page.locator('[data-testid=dag] [data-step]').count(), 167);
      assert.equal(await page.getByLabel('compact').isChecked(), true, 'a large pipeline opens compact');

      await page.getByLabel('search steps').fill('shard-007');
      await page.waitForSelector('text=1 match');
      assert.equal(await page.locator('[data-testid=dag] [data-step]:not(.dim)').count(), 1);
      await page.locator('[data-step="shard-007"]').click();
      await page.waitForSelector('[data-testid=step-panel] [data-testid=log-tail][data-source=log]');
      await screenshot(page, 'pipeline-large');

      await page.getByRole('tab', { name: 'Table' }).click();
      await page.getByLabel('search steps').fill('skipped');
      await page.waitForSelector('[data-testid=step-table]');
      assert.equal(await page.locator('[data-testid=step-table] tbody tr').count(), 122);
      await page.getByLabel('search steps').fill('');
      assert.equal(await page.locator('[data-testid=step-table] tbody tr').count(), 167);
      await screenshot(page, 'pipeline-large-table');
    });
  });
});
