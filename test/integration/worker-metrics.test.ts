import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { execa, type ResultPromise } from 'execa';
import { connectClient } from '../../client/client.js';
import { startPipeline } from '../../client/start-pipeline.js';
import type { TidemarkConfig } from '../../common/config.js';
import type { MetricsView } from '../../common/console-api.js';
import { ENV } from '../../common/env.js';
import { parseSamples } from '../../console/server/prometheus-text.js';
import { openArtifactStore } from '../../lib/artifacts/open-artifact-store.js';
import { stopDaemon } from '../../scripts/stack/daemon.js';
import { PROJECT_ROOT, stackPaths } from '../../scripts/stack/paths.js';
import { PrometheusServer } from '../../scripts/stack/services/prometheus.js';
import { locateTools } from '../../scripts/stack/tools.js';
import { launchBrowser, newPage, screenshot, startTestConsole } from '../helpers/browser.js';
import { labelledCsv, testConfig, uniqueId } from '../helpers/integration.js';
import { eventually } from '../helpers/labeling.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The sum of a metric's samples whose labels contain every `want` pair. */
function total(text: string, name: string, want: Record<string, string> = {}): number {
  return parseSamples(text, name)
    .filter((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels.includes(`${k}="${v}"`)))
    .reduce((n, s) => n + s.value, 0);
}

/** Debian's Prometheus as the stack starts it, on a free port and a state folder of its own, scraping `worker`. */
async function startPrometheus(worker: string): Promise<{ config: TidemarkConfig; runDir: string }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'prometheus-'));
  const paths = { ...stackPaths(), stateDir, logsDir: join(stateDir, 'logs'), runDir: join(stateDir, 'run') };
  mkdirSync(paths.logsDir, { recursive: true });
  const config = {
    ...testConfig,
    metrics: { address: worker },
    prometheus: { url: `http://127.0.0.1:${await freePort()}` },
  };
  await new PrometheusServer(config, paths, locateTools().prometheus).start();
  // Scraped once before the pipelines run, so the rates see the counters go up.
  await eventually(
    () =>
      fetch(`${config.prometheus.url}/api/v1/query?query=tidemark_steps_total`).then(
        (r) => r.json() as Promise<{ data: { result: unknown[] } }>,
      ),
    (r) => r.data.result.length > 0,
    60_000,
    'Prometheus to scrape the worker',
  );
  return { config, runDir: paths.runDir };
}

