import { strict as assert } from 'node:assert';
import type { V1Pod } from '@kubernetes/client-node';
import { podProblem } from '../../lib/kubernetes/kubernetes-serving-backend.js';
import { modelServerManifests, type ModelServerManifestSpec } from '../../lib/kubernetes/model-server-manifest.js';

const spec: ModelServerManifestSpec = {
  name: 'tm-serve-digits-v3',
  namespace: 'ml',
  labels: { 'tidemark.serving': 'deployment-digits', 'tidemark.server': 'tm-serve-digits-v3' },
  annotations: { 'tidemark.server-name': 'tm-serve-digits-v3' },
  image: 'tidemark/serve:0123456789ab',
  io: { image: 'tidemark/step-io:ba9876543210', spec: '{}' },
  port: 30123,
  workers: 2,
  cpus: 1.5,
  memoryMiB: 1024,
  hostNetwork: false,
  pullPolicy: 'IfNotPresent',
  runAsUser: 65534,
};

describe('a model server on Kubernetes', () => {
  it('is a one-replica Deployment recreated (never two pods on one port) and a Service selecting only its pods', () => {
    const { deployment, service } = modelServerManifests(spec);
    assert.equal(deployment.spec?.replicas, 1);
    assert.equal(deployment.spec?.strategy?.type, 'Recreate');
    assert.deepEqual(deployment.spec?.selector.matchLabels, { 'tidemark.server': 'tm-serve-digits-v3' });
    assert.deepEqual(service.spec?.selector, { 'tidemark.server': 'tm-serve-digits-v3' });
    assert.deepEqual(service.spec?.ports, [{ name: 'http', port: 30123, targetPort: 30123 }]);
    assert.equal(service.metadata?.name, deployment.metadata?.name);
  });

  it('keeps the step pods hardening, and gives the server the model read-only and no credentials', () => {
    const pod = modelServerManifests(spec).deployment.spec!.template.spec!;
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.equal(pod.securityContext?.runAsUser, 65534);
    assert.equal(pod.automountServiceAccountToken, false);
    const [server] = pod.containers;
    assert.deepEqual(server!.securityContext, {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    assert.deepEqual(server!.resources?.limits, { cpu: '1500m', memory: '1024Mi' });
    assert.deepEqual(server!.resources?.requests, server!.resources?.limits);
    assert.ok(server!.volumeMounts?.some((m) => m.mountPath === '/model' && m.readOnly));
    assert.ok(
      !JSON.stringify(server!.env).includes('TIDEMARK_STEP_IO'),
      'the staging spec is the init container’s only',
    );
    assert.equal(pod.initContainers?.[0]?.env?.[0]?.name, 'TIDEMARK_STEP_IO');
  });

  it('listens on every address behind a Service, and on loopback with the probe there on the host network', () => {
    const behind = modelServerManifests(spec).deployment.spec!.template.spec!;
    assert.deepEqual(behind.containers[0]!.args, ['30123', '2', '0.0.0.0']);
    assert.equal(behind.containers[0]!.readinessProbe?.httpGet?.host, undefined);
    const host = modelServerManifests({ ...spec, hostNetwork: true }).deployment.spec!.template.spec!;
    assert.equal(host.hostNetwork, true);
    assert.deepEqual(host.containers[0]!.args, ['30123', '2', '127.0.0.1']);
    assert.equal(host.containers[0]!.readinessProbe?.httpGet?.host, '127.0.0.1');
  });

  it('refuses an image without a content tag', () => {
    assert.throws(() => modelServerManifests({ ...spec, image: 'tidemark/serve:latest' }), /no content tag/);
    assert.throws(
      () => modelServerManifests({ ...spec, io: { image: 'tidemark/step-io', spec: '{}' } }),
      /no content tag/,
    );
  });

  it('says why a pod cannot serve: a failed staging, a crashed server, an image the node lacks; nothing while it starts', () => {
    const pod = (status: V1Pod['status']): V1Pod => ({ metadata: { name: 'p' }, status });
    assert.equal(podProblem(pod({ phase: 'Pending' })), undefined);
    assert.equal(
      podProblem(
        pod({
          phase: 'Running',
          containerStatuses: [
            { name: 'server', image: '', imageID: '', ready: false, restartCount: 0, state: { running: {} } },
          ],
        }),
      ),
      undefined,
    );
    const staging = podProblem(
      pod({
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'stage-model',
            image: '',
            imageID: '',
            ready: false,
            restartCount: 1,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1 } },
          },
        ],
      }),
    );
    assert.deepEqual(staging, {
      message: 'staging the model into the pod failed (exit 1)',
      container: 'stage-model',
      previous: true,
    });
    const crashed = podProblem(
      pod({
        phase: 'Running',
        containerStatuses: [
          {
            name: 'server',
            image: '',
            imageID: '',
            ready: false,
            restartCount: 2,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 3, reason: 'Error' } },
          },
        ],
      }),
    );
    assert.equal(crashed?.message, 'the model server exited (code 3, Error)');
    assert.equal(crashed?.previous, true);
    const image = podProblem(
      pod({
        phase: 'Pending',
        containerStatuses: [
          {
            name: 'server',
            image: '',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: 'ErrImageNeverPull', message: 'not on the node' } },
          },
        ],
      }),
    );
    assert.equal(image?.message, 'server: ErrImageNeverPull: not on the node');
  });
});
