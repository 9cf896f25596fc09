import { strict as assert } from 'node:assert';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { containerName } from '../../lib/containers/container-name.js';
import {
  classifyStepFailure,
  largestNode,
  parseQuantity,
  type FailureContext,
} from '../../lib/kubernetes/classify-failure.js';
import {
  MovingImageTagError,
  StepDeadlineError,
  StepImageUnavailableError,
  StepOutOfMemoryError,
  StepPodLostError,
  StepUnschedulableError,
} from '../../lib/kubernetes/errors.js';
import { stepJobManifest, type StepJobSpec } from '../../lib/kubernetes/job-manifest.js';
import { labelValue, stepJobName } from '../../lib/kubernetes/job-name.js';
import { podUser } from '../../lib/kubernetes/kubernetes-backend.js';
import { NonRetryableError } from '../../common/errors.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function spec(over: Partial<StepJobSpec> = {}): StepJobSpec {
  return {
    name: 'tm-train-0123456789abcdef',
    namespace: 'default',
    labels: { 'tidemark.managed': 'true' },
    annotations: {},
    image: 'tidemark/digits:0123456789abcdef',
    argv: ['python3', 'train.py'],
    env: { A: '1' },
    resources: {},
    timeoutMs: 90_500,
    hostNetwork: false,
    io: { image: 'tidemark/step-io:abcdef012345', spec: '{}' },
    ttlSecondsAfterFinished: 3600,
    pullPolicy: 'IfNotPresent',
    readOnlyRootFilesystem: true,
    ...over,
  };
}

