import { ENV } from '../common/env.js';
import { resolveProfile } from '../scripts/stack/profile.js';
import { WORKER_HEAP_MB } from '../workers/heap-budget.js';
import { BUSYBOX, timeShell, withPipelineWorker } from './harness.js';

/** Items of the real-container map and of the cached map (overridable: TIDEMARK_BENCH_SCALE_ITEMS, TIDEMARK_BENCH_SCALE_CACHED). */
const N = Number(process.env.TIDEMARK_BENCH_SCALE_ITEMS ?? 2_000);
const CACHED = Number(process.env.TIDEMARK_BENCH_SCALE_CACHED ?? 100_000);
const P = 8;
/** The worker's V8 heap (TIDEMARK_BENCH_WORKER_HEAP_MB; 0 for Node's default, to compare). */
const HEAP_MB = Number(process.env.TIDEMARK_BENCH_WORKER_HEAP_MB ?? WORKER_HEAP_MB);

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
 * rest are cache hits), with the longest history of any of its workflows. The worker runs as
 * deployed, in a process of its own with its heap budget (workers/heap-budget.ts), and its peak
 * RSS is read from /proc (VmHWM).
 */
export async function scaleBench(): Promise<void> {
  // Where Temporal runs in production: its server on PostgreSQL (TIDEMARK_STACK_PROFILE=dev for the dev server).
  const profile = resolveProfile(process.env[ENV.stackProfile] || 'production');
  await withPipelineWorker(
    async (timePipeline, worker) => {
      const memory = () => worker!.memory();
      console.log(
        `worker: V8 heap ${HEAP_MB ? `limit ${HEAP_MB} MiB` : "Node's default"}; RSS ${memory().rss.toFixed(0)} MB after the warm-up`,
      );
      // TIDEMARK_BENCH_SCALE_ITEMS=0 skips the containers (ratio NaN), to measure the cached map alone.
      let ratio = NaN;
      let realHistory = 0;
      if (N > 0) {
        const plain = await timeShell(`seq ${N} | xargs -P${P} -I{} docker run --rm --network none ${BUSYBOX} true`);
        const real = await timePipeline(mapSpec('bench-scale-real', N, false));
        ratio = real.ms / plain;
        realHistory = real.result.steps[0]!.metrics?.max_history_events ?? 0;
        console.log(
          `${N} containers: plain xargs -P${P} ${(plain / 1000).toFixed(1)} s, sharded map ${(real.ms / 1000).toFixed(1)} s; ratio ${ratio.toFixed(3)}; worker peak RSS so far ${memory().peak.toFixed(0)} MB`,
        );
      }
      const cached = await timePipeline(mapSpec('bench-scale-cached', CACHED, true));
      const step = cached.result.steps[0]!;
      const perS = CACHED / (cached.ms / 1000);
      const history = Math.max(step.metrics?.max_history_events ?? 0, realHistory);
      const { rss, peak } = memory();
      console.log(
        `${CACHED} items: ${(cached.ms / 1000).toFixed(1)} s (${step.items?.cached} cache hits); longest history ${history} events; worker RSS ${rss.toFixed(0)} MB at the end, ${peak.toFixed(0)} MB at its peak`,
      );
      console.log(
        `scale ratio=${ratio.toFixed(3)} items_per_s_cached=${perS.toFixed(0)} max_history_events=${history} worker_rss_mb=${peak.toFixed(0)}`,
      );
    },
    { profile, ownProcess: { heapMb: HEAP_MB } },
  );
}
