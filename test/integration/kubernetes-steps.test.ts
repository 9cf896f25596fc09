import { strict as assert } from 'node:assert';
import { tmpdir } from 'node:os';
import { WorkflowFailedError } from '@temporalio/client';
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

  /** The message a failed pipeline's run ends with (its step's error included). */
  const failure = async (spec: unknown): Promise<string> => {
    const handle = await start(spec);
    const err = await tw.worker.runUntil(() =>
      handle.result().then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    assert.ok(err instanceof WorkflowFailedError, `the pipeline failed (${String(err)})`);
    let cause: unknown = err;
    const messages: string[] = [];
    while (cause instanceof Error) {
      messages.push(cause.message);
      cause = cause.cause;
    }
    return messages.join('\n');
  };
  const one = (step: Record<string, unknown>) => ({
    name: uniqueId('kube-fail'),
    steps: [{ name: 'a', image: BUSYBOX, ...step }],
  });

  it('names the memory limit when a step runs out of memory', async () => {
    // tail holds its whole input in memory while it looks for the last line.
    const message = await failure(
      one({ args: sh('head -c 400m /dev/zero | tail > /dev/null'), resources: { memoryMiB: 32 } }),
    );
    assert.match(
      message,
      /step "a" ran out of memory: it was killed at its memory limit of 32 MiB \(resources\.memoryMiB\)/,
    );
  });

  it('names the resource when no node could ever fit the step', async () => {
    const message = await failure(one({ args: sh('true'), resources: { cpus: 64 } }));
    assert.match(message, /step "a" asks for 64 CPUs \(resources\.cpus\), and no node of the cluster has that much/);
  });

  it('names the timeout when a step runs past it', async () => {
    const message = await failure(one({ args: sh('sleep 60'), timeout: 3 }));
    assert.match(message, /step "a" ran longer than its timeout of 3 s/);
  });
});