describe('a step attempt as a Kubernetes Job', () => {
  it('is named from its container name, the same on every retry, as a DNS-1123 label of at most 63 characters', () => {
    const a = stepJobName(containerName('digits-run', 'run-1', 'Train_Model.v2[3]#1'));
    assert.equal(a, stepJobName(containerName('digits-run', 'run-1', 'Train_Model.v2[3]#1')));
    assert.match(a, DNS_LABEL);
    assert.notEqual(
      a,
      stepJobName(containerName('digits-run', 'run-1', 'Train_Model.v2[3]#2')),
      'another attempt, another Job',
    );
    const long = stepJobName(`tm-${'x'.repeat(80)}-0123456789abcdef`);
    assert.ok(long.length <= 63 && DNS_LABEL.test(long), long);
    assert.notEqual(long, stepJobName(`tm-${'x'.repeat(80)}-fedcba9876543210`), 'a cut name keeps a hash of the whole');
  });

  it('gives label values that are valid, keeping valid ones and hashing the rest', () => {
    assert.equal(labelValue('digits-20251202'), 'digits-20251202');
    const v = labelValue('sub/train[2]');
    assert.match(v, /^sub-train-2-[0-9a-f]{12}$/);
    assert.notEqual(labelValue('a/b'), labelValue('a:b'));
    assert.ok(labelValue('y'.repeat(100)).length <= 63);
  });

  it('never lets Kubernetes retry, and turns the timeout into the deadline and the TTL into a backstop', () => {
    const job = stepJobManifest(spec());
    assert.equal(job.spec?.backoffLimit, 0);
    assert.equal(job.spec?.activeDeadlineSeconds, 91);
    assert.equal(job.spec?.ttlSecondsAfterFinished, 3600);
    assert.equal(job.spec?.template.spec?.restartPolicy, 'Never');
  });

  it('maps cpus, memory and gpus to equal requests and limits, and sets none for a step that asks for none', () => {
    const step = stepJobManifest(spec({ resources: { cpus: 1.5, memoryMiB: 512, gpus: 1 } })).spec!.template.spec!
      .containers[0]!;
    assert.deepEqual(step.resources?.limits, { cpu: '1500m', memory: '512Mi', 'nvidia.com/gpu': '1' });
    assert.deepEqual(step.resources?.requests, step.resources?.limits);
    assert.equal(stepJobManifest(spec()).spec!.template.spec!.containers[0]!.resources, undefined);
  });

  it("runs both containers without privileges on a read-only root file system; /outputs, /tmp and the helper's folder are all the step can write", () => {
    const pod = stepJobManifest(spec()).spec!.template.spec!;
    assert.deepEqual(pod.securityContext?.seccompProfile, { type: 'RuntimeDefault' });
    assert.equal(pod.automountServiceAccountToken, false);
    for (const c of [...pod.initContainers!, ...pod.containers]) {
      assert.equal(c.securityContext?.allowPrivilegeEscalation, false, c.name);
      assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL'], c.name);
      assert.equal(c.securityContext?.readOnlyRootFilesystem, true, c.name);
      assert.equal(c.imagePullPolicy, 'IfNotPresent', c.name);
    }
    const step = pod.containers[0]!;
    const writable = step.volumeMounts!.filter((m) => !m.readOnly).map((m) => m.mountPath);
    assert.deepEqual(writable.sort(), ['/outputs', '/tidemark', '/tmp']);
    assert.deepEqual(step.command, ['/tidemark/step-io', 'run', '--', 'python3', 'train.py']);
    assert.equal(pod.initContainers![0]!.env![0]!.name, 'TIDEMARK_STEP_IO');
    assert.equal(
      step.env?.some((e) => e.name === 'TIDEMARK_STEP_IO'),
      false,
      "the store credentials are not in the step's environment",
    );
  });

  it("runs as the image's user when it is a numeric user other than root, and requires it", () => {
    const pod = stepJobManifest(spec({ runAsUser: 1000 })).spec!.template.spec!;
    assert.deepEqual(
      { user: pod.securityContext?.runAsUser, nonRoot: pod.securityContext?.runAsNonRoot },
      { user: 1000, nonRoot: true },
    );
    assert.equal(stepJobManifest(spec()).spec!.template.spec!.securityContext?.runAsNonRoot, undefined);
  });

  it("runs as the worker's step user with a size-limited in-memory /tmp, and keeps a writable root only for a step that asked for root", () => {
    const user = podUser('65534:65534', 1000);
    const pod = stepJobManifest(spec({ ...user, tmpSizeMiB: 256 })).spec!.template.spec!;
    assert.deepEqual(
      {
        user: pod.securityContext?.runAsUser,
        group: pod.securityContext?.runAsGroup,
        nonRoot: pod.securityContext?.runAsNonRoot,
      },
      { user: 65534, group: 65534, nonRoot: true },
    );
    assert.deepEqual(pod.volumes!.find((v) => v.name === 'tmp')!.emptyDir, { medium: 'Memory', sizeLimit: '256Mi' });
    assert.deepEqual(podUser(undefined, 1000), { runAsUser: 1000 }, "without a step user, the image's own");
    assert.deepEqual(podUser(undefined, undefined), {}, 'root only when the step asked and the image is root');
    const root = stepJobManifest(spec({ readOnlyRootFilesystem: false })).spec!.template.spec!;
    assert.equal(root.containers[0]!.securityContext?.readOnlyRootFilesystem, false);
    assert.equal(
      root.initContainers![0]!.securityContext?.readOnlyRootFilesystem,
      true,
      'the I/O helper never writes its root',
    );
    assert.equal(root.containers[0]!.securityContext?.allowPrivilegeEscalation, false);
  });

  it('uses the host network only when asked (the embedded cluster), never by default', () => {
    assert.equal(stepJobManifest(spec()).spec!.template.spec!.hostNetwork, false);
    assert.equal(stepJobManifest(spec({ hostNetwork: true })).spec!.template.spec!.hostNetwork, true);
  });

  it('refuses an image without a content tag', () => {
    assert.throws(() => stepJobManifest(spec({ image: 'tidemark/busybox:latest' })), MovingImageTagError);
    assert.throws(() => stepJobManifest(spec({ image: 'tidemark/busybox' })), MovingImageTagError);
    assert.doesNotThrow(() => stepJobManifest(spec({ image: 'registry.example:5000/tidemark/busybox@sha256:abc' })));
  });
});

