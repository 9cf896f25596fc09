import {
  ApplicationFailure,
  CancellationScope,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { TidemarkActivities } from '../../activities/index.js';
import type { ArtifactRef } from '../../common/artifact.js';
import {
  MAX_FAILED_ITEMS,
  statusQuery,
  type FailedItem,
  type ItemCounts,
  type StepState,
} from '../../common/messages.js';
import type { PipelineStep } from '../../common/pipeline-spec.js';
import type { InputSource } from '../../common/step-spec.js';
import { failureMessage } from '../failure-message.js';
import { isStepExit } from '../step-runner.js';
import { PipelineRunState } from './run-state.js';
import { Semaphore } from './semaphore.js';
import { runStepOfKind } from './step-kind.js';
import { PipelineTracker } from './tracker.js';

/**
 * A map too large for one history. A pipeline's history grows by several events per step, and
 * Temporal terminates a workflow past 51,200 events (it warns at 10,240), so a map over more than
 * `map.shardSize` items (or over a list file) runs as a tree of `pipelineMapShard` child
 * workflows: a leaf runs at most `shardSize` items, an inner node starts at most SHARD_FANOUT
 * children, and every node returns counts, the first failures and one manifest ref per output
 * and leaf, never per-item state. The pipeline then holds counts, not items.
 */

/** Children of one node of the tree at most: its history stays a few hundred events. */
export const SHARD_FANOUT = 50;

/** Items of one leaf that may look the cache up at once, whatever its share of `maxParallel`. */
export const LEAF_LOOKUPS = 16;

export interface MapShardInput {
  pipelineName: string;
  step: PipelineStep;
  /** A nested pipeline step's spec as written. */
  rawPipeline?: unknown;
  /** This node's items: the slice of an inline list, or the list file (a leaf reads its slice). */
  items: { list: unknown[] } | { file: ArtifactRef };
  /** The node's items are [start, end) of the map's. */
  start: number;
  end: number;
  shardSize: number;
  /** Items of this node that may run at once. */
  parallel: number;
  failFast: boolean;
  params: Record<string, unknown>;
  /** The step's input sources, resolved by the pipeline: `[JSON of the source, refs]`. */
  sources: [string, ArtifactRef | ArtifactRef[]][];
  /** Keep the items' outputs (a step downstream or a pipeline output reads them). */
  collect: boolean;
  consoleUrl?: string;
  /** Tracking is on: each leaf describes one MLflow child run with a table of its items (the pipeline records them). */
  track: boolean;
}

/** One leaf as an MLflow child run of the pipeline's run. */
export interface ShardRun {
  key: string;
  state: 'succeeded' | 'failed';
  startedAt: number;
  params: Record<string, unknown>;
  metrics: Record<string, number>;
  table: ArtifactRef;
}

export interface MapShardResult {
  counts: ItemCounts;
  failures: FailedItem[];
  /** Per output, one manifest per leaf (activities/steps/map-items.ts). */
  manifests: Record<string, ArtifactRef[]>;
  /** The longest history of this node's subtree, in events. */
  maxHistoryLength: number;
  /** The leaves' MLflow runs, when tracking is on. */
  runs?: ShardRun[];
}

const items = proxyActivities<TidemarkActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 10 },
});
const assembly = proxyActivities<TidemarkActivities>({
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '2 minutes',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 10 },
});

export const noCounts = (total = 0): ItemCounts => ({ total, succeeded: 0, cached: 0, failed: 0, cancelled: 0 });

/** The child ranges of [start, end): whole leaves of `shardSize`, grouped so that there are at most `fanout`. */
export function childRanges(start: number, end: number, shardSize: number, fanout = SHARD_FANOUT): [number, number][] {
  const leaves = Math.ceil((end - start) / shardSize);
  const span = Math.ceil(leaves / fanout) * shardSize;
  const ranges: [number, number][] = [];
  for (let a = start; a < end; a += span) ranges.push([a, Math.min(end, a + span)]);
  return ranges;
}

function merge(into: MapShardResult, r: MapShardResult): void {
  for (const k of ['total', 'succeeded', 'cached', 'failed', 'cancelled'] as const) into.counts[k] += r.counts[k];
  into.failures.push(...r.failures.slice(0, MAX_FAILED_ITEMS - into.failures.length));
  for (const [name, refs] of Object.entries(r.manifests)) (into.manifests[name] ??= []).push(...refs);
  into.maxHistoryLength = Math.max(into.maxHistoryLength, r.maxHistoryLength);
  if (r.runs?.length) (into.runs ??= []).push(...r.runs);
}

