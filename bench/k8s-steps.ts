import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterImages } from '../scripts/stack/kubernetes/cluster-images.js';
import { clusterLayout, embeddedClusterSettings } from '../scripts/stack/kubernetes/cluster-layout.js';
import { kubeProgram } from '../scripts/stack/kubernetes/kube-tools.js';
import { Stack } from '../scripts/stack/stack.js';
import { resolveConfig } from '../lib/config/resolve-config.js';
import { median, noopPipeline, ratioSummary, timeShell, withPipelineWorker } from './harness.js';

const N = 20;
const ROUNDS = 3;

/**
 * 20 sequential no-op busybox steps as Kubernetes Jobs on the embedded cluster, against 20
 * `kubectl create job … && kubectl wait --for=condition=complete` of the same image from a shell
 * loop, in the same run and round by round (back to back, so drift on this noisy machine hits both
 * alike); the ratio is the median of the rounds' ratios. The plain loop's time per Job is the
 * cluster's own latency: create a Job, schedule and start its pod, run it, see the Job complete.
 */
export async function k8sStepsBench(): Promise<void> {
  const stack = await Stack.ensure({ with: ['kubernetes'], log: () => undefined });
  const layout = clusterLayout(stack.paths);
  const base = resolveConfig();
  const config = {
    ...base,
    containers: {
      ...base.containers,
      backend: 'kubernetes' as const,
      kubernetes: { ...base.containers.kubernetes, ...embeddedClusterSettings(layout) },
    },
  };
  const kubectl = `${kubeProgram(stack.paths, 'kubectl')} --kubeconfig ${layout.adminKubeconfig}`;
  // The content-tagged busybox the cluster has (a Job must not name :latest, or the node would pull).
  const image = clusterImages().all.find((ref) => ref.startsWith('tidemark/busybox:'))!;
  const spec = noopPipeline('bench-k8s-steps', N);
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-bench-k8s-'));
  const plain: number[] = [];
  const runs: number[] = [];
  const perStep: number[] = [];
  await withPipelineWorker(
    async (timePipeline) => {
      for (let round = 0; round < ROUNDS; round++) {
        const prefix = `bench-plain-${Date.now()}`;
        // The Jobs `kubectl create job` makes, written out first (outside the timing) with the host
        // network added: this cluster's only pod network (its CNI network has loopback alone).
        await timeShell(
          `cd ${dir} && for i in $(seq ${N}); do ${kubectl} create job ${prefix}-$i --image=${image} --dry-run=client -o yaml -- true | sed 's/^      restartPolicy: Never$/      restartPolicy: Never\\n      hostNetwork: true/' > job-$i.yaml || exit 1; done`,
        );
        plain.push(
          await timeShell(
            `cd ${dir} && for i in $(seq ${N}); do ${kubectl} create -f job-$i.yaml >/dev/null && ${kubectl} wait --for=condition=complete job/${prefix}-$i --timeout=300s >/dev/null || exit 1; done`,
          ),
        );
        await timeShell(
          `for i in $(seq ${N}); do echo ${prefix}-$i; done | xargs ${kubectl} delete job --wait=false >/dev/null`,
        );
        const { ms, result } = await timePipeline(spec);
        runs.push(ms);
        perStep.push(...result.steps.map((s) => s.durationMs ?? 0));
        console.log(`round ${round + 1}: plain kubectl ${plain[round]!.toFixed(0)} ms, pipeline ${ms.toFixed(0)} ms`);
      }
    },
    { config },
  ).finally(() => rmSync(dir, { recursive: true, force: true }));
  const plainPerJob = median(plain) / N;
  const ratio = ratioSummary(runs.map((ms, i) => ms / plain[i]!));
  const overhead = median(perStep) - plainPerJob;
  console.log(
    `cluster: kubectl create job + wait: ${median(plain).toFixed(0)} ms for ${N} (${plainPerJob.toFixed(0)} ms per Job); pipeline: ${median(runs).toFixed(0)} ms; median step ${median(perStep).toFixed(0)} ms; ratio ${ratio.text}`,
  );
  console.log(`k8s-steps ratio=${ratio.median.toFixed(3)} overhead_ms=${overhead.toFixed(0)}`);
}