describe("why a step's Job failed", () => {
  const ctx: FailureContext = {
    step: 'train',
    image: 'tidemark/digits:0123',
    resources: { cpus: 64, memoryMiB: 256 },
    timeoutMs: 900_000,
    images: { from: 'registry' },
  };
  const pod = (status: V1Pod['status']): V1Pod => ({ metadata: { name: 'p' }, status });

  it('names the memory limit when the step was OOMKilled, and is not retried', () => {
    const err = classifyStepFailure(
      undefined,
      pod({
        containerStatuses: [
          {
            name: 'step',
            image: 'x',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
          },
        ],
      }),
      ctx,
    );
    assert.ok(err instanceof StepOutOfMemoryError && err instanceof NonRetryableError);
    assert.match(err.message, /256 MiB \(resources\.memoryMiB\)/);
  });

  it('names the image and the TIDEMARK_REGISTRY setting when the image cannot be pulled', () => {
    const waiting = (reason: string) =>
      pod({
        containerStatuses: [
          {
            name: 'step',
            image: 'tidemark/digits:0123',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { waiting: { reason, message: 'no' } },
          },
        ],
      });
    const err = classifyStepFailure(undefined, waiting('ImagePullBackOff'), ctx);
    assert.ok(err instanceof StepImageUnavailableError);
    assert.match(err.message, /tidemark\/digits:0123/);
    assert.match(err.message, /Set TIDEMARK_REGISTRY/);
    assert.match(
      classifyStepFailure(undefined, waiting('ErrImageNeverPull'), { ...ctx, images: { from: 'node' } })!.message,
      /copies each image from its Docker into the node/,
    );
    assert.equal(
      classifyStepFailure(undefined, waiting('ErrImagePull'), ctx),
      undefined,
      'a first pull error may pass',
    );
  });

  it('names the resource no node can hold, and waits while the pod only waits for room', () => {
    const unsched = pod({
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/1 nodes are available: 1 Insufficient cpu.',
        },
      ],
    });
    const node = largestNode([{ status: { allocatable: { cpu: '2', memory: '16323456Ki' } } }]);
    assert.deepEqual({ cpus: node.cpus, gpus: node.gpus }, { cpus: 2, gpus: 0 });
    const err = classifyStepFailure(undefined, unsched, { ...ctx, largestNode: node });
    assert.ok(err instanceof StepUnschedulableError);
    assert.match(err.message, /64 CPUs \(resources\.cpus\).*the largest has 2/);
    assert.equal(
      classifyStepFailure(undefined, unsched, { ...ctx, resources: { cpus: 1 }, largestNode: node }),
      undefined,
    );
  });

  it('names the timeout when the Job ran past its deadline', () => {
    const job: V1Job = {
      status: {
        conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded', lastTransitionTime: new Date() }],
      },
    };
    const err = classifyStepFailure(job, undefined, ctx);
    assert.ok(err instanceof StepDeadlineError);
    assert.match(err.message, /timeout of 900 s/);
    // The controller marks FailureTarget first and stops the pod; Failed follows once the pod is gone.
    const stopping: V1Job = {
      status: {
        conditions: [
          { type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded', lastTransitionTime: new Date() },
        ],
      },
    };
    assert.ok(classifyStepFailure(stopping, undefined, ctx) instanceof StepDeadlineError);
  });

  it('retries a pod lost for a reason outside the step, and says nothing about a pod still running', () => {
    const evicted = classifyStepFailure(
      undefined,
      pod({ phase: 'Failed', reason: 'Evicted', message: 'low on memory' }),
      ctx,
    );
    assert.ok(evicted instanceof StepPodLostError && !(evicted instanceof NonRetryableError));
    assert.equal(classifyStepFailure(undefined, pod({ phase: 'Running' }), ctx), undefined);
  });

  it('parses Kubernetes quantities', () => {
    assert.equal(parseQuantity('1500m'), 1.5);
    assert.equal(parseQuantity('4Gi'), 4 * 2 ** 30);
    assert.equal(parseQuantity('16323456Ki'), 16323456 * 1024);
  });
});
