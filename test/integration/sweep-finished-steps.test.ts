import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { completionRecordKey } from '../../activities/steps/sweep-finished-steps.js';
import { stepFolderPath } from '../../lib/containers/host-folder-staging.js';
import { containerLabels, containerName } from '../../lib/containers/container-name.js';
import { createTestWorker, uniqueId, type TestWorker } from '../helpers/integration.js';

const BUSYBOX = 'tidemark/busybox:latest';

describe('a worker starting up', () => {
  let tw: TestWorker;
  const names: string[] = [];
  beforeEach(async () => {
    tw = await createTestWorker();
  });
  afterEach(async () => {
    await Promise.all(
      names
        .splice(0)
        .map((n) =>
          Promise.all([
            tw.plugin.deps.containers.stop(n),
            rm(stepFolderPath(tw.plugin.deps.workDir, n), { recursive: true, force: true }),
          ]),
        ),
    );
    await tw?.close();
  });

  /** An exited step container and its folder, as a worker that died just after the step ended leaves them. */
  async function leftStep(workflowId: string, stepKey: string): Promise<string> {
    const { containers, workDir } = tw.plugin.deps;
    const name = containerName(workflowId, 'run', stepKey);
    names.push(name);
    mkdirSync(stepFolderPath(workDir, name), { recursive: true });
    writeFileSync(`${stepFolderPath(workDir, name)}/step.log`, 'done\n');
    await containers.run({
      name,
      image: BUSYBOX,
      args: ['true'],
      env: {},
      mounts: [],
      network: 'none',
      labels: containerLabels(workflowId, 'run', stepKey),
    });
    assert.equal(await containers.attach(name, () => undefined), 0);
    return name;
  }

  it('removes exited step containers and folders whose result is recorded, and keeps those a retry still needs', async () => {
    const workflowId = uniqueId('swept');
    const recorded = await leftStep(workflowId, 'recorded');
    const unrecorded = await leftStep(workflowId, 'unrecorded');
    await tw.plugin.deps.store.writeIndex(completionRecordKey(recorded), { stepKey: 'recorded', exitCode: 0 });

    const list = () => tw.plugin.deps.containers.list({ 'tidemark.workflow-id': workflowId });
    // The sweep runs beside the worker's start, and the worker waits for it before it stops.
    await tw.worker.runUntil(async () => {
      for (let i = 0; i < 50 && (await list()).length > 1; i++) await sleep(200);
    });

    const left = await list();
    assert.deepEqual(left, [unrecorded], 'only the container without a completion record is left');
    assert.equal(
      existsSync(stepFolderPath(tw.plugin.deps.workDir, recorded)),
      false,
      "the recorded step's folder is gone",
    );
    assert.equal(
      existsSync(stepFolderPath(tw.plugin.deps.workDir, unrecorded)),
      true,
      "the unrecorded step's folder is kept for its retry",
    );
  });
});