/**
 * Runs the items [start, end) as child shards, a few at once (each with its share of `parallel`),
 * reporting the merged result after each child. With failFast, the first failed item stops the rest.
 */
export async function runShards(
  input: MapShardInput,
  onProgress: (r: MapShardResult) => void = () => undefined,
): Promise<MapShardResult> {
  const ranges = childRanges(input.start, input.end, input.shardSize);
  const atOnce = Math.max(1, Math.min(ranges.length, input.parallel >= 2 ? 2 : 1));
  const share = Math.max(1, Math.floor(input.parallel / atOnce));
  const slots = new Semaphore(atOnce);
  const result: MapShardResult = {
    counts: noCounts(),
    failures: [],
    manifests: {},
    maxHistoryLength: 0,
  };
  const scope = new CancellationScope();
  const one = ([a, b]: [number, number]) =>
    slots.run(async () => {
      const child: MapShardInput = {
        ...input,
        items: 'list' in input.items ? { list: input.items.list.slice(a - input.start, b - input.start) } : input.items,
        start: a,
        end: b,
        parallel: share,
      };
      let r: MapShardResult;
      try {
        r = await executeChild<typeof pipelineMapShard>('pipelineMapShard', {
          workflowId: `${workflowInfo().workflowId}/${input.step.name}[${a}-${b}]`,
          args: [child],
        });
      } catch (err) {
        if (isCancellation(err)) {
          r = { counts: { ...noCounts(b - a), cancelled: b - a }, failures: [], manifests: {}, maxHistoryLength: 0 };
        } else {
          const reason = `the shard of items ${a}-${b - 1} failed: ${failureMessage(err)}`;
          r = {
            counts: { ...noCounts(b - a), failed: b - a },
            failures: [{ index: a, reason }],
            manifests: {},
            maxHistoryLength: 0,
          };
        }
      }
      merge(result, r);
      onProgress(result);
      if (r.counts.failed > 0 && input.failFast) scope.cancel();
    });
  try {
    await scope.run(() => Promise.all(ranges.map(one)));
  } catch (err) {
    if (!isCancellation(err) || result.counts.failed === 0) throw err;
  }
  result.maxHistoryLength = Math.max(result.maxHistoryLength, workflowInfo().historyLength);
  return result;
}

