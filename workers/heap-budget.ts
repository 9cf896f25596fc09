import v8 from 'node:v8';

/**
 * The V8 heap a Tidemark worker is deployed with, in MiB: `node --max-old-space-size=640`
 * (compose/worker.Dockerfile and compose/docker-compose.yml set it in NODE_OPTIONS).
 *
 * Without it Node sizes the heap from the machine (4 GiB on 24 GiB of memory). The limit then
 * matters before the heap is anywhere near it: V8 lets the old generation grow towards half of it
 * before the first full collection. A worker running a map of cache hits makes short-lived garbage
 * at a few MB a second in its main thread (activity contexts, HTTP to the store) and in its workflow
 * thread. Each heap held hundreds of MB of it, and the process peaked at 919 MB RSS on 60,000 items.
 * With 640 MiB it peaked at 559 MB and ran no slower (docs/production.md#worker-memory).
 * 640 MiB also holds the default cache of 1,000 workflows: the labeling bench's 2,000 waiting
 * sessions run in it.
 */
export const WORKER_HEAP_MB = 640;

/** The node option that gives a worker its heap. */
export function workerHeapOption(mb = WORKER_HEAP_MB): string {
  return `--max-old-space-size=${mb}`;
}

/** Node's options that set the heap's size (either spelling). */
const HEAP_SIZE_OPTION = /^--max[-_](old[-_]space|heap)[-_]size=/;

/**
 * A warning for the worker's log when it runs with Node's default heap limit (no heap size among
 * its node options); undefined when one was given.
 */
export function defaultHeapWarning(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env['NODE_OPTIONS'] ?? '',
): string | undefined {
  if ([...execArgv, ...nodeOptions.split(/\s+/)].some((a) => HEAP_SIZE_OPTION.test(a))) return undefined;
  return (
    `the worker runs with Node's default heap limit, ${heapLimitMb()} MiB on this machine, so its heap grows well past ` +
    `what it uses before it is collected; start it with NODE_OPTIONS=${workerHeapOption()} ` +
    `(docs/production.md#worker-memory)`
  );
}

/** The process's V8 heap limit, in MiB (for the worker's start line). */
export function heapLimitMb(): number {
  return Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20);
}