describe("a worker's Prometheus metrics", function () {
  this.timeout(600_000);
  let worker: ResultPromise;
  let address: string;
  let client: Client;
  let prometheus: { config: TidemarkConfig; runDir: string } | undefined;
  const taskQueue = uniqueId('metrics');
  const scrape = () => fetch(`http://${address}/metrics`).then((r) => r.text());

  before(async () => {
    // The worker a deployment runs (workers/main.ts), as a process of its own: its own Temporal runtime.
    address = `127.0.0.1:${await freePort()}`;
    worker = execa(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'workers', 'main.ts')], {
      cwd: PROJECT_ROOT,
      env: { [ENV.taskQueue]: taskQueue, [ENV.metricsAddress]: address, [ENV.logLevel]: 'warn' },
      reject: false,
    });
    client = await connectClient(testConfig);
    // A worker that exits at start says why, instead of leaving the wait to time out.
    const exited = worker.then((r) => {
      throw new Error(`the worker exited (${r.exitCode}): ${r.stderr?.toString().slice(-2000)}`);
    });
    exited.catch(() => undefined);
    await Promise.race([
      eventually(scrape, (t) => t.includes('tidemark_steps_total'), 180_000, 'the worker to serve its metrics'),
      exited,
    ]);
    prometheus = await startPrometheus(address);
  });
  after(async () => {
    worker?.kill('SIGTERM');
    await worker;
    await client?.connection.close();
    if (prometheus) await stopDaemon(prometheus.runDir, 'prometheus');
  });

  it('counts steps by state, cache hits, durations and checks as pipelines run, beside the Temporal SDK runtime metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'metrics-'));
    writeFileSync(join(dir, 'reference.csv'), labelledCsv(500, 0.3, 1));
    writeFileSync(join(dir, 'batch.csv'), labelledCsv(500, 0.7, 2));
    const name = uniqueId('counted');
    const spec = {
      name,
      inputs: { reference: { path: './reference.csv' }, batch: { path: './batch.csv' } },
      steps: [
        {
          name: 'one',
          image: 'tidemark/busybox:latest',
          args: ['sh', '-c', `echo ${name} > /outputs/o`],
          outputs: ['o'],
        },
        { name: 'two', image: 'tidemark/busybox:latest', args: ['sh', '-c', 'cat /inputs/i'], inputs: { i: 'one.o' } },
        { name: 'drift', check: { plugin: 'feature-drift', reference: 'inputs.reference', batch: 'inputs.batch' } },
      ],
    };
    const before = await scrape();
    const store = openArtifactStore(testConfig);
    for (let run = 0; run < 2; run++) {
      const handle = await startPipeline(client, spec, { baseDir: dir, store, taskQueue, workflowId: uniqueId(name) });
      await handle.result();
    }
    const after = await scrape();
    const delta = (metric: string, labels: Record<string, string> = {}) =>
      total(after, metric, labels) - total(before, metric, labels);
    assert.equal(delta('tidemark_steps_total', { state: 'succeeded', backend: 'docker' }), 2, 'the first run ran both');
    assert.equal(delta('tidemark_steps_total', { state: 'cached' }), 2, 'the second found both in the cache');
    assert.equal(delta('tidemark_step_cache_lookups_total', { result: 'hit' }), 2);
    assert.equal(delta('tidemark_step_cache_lookups_total', { result: 'miss' }), 2);
    assert.equal(delta('tidemark_step_duration_seconds_count'), 4);
    assert.equal(delta('tidemark_step_queue_seconds_count'), 4);
    assert.equal(delta('tidemark_checks_total', { plugin: 'feature-drift', alarm: 'true' }), 2);
    assert.equal(delta('tidemark_check_alarms_total', { plugin: 'feature-drift' }), 2);
    // The cache hits were found by the local look-up before any runStep was scheduled.
    assert.ok(delta('temporal_activity_execution_latency_count', { activity_type: 'runStep' }) >= 2, 'SDK metrics too');
    assert.ok(total(after, 'temporal_num_pollers') > 0);
  });

  it('is charted by the console from Prometheus (steps per minute, failure rate, cache hit rate, step duration, alarms)', async () => {
    const web = await startTestConsole(prometheus!.config);
    const browser = await launchBrowser();
    try {
      const charts = await eventually(
        () => fetch(`${web.url}/api/metrics`).then((r) => r.json() as Promise<MetricsView>),
        (v) =>
          ['succeeded', 'cached'].every((state) =>
            v.charts
              .find((c) => c.id === 'steps-per-minute')
              ?.series.find((s) => s.label === state)
              ?.points.some(([, rate]) => rate > 0),
          ),
        120_000,
        'steps per minute above zero for succeeded and cached steps',
      );
      assert.deepEqual(
        charts.charts.map((c) => c.id),
        ['steps-per-minute', 'failure-rate', 'cache-hit-rate', 'step-duration', 'alarms'],
      );
      const page = await newPage(browser);
      await page.goto(`${web.url}/metrics?minutes=5`);
      await page.waitForSelector('[aria-label="Steps per minute, by how they ended"] svg .mark-line path', {
        state: 'attached',
      });
      await page.waitForSelector('[aria-label="Cache hit rate"] svg .mark-line path', { state: 'attached' });
      await page.waitForTimeout(1500);
      await screenshot(page, 'metrics');
      assert.equal(await page.locator('figure.chart svg').count(), 5, 'five charts drawn');
    } finally {
      await browser.close();
      await web.close();
    }
  });
});
