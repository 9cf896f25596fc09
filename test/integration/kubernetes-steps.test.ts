import { strict as assert } from 'node:assert';
import { WorkflowFailedError } from '@temporalio/client';
import Docker from 'dockerode';
import { execa } from 'execa';
import { createTestWorker, startOn, uniqueId, type TestWorker } from '../helpers/integration.js';
import { createKubernetesTestWorker, kubernetesTestConfig } from '../helpers/kubernetes.js';

const BUSYBOX = 'tidemark/busybox:latest';
const sh = (script: string) => ['sh', '-c', script];
const one = (step: Record<string, unknown>) => ({
  name: uniqueId('kube-one'),
  steps: [{ name: 'a', image: BUSYBOX, ...step }],
});

/** The messages of a failed pipeline's error and its causes, one a line (the step's error among them). */
async function failureOf(result: Promise<unknown>): Promise<string> {
  const err = await result.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError, `the pipeline failed (${String(err)})`);
  const messages: string[] = [];
  for (let cause: unknown = err; cause instanceof Error; cause = cause.cause) messages.push(cause.message);
  return messages.join('\n');
}

describe('steps as Kubernetes Jobs', function () {
  this.timeout(300_000);
  let tw: TestWorker;
  // A worker runs once: each test gets its own, and runs all its pipelines inside one runUntil.
  beforeEach(async () => {
    tw = await createKubernetesTestWorker();
  });
  afterEach(async () => {
    await tw?.close();
  });

  const run = (spec: unknown) => startOn(tw, spec, 'kube').then((handle) => handle.result());
  const failure = (spec: unknown) => tw.worker.runUntil(() => failureOf(run(spec)));

  it('runs a step in a pod and passes its outputs to the next one through the store', async () => {
    const result = await tw.worker.runUntil(() =>
      run({
        name: uniqueId('kube-chain'),
        steps: [
          {
            name: 'a',
            image: BUSYBOX,
            args: sh(
              'echo hello > /outputs/out.txt; mkdir /outputs/dir; echo x > /outputs/dir/f; echo \'{"n": 3}\' > /outputs/metrics.json',
            ),
            outputs: { out: 'out.txt', dir: 'dir' },
          },
          {
            name: 'b',
            image: BUSYBOX,
            inputs: { x: 'a.out', d: 'a.dir' },
            args: sh('cat /inputs/x /inputs/d/f > /outputs/both.txt'),
            outputs: { both: 'both.txt' },
          },
        ],
      }),
    );
    const b = result.steps.find((s) => s.key === 'b')!;
    assert.equal((await tw.plugin.deps.store.getBytes(b.outputs!.both as never)).toString(), 'hello\nx\n');
    assert.deepEqual(result.steps.find((s) => s.key === 'a')!.metrics, { n: 3 });
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

  it('never uploads a file that a link in /outputs points to outside /outputs', async () => {
    const [message, result] = await tw.worker.runUntil(async () => [
      // /etc/hosts in a pod is the node's, written by the kubelet.
      await failureOf(run(one({ args: sh('ln -s /etc/hosts /outputs/leak'), outputs: { leak: 'leak' } }))),
      // Inside a folder output the link is kept as a link: the archive holds no byte of the file.
      await run(
        one({
          args: sh('mkdir /outputs/d; echo mine > /outputs/d/own.txt; ln -s /etc/hosts /outputs/d/hosts'),
          outputs: { d: 'd' },
        }),
      ),
    ]);
    assert.match(message, /output "leak" \(\/outputs\/leak\) is a symbolic link to \/etc\/hosts, outside \/outputs/);
    const archive = (await tw.plugin.deps.store.getBytes(result.steps[0]!.outputs!.d as never)).toString('latin1');
    assert.match(archive, /own\.txt[\s\S]*mine/);
    assert.match(archive, /hosts\0[\s\S]*\/etc\/hosts/, 'the link is in the archive, as a link');
    assert.doesNotMatch(archive, /localhost/, 'the node file it points to is not');
  });

  it("names the image and how the cluster gets images when the node does not have a step's image", async () => {
    const docker = new Docker({ socketPath: tw.plugin.config.containers.dockerSocket });
    const tag = uniqueId('gone');
    const image = `tidemark/k8s-test-image:${tag}`;
    await docker.getImage(BUSYBOX).tag({ repo: 'tidemark/k8s-test-image', tag });
    try {
      const step = { image, args: sh('echo ran'), cache: { enabled: false } };
      const message = await tw.worker.runUntil(async () => {
        await run(one(step));
        // Someone prunes the node's images; this worker copied the image once and does not look again.
        const node = tw.plugin.config.containers.kubernetes.nodeContainerd!;
        await execa('ctr', ['--address', node, '--namespace', 'k8s.io', 'images', 'rm', `docker.io/${image}`]);
        return failureOf(run(one(step)));
      });
      assert.match(message, new RegExp(`the cluster cannot get image "${image}" \\(ErrImageNeverPull`));
      assert.match(
        message,
        /copies each image from its Docker into the node, once; if the node's images were removed since, restart the worker/,
      );
    } finally {
      await docker
        .getImage(image)
        .remove()
        .catch(() => undefined);
    }
  });
});

describe("steps as Kubernetes Jobs on a cluster without the worker's images", function () {
  this.timeout(120_000);

  it('fail with a clear error naming TIDEMARK_REGISTRY when none is set', async () => {
    const config = await kubernetesTestConfig();
    const k = { ...config.containers.kubernetes, nodeContainerd: undefined, registry: undefined };
    const tw = await createTestWorker({
      plugin: { config: { ...config, containers: { ...config.containers, kubernetes: k } } },
    });
    try {
      const result = startOn(tw, one({ args: sh('true') }), 'kube').then((handle) => handle.result());
      const message = await tw.worker.runUntil(() => failureOf(result));
      assert.match(message, /cannot pull it from there\. Set TIDEMARK_REGISTRY to a registry the cluster pulls from/);
    } finally {
      await tw.close();
    }
  });
});
