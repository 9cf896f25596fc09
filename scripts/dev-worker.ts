/**
 * `npm run worker`: a Tidemark worker for development, against the embedded stack, which it
 * starts first when it is not running (pass --no-stack when the services run elsewhere). The
 * worker itself is workers/main.ts, the entry a deployment runs; this one only adds the stack.
 */
import { Command } from 'commander';
import { resolveConfig } from '../lib/config/resolve-config.js';
import { runWorker } from '../workers/main.js';
import { clusterLayout, embeddedClusterSettings } from './stack/kubernetes/cluster-layout.js';
import { Stack } from './stack/stack.js';

const opts = new Command('worker')
  .option('--no-stack', 'do not start the embedded stack')
  .parse()
  .opts<{ stack: boolean }>();

async function main(): Promise<void> {
  let config = resolveConfig();
  if (opts.stack) {
    const stack = await Stack.ensure({ config });
    // The Kubernetes backend with no cluster of its own configured runs on the embedded one.
    const k = config.containers.kubernetes;
    if (config.containers.backend === 'kubernetes' && !k.kubeconfig && !k.registry) {
      const embedded = embeddedClusterSettings(clusterLayout(stack.paths));
      config = { ...config, containers: { ...config.containers, kubernetes: { ...k, ...embedded } } };
    }
  }
  await runWorker(config);
}

main().catch((err: unknown) => {
  console.error(`worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
