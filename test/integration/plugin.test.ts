import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { TIDEMARK_SEARCH_ATTRIBUTES } from '../../common/search-attributes.js';
import { locateTools } from '../../scripts/stack/tools.js';
import { TidemarkPlugin } from '../../workers/plugin.js';
import { testConfig, uniqueId } from '../helpers/integration.js';

const USER_WORKFLOWS = fileURLToPath(new URL('../fixtures/user-workflows.ts', import.meta.url));

describe('TidemarkPlugin', () => {
  let env: TestWorkflowEnvironment;

  before(async function () {
    this.timeout(120_000);
    // A fresh dev server of our own (the pinned Temporal CLI), with no search attributes yet.
    env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: locateTools().temporal! }, ip: '127.0.0.1' },
    });
  });

  after(async () => {
    await env?.teardown();
  });

  it('registers the search attributes it uses when the worker starts', async () => {
    const before = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    const names = TIDEMARK_SEARCH_ATTRIBUTES.map((k) => k.name);
    for (const name of names)
      assert.ok(!(name in (before.customAttributes ?? {})), `${name} is not registered on a fresh server`);
    const plugin = new TidemarkPlugin({ config: testConfig });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: uniqueId('sa'),
      plugins: [plugin],
    });
    await worker.runUntil(async () => {
      // Registration happens as the worker starts running; poll until it shows (or give up).
      let registered: string[] = [];
      for (let i = 0; i < 100 && registered.length < names.length; i++) {
        const after = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
        registered = names.filter((n) => n in (after.customAttributes ?? {}));
        if (registered.length < names.length) await new Promise((r) => setTimeout(r, 200));
      }
      assert.deepEqual(registered, names);
    });
  });

  it("bundles a user workflow alongside Tidemark's, and both run on the same worker", async () => {
    const plugin = new TidemarkPlugin({ config: testConfig });
    const taskQueue = uniqueId('plugin');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: USER_WORKFLOWS,
      activities: { shout: async (s: string) => s.toUpperCase() },
      plugins: [plugin],
    });
    const client = new Client({ connection: env.connection, plugins: [plugin] });
    await worker.runUntil(async () => {
      const greeting = await client.workflow.execute('greetUser', {
        taskQueue,
        workflowId: uniqueId('user'),
        args: ['ada'],
      });
      assert.equal(greeting, 'HELLO ADA');
      const smoke = (await client.workflow.execute('smoke', {
        taskQueue,
        workflowId: uniqueId('smoke'),
        args: [{ message: 'same worker' }],
      })) as { stdout: { size: number } };
      assert.equal(smoke.stdout.size, 'same worker\n'.length);
    });
  });

  it('rejects a bad config with one message naming every bad field', () => {
    assert.throws(
      () =>
        new TidemarkPlugin({
          config: { temporal: { address: 'no-port' }, minio: { endpoint: 'ftp://x', secretKey: 'short' } },
        }),
      (err: Error) =>
        /temporal\.address/.test(err.message) &&
        /minio\.endpoint/.test(err.message) &&
        /minio\.secretKey/.test(err.message) &&
        !err.message.includes('short'),
    );
  });
});
