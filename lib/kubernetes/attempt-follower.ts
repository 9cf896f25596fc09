import { Log, Watch, type KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeCapacity } from './classify-failure.js';
import { LogLines } from './pod-log.js';

/** How a followed attempt ended: the step's exit code, and its pod when it was seen to end. */
export interface AttemptEnd {
  exitCode: number;
  pod?: V1Pod;
}

/** What the follower asks of the cluster and of the classifier. */
export interface FollowContext {
  kc: KubeConfig;
  namespace: string;
  job(): Promise<V1Job | undefined>;
  pods(): Promise<V1Pod[]>;
  largestNode(): Promise<NodeCapacity>;
  /** The error the attempt fails with, when the Job or the pod shows one (classifyStepFailure). */
  classify(job: V1Job | undefined, pod: V1Pod | undefined, largestNode?: NodeCapacity): Error | undefined;
}

type Event =
  | { kind: 'pod'; pod: V1Pod }
  | { kind: 'deleted'; pod: V1Pod }
  | { kind: 'marker'; exitCode: number }
  | { kind: 'logs-ended' }
  | { kind: 'watch-ended' }
  | { kind: 'tick' };

const terminal = (pod: V1Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const stepState = (pod: V1Pod) => pod.status?.containerStatuses?.find((c) => c.name === 'step')?.state;
/** How long a step whose command failed waits for its pod's status (to tell an OOM kill from an exit). */
const STATUS_WAIT_MS = 10_000;
/** How long the log stream may trail the pod's end before the log is read again whole. */
const LOG_TRAIL_MS = 1500;
/** Exit codes of a step stopped by SIGTERM or SIGKILL: the Job's deadline may be why, so the Job is asked. */
const SIGNALLED = new Set([143, 137]);
/** How often the Job itself is looked at (its deadline can end it before its pod says why). */
const JOB_CHECK_MS = 5000;

/**
 * Follows one step attempt to its end: watches its pod, streams the step container's log from its
 * first line, and ends when the I/O helper prints its done marker (the result is stored: the
 * kubelet has not even noticed the exit yet) or when the pod ends. Throws the classifier's error as
 * soon as the pod or the Job shows one. One loop over one queue of events, so the order of what
 * the watch, the log stream and the timers report is handled in one place.
 */
export async function followAttempt(
  name: string,
  ctx: FollowContext,
  onLine: (line: string) => void,
  signal?: AbortSignal,
): Promise<AttemptEnd> {
  const queue: Event[] = [];
  let wake: (() => void) | undefined;
  const push = (e: Event) => {
    queue.push(e);
    wake?.();
  };
  const stops: (() => void)[] = [];
  const watch = async () => {
    const abort = await new Watch(ctx.kc).watch(
      `/api/v1/namespaces/${ctx.namespace}/pods`,
      { labelSelector: `batch.kubernetes.io/job-name=${name}` },
      (type, pod: V1Pod) => push(type === 'DELETED' ? { kind: 'deleted', pod } : { kind: 'pod', pod }),
      () => push({ kind: 'watch-ended' }),
    );
    stops.push(() => abort.abort());
  };
  let lines: LogLines | undefined;
  const startLogs = async (pod: V1Pod) => {
    lines = new LogLines(onLine, (exitCode) => push({ kind: 'marker', exitCode }));
    lines.on('finish', () => push({ kind: 'logs-ended' }));
    const abort = await new Log(ctx.kc)
      .log(ctx.namespace, pod.metadata!.name!, 'step', lines, { follow: true })
      .catch(() => undefined); // the pod's end settles the attempt anyway
    if (abort) stops.push(() => abort.abort());
  };
  const ticker = setInterval(() => push({ kind: 'tick' }), JOB_CHECK_MS);
  stops.push(() => clearInterval(ticker));
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  stops.push(() => signal?.removeEventListener('abort', onAbort));

  let capacity: NodeCapacity | undefined;
  let markerCode: number | undefined;
  let markerAt = 0;
  let ended: V1Pod | undefined;
  let endedAt = 0;
  let logsEnded = false;
  const classify = async (job: V1Job | undefined, pod: V1Pod | undefined) => {
    const unschedulable = pod?.status?.conditions?.some((c) => c.reason === 'Unschedulable');
    if (unschedulable && !capacity) capacity = await ctx.largestNode();
    const failure = ctx.classify(job, pod, capacity);
    if (failure) throw failure;
  };
  const exitOf = (pod: V1Pod) => stepState(pod)?.terminated?.exitCode;

  try {
    await watch();
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      if (ended && (logsEnded || markerCode !== undefined || Date.now() - endedAt > LOG_TRAIL_MS)) {
        if (!logsEnded && markerCode === undefined && lines) await rereadLog(ctx, ended, lines.count, onLine);
        const exitCode = markerCode ?? exitOf(ended) ?? 1;
        if (SIGNALLED.has(exitCode)) await classify(await ctx.job(), undefined);
        return { exitCode, pod: ended };
      }
      if (markerCode !== undefined && !ended && (markerCode === 0 || Date.now() - markerAt > STATUS_WAIT_MS)) {
        if (SIGNALLED.has(markerCode)) await classify(await ctx.job(), undefined);
        return { exitCode: markerCode };
      }
      const event = queue.shift();
      if (!event) {
        const waitMs = ended ? LOG_TRAIL_MS : markerCode !== undefined ? STATUS_WAIT_MS : JOB_CHECK_MS;
        await Promise.race([new Promise<void>((r) => (wake = r)), sleep(waitMs)]);
        wake = undefined;
        continue;
      }
      switch (event.kind) {
        case 'pod':
          await classify(undefined, event.pod);
          if (!lines && (stepState(event.pod)?.running || stepState(event.pod)?.terminated)) await startLogs(event.pod);
          if (terminal(event.pod) && !ended) [ended, endedAt] = [event.pod, Date.now()];
          break;
        case 'deleted':
          if (terminal(event.pod)) {
            await classify(undefined, event.pod);
            if (!ended) [ended, endedAt] = [event.pod, Date.now()];
          } else {
            await classify(await ctx.job(), undefined);
            throw new Error(`the Job ${name} was deleted while the step ran`);
          }
          break;
        case 'marker':
          [markerCode, markerAt] = [event.exitCode, Date.now()];
          // Stopped by a signal: the Job's deadline is the likely sender, and the Job says so first.
          if (SIGNALLED.has(event.exitCode)) await classify(await ctx.job(), undefined);
          break;
        case 'logs-ended':
          logsEnded = true;
          break;
        case 'watch-ended': {
          // The API server ends watches now and then: look once, then watch again.
          const [job, pods] = await Promise.all([ctx.job(), ctx.pods()]);
          await classify(job, pods[0]);
          for (const pod of pods) push({ kind: 'pod', pod });
          await watch();
          break;
        }
        case 'tick': {
          const job = await ctx.job();
          if (
            job?.status?.conditions?.some(
              (c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True',
            )
          )
            await classify(job, undefined);
          break;
        }
      }
    }
  } finally {
    for (const stop of stops) stop();
  }
}

/** The pod ended but its log stream did not: read the whole log once and pass on what the stream had not. */
async function rereadLog(ctx: FollowContext, pod: V1Pod, seen: number, onLine: (line: string) => void): Promise<void> {
  let n = 0;
  const rest = new LogLines(
    (line) => {
      if (n++ >= seen) onLine(line);
    },
    () => undefined,
  );
  const finished = new Promise<void>((done) => rest.on('finish', done).on('close', done));
  const started = await new Log(ctx.kc)
    .log(ctx.namespace, pod.metadata!.name!, 'step', rest, { follow: false })
    .catch(() => undefined);
  if (started) await Promise.race([finished, sleep(10_000)]);
}
