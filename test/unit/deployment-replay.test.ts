import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { TidemarkPlugin } from '../../workers/plugin.js';

const histories = [
  // deploy v1 → four deploys refused (unknown alias, unknown version, a raw file, the version served) →
  // a canary promoted at 50/100% → a broken canary rolled back at 20% → stop
  'deployment-lifecycle.json',
  // deploy v1 → canary at 50%: the proxy killed and the stable model server stopped, both
  // reconciled mid-step → promoted → stop
  'deployment-reconcile.json',
];

describe('recorded deployment histories', function () {
  this.timeout(120_000);

  it('replay on the current deployment workflow without a non-determinism error', async () => {
    const plugin = new TidemarkPlugin();
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: new URL('../../workflows/index.ts', import.meta.url).pathname,
      plugins: [plugin],
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    for (const name of histories) {
      const history = JSON.parse(readFileSync(new URL(`../histories/${name}`, import.meta.url), 'utf8')) as {
        events: { eventType: string }[];
      };
      assert.ok(
        history.events.some((e) => /UPDATE_ACCEPTED/.test(e.eventType)),
        `${name} has updates`,
      );
      await Worker.runReplayHistory({ workflowBundle, plugins: [plugin] }, history, name);
    }
  });
});
