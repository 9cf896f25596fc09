import type { TidemarkConfig } from '../../common/config.js';
import { clusterLayout, embeddedClusterSettings } from '../../scripts/stack/kubernetes/cluster-layout.js';
import { getKubernetesStack } from '../integration/hooks.js';
import { createTestWorker, testConfig, type TestWorker } from './integration.js';

/** The test config with the Kubernetes backend on the embedded cluster (started when it is not running). */
export async function kubernetesTestConfig(): Promise<TidemarkConfig> {
  const stack = await getKubernetesStack();
  return {
    ...testConfig,
    containers: {
      ...testConfig.containers,
      backend: 'kubernetes',
      kubernetes: { ...testConfig.containers.kubernetes, ...embeddedClusterSettings(clusterLayout(stack.paths)) },
    },
  };
}

/** A test worker whose steps run as Jobs on the embedded cluster. */
export async function createKubernetesTestWorker(
  opts: Parameters<typeof createTestWorker>[0] = {},
): Promise<TestWorker> {
  return createTestWorker({ ...opts, plugin: { ...opts.plugin, config: await kubernetesTestConfig() } });
}
