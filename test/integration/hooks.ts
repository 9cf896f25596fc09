/**
 * Mocha root hooks: the whole suite runs against the real embedded stack. It is started once
 * (or reused when already running), and what this run started is stopped at the end, unless
 * TIDEMARK_KEEP_STACK=1. Unit-only runs can skip it with running only test/unit (npm run test:unit), which has no hooks.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ENV } from '../../common/env.js';
import { Stack } from '../../scripts/stack/stack.js';

process.env.TIDEMARK_LOG_LEVEL ??= 'warn';
// Workers in tests log only errors (expected activity failures would drown the output).
Runtime.install({ logger: new DefaultLogger('ERROR') });

let stack: Stack | undefined;
let cluster: Stack | undefined;

export async function getStack(): Promise<Stack> {
  stack ??= await Stack.ensure({ log: () => undefined });
  return stack;
}

/**
 * The stack with the embedded Kubernetes cluster, which only the Kubernetes tests need: started on
 * the first call (or again after a test stopped it) and stopped after the run if this run started it.
 */
export async function getKubernetesStack(): Promise<Stack> {
  const ensured = await Stack.ensure({ log: () => undefined, with: ['kubernetes'] });
  if (ensured.started.includes('kubernetes') || !cluster) cluster = ensured;
  return ensured;
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(300_000);
    const t0 = Date.now();
    const s = await getStack();
    console.log(
      `  stack ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (started: ${s.started.join(', ') || 'none, reused'})`,
    );
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(120_000);
    if (process.env[ENV.keepStack] === '1') return;
    if (cluster) await cluster.stopStarted();
    if (stack) await stack.stopStarted();
  },
};
