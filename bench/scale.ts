import { ENV } from '../common/env.js';
import { resolveProfile } from '../scripts/stack/profile.js';
import { BUSYBOX, timeShell, withPipelineWorker } from './harness.js';

/** Items of the real-container map and of the cached map (overridable: TIDEMARK_BENCH_SCALE_ITEMS, TIDEMARK_BENCH_SCALE_CACHED). */
const N = Number(process.env.TIDEMARK_BENCH_SCALE_ITEMS ?? 2_000);
const CACHED = Number(process.env.TIDEMARK_BENCH_SCALE_CACHED ?? 100_000);
const P = 8;

const mapSpec = (name: string, n: number, cache: boolean) => ({
  name,
  tracking: { enabled: false },
  maxParallel: P,
  steps: [
    {
      name: 'noop',
      image: BUSYBOX,
      args: ['true'],
      // A real run per item: its index in the params (a new cache key each); cached: one key for all.
      ...(cache ? {} : { params: { i: '${item}' }, cache: { enabled: false } }),
      map: { over: Array.from({ length: n }, (_, i) => i) },
    },
  ],
});

/**
 * A sharded map of N real no-op containers (maxParallel 8) against `xargs -P8 docker run` of the
 * same count, in one run; then a map of CACHED items of one no-op step (its first items run, the
 * rest are cache hits), with the longest history of any of its workflows and the worker's peak RSS
 * (the worker runs in this process).
 */
export async function scaleBench(): Promise<void> {
  let peakRss = 0;
  let atPeak = process.memoryUsage();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) [peakRss, atPeak] = [m.rss, m];
  }, 500);
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  try {
    // Where Temporal runs in production: its server on PostgreSQL (TIDEMARK_STACK_PROFILE=dev for the dev server).
    const profile = resolveProfile(process.env[ENV.stackProfile] || 'production');
    await withPipelineWorker(
      async (timePipeline) => {
        // TIDEMARK_BENCH_SCALE_ITEMS=0 skips the containers (ratio NaN), to measure the cached map alone.
        let ratio = NaN;
        let realHistory = 0;
        if (N > 0) {
          const plain = await timeShell(`seq ${N} | xargs -P${P} -I{} docker run --rm --network none ${BUSYBOX} true`);
          const real = await timePipeline(mapSpec('bench-scale-real', N, false));
          ratio = real.ms / plain;
          realHistory = real.result.steps[0]!.metrics?.max_history_events ?? 0;
          console.log(
            `${N} containers: plain xargs -P${P} ${(plain / 1000).toFixed(1)} s, sharded map ${(real.ms / 1000).toFixed(1)} s; ratio ${ratio.toFixed(3)}`,
          );
        }
        const cached = await timePipeline(mapSpec('bench-scale-cached', CACHED, true));
        const step = cached.result.steps[0]!;
        const perS = CACHED / (cached.ms / 1000);
        const history = Math.max(step.metrics?.max_history_events ?? 0, realHistory);
        console.log(
          `${CACHED} items: ${(cached.ms / 1000).toFixed(1)} s (${step.items?.cached} cache hits); longest history ${history} events; worker peak RSS ${mb(peakRss)} MB (then: V8 heap ${mb(atPeak.heapTotal)} MB of which ${mb(atPeak.heapUsed)} used, external ${mb(atPeak.external)} MB)`,
        );
        console.log(
          `scale ratio=${ratio.toFixed(3)} items_per_s_cached=${perS.toFixed(0)} max_history_events=${history} worker_rss_mb=${(peakRss / 2 ** 20).toFixed(0)}`,
        );
      },
      { profile },
    );
  } finally {
    clearInterval(sampler);
  }
}