/** A leaf: runs its items (at most `shardSize`) as the pipeline runs a small map's, and stores their outputs' manifests. */
async function runLeaf(input: MapShardInput): Promise<MapShardResult> {
  const { step } = input;
  const list =
    'list' in input.items
      ? input.items.list
      : await items.readMapItems({ list: input.items.file, start: input.start, end: input.end });
  const run = new PipelineRunState(`${input.pipelineName} ${step.name}[${input.start}-${input.end}]`, undefined, false);
  setHandler(statusQuery, () => run.status());
  // Items of a sharded map are not MLflow child runs (tens of thousands would bury the pipeline's
  // run): each leaf is one, with its items in a table (docs/scale.md).
  const tracker = new PipelineTracker(input.pipelineName, input.params, { enabled: false, catchUpWithinMs: 0 });
  const leafStarted = Date.now();
  const sources = new Map(input.sources);
  const resolveInput = (src: InputSource) => sources.get(JSON.stringify(src))!;
  const slots = new Semaphore(input.parallel);
  // A container step's items look the cache up outside `parallel`, which bounds containers:
  // a leaf of cache hits goes at the store's pace. Leaves started before this replay without it.
  const lookupsOutside = step.kind === 'container' && patched('tidemark-leaf-lookups-outside-slots');
  const started = lookupsOutside ? new Semaphore(Math.max(input.parallel, LEAF_LOOKUPS)) : slots;
  const result: MapShardResult = { counts: noCounts(list.length), failures: [], manifests: {}, maxHistoryLength: 0 };
  const entries: Record<string, [number, ArtifactRef][]> = {};
  const scope = new CancellationScope();
  const one = (item: unknown, j: number) => {
    const index = input.start + j;
    const key = `${step.name}[${index}]`;
    run.add({ key, step: step.name, kind: step.kind, state: 'pending', mapIndex: index });
    return started.run(async () => {
      // An item is running once it holds a container slot (or, before the look-up moved, at once).
      const slot = lookupsOutside
        ? <T>(work: () => Promise<T>) =>
            slots.run(() => {
              run.update(key, { state: 'running', startedAt: Date.now() });
              return work();
            })
        : undefined;
      run.update(key, lookupsOutside ? { startedAt: Date.now() } : { state: 'running', startedAt: Date.now() });
      try {
        const vars = { params: input.params, [step.map!.as]: item };
        const ctx = {
          key,
          vars,
          pipelineName: input.pipelineName,
          consoleUrl: input.consoleUrl,
          resolveInput,
          run,
          tracker,
          slot,
        };
        const outcome = await runStepOfKind(step, ctx, input.rawPipeline);
        if (!outcome.ok) throw ApplicationFailure.nonRetryable(outcome.reason ?? 'the item did not succeed');
        if (run.get(key)!.state === 'cached') result.counts.cached++;
        else result.counts.succeeded++;
        if (input.collect)
          for (const [name, ref] of Object.entries(outcome.outputs)) {
            if (Array.isArray(ref))
              throw ApplicationFailure.nonRetryable(
                `output "${name}" is a list (a nested map's); a sharded map keeps one artifact per item and output`,
              );
            (entries[name] ??= []).push([index, ref]);
          }
      } catch (err) {
        if (isCancellation(err)) {
          result.counts.cancelled++;
          run.update(key, { state: 'cancelled', reason: 'cancelled' });
          return;
        }
        const exit = isStepExit(err) ? (err.cause.details?.[0] as { exitCode?: number } | undefined) : undefined;
        const reason = failureMessage(err);
        result.counts.failed++;
        if (result.failures.length < MAX_FAILED_ITEMS)
          result.failures.push({ index, reason, exitCode: exit?.exitCode });
        run.update(key, { state: 'failed', reason, exitCode: exit?.exitCode });
        if (input.failFast) scope.cancel();
      }
    });
  };
  try {
    await scope.run(() => Promise.all(list.map(one)));
  } catch (err) {
    if (!isCancellation(err) || result.counts.failed === 0) throw err;
  }
  // Items that never started because the leaf stopped early.
  result.counts.cancelled = list.length - result.counts.succeeded - result.counts.cached - result.counts.failed;
  if (Object.keys(entries).length) {
    for (const e of Object.values(entries)) e.sort((x, y) => x[0] - y[0]);
    const refs = await items.storeMapManifests({ outputs: entries });
    result.manifests = Object.fromEntries(Object.entries(refs).map(([k, v]) => [k, [v]]));
  }
  run.finish(result.counts.failed ? 'failed' : 'succeeded');
  if (input.track) result.runs = [await leafRun(input, run.all(), result, leafStarted)];
  result.maxHistoryLength = workflowInfo().historyLength;
  return result;
}

/** The leaf's MLflow child run, for the pipeline's tracker: its counts as metrics and a CSV table of its items. */
async function leafRun(
  input: MapShardInput,
  states: StepState[],
  result: MapShardResult,
  startedAt: number,
): Promise<ShardRun> {
  const rows = states
    .filter((s) => s.mapIndex !== undefined)
    .sort((a, b) => a.mapIndex! - b.mapIndex!)
    .map((s) => [s.mapIndex, s.state, s.durationMs ?? '', s.exitCode ?? '', JSON.stringify(s.reason ?? '')].join(','));
  const table = await items.storeMapTable({
    csv: ['index,state,duration_ms,exit_code,reason', ...rows].join('\n') + '\n',
    name: 'items.csv',
  });
  const c = result.counts;
  return {
    key: `${input.step.name}[${input.start}-${input.end}]`,
    state: c.failed ? 'failed' : 'succeeded',
    startedAt,
    params: { step: input.step.name, from: input.start, to: input.end },
    metrics: {
      items: c.total,
      items_succeeded: c.succeeded,
      items_cached: c.cached,
      items_failed: c.failed,
      items_cancelled: c.cancelled,
      duration_s: (Date.now() - startedAt) / 1000,
    },
    table,
  };
}

/** One node of a sharded map's tree: a leaf when its items fit one shard, else the parent of smaller shards. */
export async function pipelineMapShard(input: MapShardInput): Promise<MapShardResult> {
  if (input.end - input.start <= input.shardSize) return runLeaf(input);
  return runShards(input);
}

/** The one folder per output that a step downstream of a sharded map gets (the layout of a small map's list). */
export async function assembleMapOutputs(
  manifests: Record<string, ArtifactRef[]>,
): Promise<Record<string, ArtifactRef>> {
  const out: Record<string, ArtifactRef> = {};
  for (const [name, refs] of Object.entries(manifests))
    out[name] = await assembly.assembleMapOutput({ name, manifests: refs });
  return out;
}

/** Counts a list file's items (refused beyond the worker's bound). */
export function countMapItems(file: ArtifactRef, step: string): Promise<number> {
  return items.countMapItems({ list: file, step });
}
