import { strict as assert } from 'node:assert';
import { tmpdir } from 'node:os';
import { startPipeline } from '../../client/start-pipeline.js';
import { uniqueId, type TestWorker } from '../helpers/integration.js';
import { createKubernetesTestWorker } from '../helpers/kubernetes.js';

const BUSYBOX = 'tidemark/busybox:latest';
const sh = (script: string) => ['sh', '-c', script];

describe('steps as Kubernetes Jobs', function () {
  this.timeout(300_000);
  let tw: TestWorker;
  beforeEach(async () => {
    tw = await createKubernetesTestWorker();
  });
  afterEach(async () => {
    await tw?.close();
  });

  const start = (spec: unknown, params?: Record<string, unknown>, workflowId = uniqueId('kube')) =>
    startPipeline(tw.client, spec, {
      baseDir: tmpdir(),
      store: tw.plugin.deps.store,
      taskQueue: tw.taskQueue,
      workflowId,
      params,
    });

  it('runs a step in a pod and passes its outputs to the next one through the store', async () => {
    const spec = {
      name: uniqueId('kube-chain'),
      steps: [
        {
          name: 'a',
          image: BUSYBOX,
          args: sh(
            'echo hello > /outputs/out.txt; mkdir /outputs/dir; echo x > /outputs/dir/f; echo \'{"n": 3}\' > /outputs/metrics.json; echo done a',
          ),
          outputs: { out: 'out.txt', dir: 'dir' },
        },
        {
          name: 'b',
          image: BUSYBOX,
          inputs: { x: 'a.out', d: 'a.dir' },
          args: sh('cat /inputs/x /inputs/d/f > /outputs/both.txt; cat /inputs/params.json'),
          outputs: { both: 'both.txt' },
        },
      ],
    };
    const handle = await start(spec);
    const result = await tw.worker.runUntil(() => handle.result());
    const b = result.steps.find((s) => s.key === 'b')!;
    assert.equal((await tw.plugin.deps.store.getBytes(b.outputs!.both as never)).toString(), 'hello\nx\n');
    assert.deepEqual(result.steps.find((s) => s.key === 'a')!.metrics, { n: 3 });
  });
});
