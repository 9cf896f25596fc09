import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { ArtifactRef } from '../../common/artifact.js';
import { evaluateCondition, parseCondition } from '../../common/condition.js';
import { statusQuery, type StepState, type StepStateName } from '../../common/messages.js';
import {
  dependencies,
  mapOverSource,
  PipelineSpecError,
  sourceRef,
  stepSources,
  validatePipeline,
  type PipelineSpec,
  type PipelineStep,
} from '../../common/pipeline-spec.js';
import type { InputSource } from '../../common/step-spec.js';
import type { SpecPart } from '../../common/stored-spec.js';
import { pipelineDemand } from '../../common/step-policy.js';
import type { TidemarkActivities } from '../../activities/index.js';
import { failureMessage } from '../failure-message.js';
import { isStepExit } from '../step-runner.js';
import { headlineMetrics } from './headline-metrics.js';
import { resultSteps, stepCounts } from './result-steps.js';
import { PipelineRunState } from './run-state.js';
import { Semaphore } from './semaphore.js';
import { PipelineTracker, type Promotion } from './tracker.js';
import { runStepOfKind } from './step-kind.js';
import { carryOver, fromRanges, HISTORY_BUDGET, type ContinuedRun } from './continuation.js';
import { assembleMapOutputs, countMapItems, noCounts, runShards } from './sharded-map.js';
import type { Outcome, Outputs } from './step-run.js';

export interface PipelineInput {
  /** The spec as written (YAML/JSON parsed), with local `path` inputs already uploaded by the client. */
  spec?: unknown;
  /** Instead of `spec`: the spec's JSON in the artifact store, when it is too large to travel inline (common/stored-spec.ts). */
  specRef?: ArtifactRef;
  /** Overrides of the spec's params. */
  params?: Record<string, unknown>;
  /** Values of the pipeline's declared inputs (set by a parent pipeline, or by the client). */
  inputs?: Record<string, ArtifactRef | ArtifactRef[]>;
  /** The Tidemark console's URL: the Web UI's current details link to the run's page there. */
  consoleUrl?: string;
  /** Set when the pipeline continued as new: what its earlier runs did (continuation.ts). */
  continued?: ContinuedRun;
}

export interface PipelineResult {
  name: string;
  state: 'succeeded';
  /** This run's steps: all of them, or the first RESULT_MAX_STEPS (result-steps.ts) and `stepsOmitted`. */
  steps: StepState[];
  stepsOmitted?: number;
  /** Every step of the pipeline by how it ended, earlier runs' included. */
  counts: Partial<Record<StepStateName, number>>;
  outputs: Record<string, ArtifactRef | ArtifactRef[]>;
  /** The registered model version and whether it became the alias holder (pipelines with `promote`, tracking on). */
  promotion?: Promotion;
}

/** Pipelines with more steps keep no graph in their memo. */
const MAX_DRAWN_STEPS = 1_000;

/** The worker's own bounds are checked where they live: in a local activity (one marker in history). */
const policy = proxyLocalActivities<TidemarkActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

/** A stored spec comes back in parts, each one activity result far under the payload limits. */
const specParts = proxyLocalActivities<TidemarkActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 20 },
});

/** The spec as written: inline, or read back from the store (common/stored-spec.ts). */
async function specOf(input: PipelineInput): Promise<unknown> {
  if (!input.specRef) return input.spec;
  let text = '';
  for (let offset: number | undefined = 0; offset !== undefined;) {
    const part: SpecPart = await specParts.readSpecPart({ ref: input.specRef, offset });
    text += part.text;
    offset = part.next;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(
      `the stored pipeline spec ${input.specRef.name} is not JSON (${String(err)}); start the pipeline again with its spec`,
      'InvalidPipelineSpec',
    );
  }
}

/** The `pipeline` workflow: runs a declarative DAG of container steps, checks and nested pipelines. */
export async function pipeline(input: PipelineInput): Promise<PipelineResult> {
  let spec: PipelineSpec;
  const rawSpec = await specOf(input);
  try {
    spec = validatePipeline(rawSpec);
  } catch (err) {
    if (err instanceof PipelineSpecError)
      throw ApplicationFailure.nonRetryable(err.message, 'InvalidPipelineSpec', err.problems);
    throw err;
  }
  const params = { ...spec.params, ...input.params };
  // A spec is code other people wrote: before any step starts (and before any MLflow run), the
  // worker refuses secrets, resources and sizes beyond what its operator allows (docs/security.md).
  // Histories recorded before this check replay without it.
  if (patched('tidemark-step-policy')) {
    try {
      await policy.checkPipelinePolicy(pipelineDemand(spec, params));
    } catch (err) {
      throw ApplicationFailure.nonRetryable(failureMessage(err), 'StepPolicyRefused');
    }
  }
  const consolePage = input.consoleUrl
    ? `${input.consoleUrl}/pipelines/${encodeURIComponent(workflowInfo().workflowId)}`
    : undefined;
  const continued = input.continued;
  const endedBefore = fromRanges(continued?.ended ?? []);
  const run = new PipelineRunState(spec.name, consolePage, true, continued?.startedAt);
  const finish = async (state: 'succeeded' | 'failed' | 'cancelled') => {
    if (run.status().state === 'running') run.finish(state);
    await tracker.finish(state, headlineMetrics(spec, run.status()));
  };
  setHandler(statusQuery, () =>
    continued ? { ...run.status(), earlier: { runs: continued.runs, steps: continued.counts } } : run.status(),
  );
  // The graph for the console and `tidemark graph`, for pipelines small enough to draw: a memo
  // stays well under Temporal's payload limits (a 10,000-step chain's graph would be ~600 KB).
  const drawn = spec.steps.length <= MAX_DRAWN_STEPS;
  upsertMemo({
    dag: {
      name: spec.name,
      ...(drawn ? {} : { omitted: spec.steps.length }),
      nodes: spec.steps.slice(0, drawn ? undefined : 0).map((s) => ({
        id: s.name,
        kind: s.kind,
        ...(s.kind === 'container' ? { image: s.image ?? 'build' } : {}),
        ...(s.map ? { map: true } : {}),
        ...(s.when ? { when: s.when } : {}),
      })),
      edges: drawn ? spec.steps.flatMap((s) => dependencies(s).map((d) => [d, s.name])) : [],
    },
  });
  spec.steps.forEach((s, i) => {
    if (!endedBefore.has(i)) run.add({ key: s.name, step: s.name, kind: s.kind, state: 'pending' });
  });

  const tracker = new PipelineTracker(spec.name, params, {
    enabled: spec.tracking.enabled,
    catchUpWithinMs: spec.tracking.catchUpWithin,
    resume: continued?.mlflow,
    versions: continued?.versions,
  });
  const rawSteps = (rawSpec as { steps: Record<string, unknown>[] }).steps;
  const slots = new Semaphore(spec.maxParallel);
  const byName = new Map(spec.steps.map((s) => [s.name, s]));
  const outcomes = new Map<string, Promise<Outcome>>();
  /** Outcomes known now (the next run gets those it needs). */
  const settled = new Map<string, Outcome>();
  spec.steps.forEach((s, i) => {
    if (endedBefore.has(i))
      outcomes.set(s.name, Promise.resolve(continued!.outcomes[s.name] ?? { ok: true, outputs: {} }));
  });
  const failures: string[] = [...(continued?.failures ?? [])];
  // Past the history budget no step starts: the running ones end, and the pipeline continues as new.
  let rolling = false;
  let active = 0;
  let mayRoll: boolean | undefined;
  const overBudget = () =>
    rolling ||
    (rolling = workflowInfo().historyLength > HISTORY_BUDGET && (mayRoll ??= patched('tidemark-continue-as-new')));
  const deferred = () => new Promise<never>(() => undefined);
  const scope = new CancellationScope();

  const resolveInput = (src: InputSource, done: Map<string, Outcome>): ArtifactRef | ArtifactRef[] => {
    if (typeof src === 'object' && 'artifact' in src) return src.artifact;
    if (typeof src === 'object' && 'artifacts' in src) return src.artifacts;
    if (typeof src === 'object' && 'path' in src)
      throw ApplicationFailure.nonRetryable(
        `input path "${src.path}" was not uploaded; start pipelines with the tidemark CLI or startPipeline(), which upload local files first`,
        'InvalidPipelineSpec',
      );
    const ref = sourceRef(src)!;
    if ('input' in ref) {
      const v = input.inputs?.[ref.input];
      if (v) return v;
      const declared = spec.inputs[ref.input];
      if (declared && typeof declared === 'object' && !('step' in declared)) return resolveInput(declared, done);
      throw ApplicationFailure.nonRetryable(`pipeline input "${ref.input}" has no value`, 'MissingInput');
    }
    return done.get(ref.step)!.outputs[ref.output]!;
  };

  const runOne = async (
    step: PipelineStep,
    key: string,
    vars: Record<string, unknown>,
    done: Map<string, Outcome>,
  ): Promise<Outcome> => {
    return slots.run(async () => {
      if (overBudget()) return deferred();
      active++;
      run.update(key, { state: 'running', startedAt: Date.now() });
      // The last step to start: what is queued for MLflow goes now, so the pipeline's end waits
      // only for the records of the steps still running.
      if (!run.all().some((s) => s.state === 'pending')) tracker.flush();
      try {
        const ctx = {
          key,
          vars,
          pipelineName: spec.name,
          consoleUrl: input.consoleUrl,
          resolveInput: (src: InputSource) => resolveInput(src, done),
          run,
          tracker,
        };
        return await runStepOfKind(step, ctx, rawSteps[spec.steps.indexOf(step)]!.pipeline);
      } catch (err) {
        if (isCancellation(err)) {
          run.update(key, { state: 'cancelled', reason: 'cancelled' });
          throw err;
        }
        const exit = isStepExit(err) ? (err.cause.details?.[0] as { exitCode?: number } | undefined) : undefined;
        const reason = failureMessage(err);
        run.update(key, { state: 'failed', reason, exitCode: exit?.exitCode });
        failures.push(`step "${key}" failed: ${reason}`);
        if (spec.failFast) scope.cancel();
        return { ok: false, outputs: {}, reason };
      } finally {
        active--;
      }
    });
  };

  const mapItems = (over: ReturnType<typeof mapOverSource>): unknown[] =>
    over.kind === 'list' ? over.items : (params[over.name] as unknown[]);
  let sharded: boolean | undefined;
  const shardedMaps = () => (sharded ??= patched('tidemark-sharded-map'));

  /** A map too large for this history (or over a list file): a tree of child workflows (sharded-map.ts). */
  const runShardedMap = async (
    step: PipelineStep,
    over: ReturnType<typeof mapOverSource>,
    done: Map<string, Outcome>,
  ): Promise<Outcome> => {
    if (overBudget()) return deferred();
    active++;
    try {
      return await shardedMap(step, over, done);
    } catch (err) {
      // The list file could not be read or counted, or its outputs assembled: the step fails as a whole.
      if (isCancellation(err)) throw err;
      const reason = failureMessage(err);
      run.update(step.name, { state: 'failed', reason });
      failures.push(`step "${step.name}" failed: ${reason}`);
      if (spec.failFast) scope.cancel();
      return { ok: false, outputs: {}, reason };
    } finally {
      active--;
    }
  };
  const shardedMap = async (
    step: PipelineStep,
    over: ReturnType<typeof mapOverSource>,
    done: Map<string, Outcome>,
  ): Promise<Outcome> => {
    const map = step.map!;
    let file: ArtifactRef | undefined;
    if (over.kind === 'input') {
      const ref = resolveInput(`inputs.${over.name}`, done);
      if (Array.isArray(ref))
        throw ApplicationFailure.nonRetryable(
          `step "${step.name}", field map.over: input "${over.name}" is a list of files; give one JSON-lines or CSV file`,
          'InvalidPipelineSpec',
        );
      file = ref;
    }
    const list = file ? undefined : mapItems(over);
    const total = file ? await countMapItems(file, step.name) : list!.length;
    run.update(step.name, {
      state: 'running',
      startedAt: Date.now(),
      reason: `${total} items in shards of ${map.shardSize}`,
      items: noCounts(total),
    });
    const consumers = spec.steps.some((s) => dependencies(s).includes(step.name));
    const collect = consumers || Object.values(spec.outputs).some((r) => r.startsWith(`${step.name}.`));
    const result = await runShards(
      {
        pipelineName: spec.name,
        step,
        rawPipeline: rawSteps[spec.steps.indexOf(step)]!.pipeline,
        items: file ? { file } : { list: list! },
        start: 0,
        end: total,
        shardSize: map.shardSize,
        parallel: spec.maxParallel,
        failFast: spec.failFast,
        // Not the list itself: it would travel into every shard's input (a leaf gets its slice).
        params:
          over.kind === 'param' ? Object.fromEntries(Object.entries(params).filter(([k]) => k !== over.name)) : params,
        sources: stepSources(step).map(([, src]) => [JSON.stringify(src), resolveInput(src, done)]),
        collect,
        consoleUrl: input.consoleUrl,
        track: spec.tracking.enabled,
      },
      (r) => run.update(step.name, { items: { ...r.counts, total } }),
    );
    // The leaves' runs go to MLflow like steps' (in batches, catching up after an outage).
    for (const r of result.runs ?? [])
      tracker.step(r.key, r.state, {
        startedAt: r.startedAt,
        params: r.params,
        metrics: r.metrics,
        tags: { 'tidemark.map_shard': 'true', 'tidemark.step_key': r.key },
        outputs: { items: r.table },
      });
    const counts = { ...result.counts, total };
    const ok = counts.succeeded + counts.cached === total;
    const outputs = ok && collect ? await assembleMapOutputs(result.manifests) : {};
    const summary = `${counts.succeeded + counts.cached}/${total} items succeeded (${counts.cached} from the cache)`;
    run.update(step.name, {
      state: ok ? 'succeeded' : 'failed',
      outputs,
      reason: ok ? summary : `${summary}; ${counts.failed} failed, ${counts.cancelled} cancelled`,
      items: counts,
      failedItems: result.failures,
      metrics: { max_history_events: result.maxHistoryLength },
    });
    if (!ok) {
      const first = result.failures[0];
      failures.push(
        `step "${step.name}" failed: ${counts.failed} of ${total} items failed${first ? `; item ${first.index}: ${first.reason}` : ''}`,
      );
      if (spec.failFast) scope.cancel();
    }
    return { ok, outputs };
  };

  const runStepNode = (step: PipelineStep): Promise<Outcome> => {
    let p = outcomes.get(step.name);
    if (p) return p;
    p = (async (): Promise<Outcome> => {
      const deps = dependencies(step);
      const depOutcomes = await Promise.all(deps.map((d) => runStepNode(byName.get(d)!)));
      const done = new Map(deps.map((d, i) => [d, depOutcomes[i]!]));
      const failed = deps.filter((d) => !done.get(d)!.ok);
      if (failed.length) {
        run.update(step.name, { state: 'skipped', reason: `upstream ${failed.join(', ')} did not run to success` });
        return { ok: false, outputs: {}, reason: 'skipped' };
      }
      if (step.when) {
        const c = parseCondition(step.when);
        if (typeof c !== 'string') {
          const verdict = evaluateCondition(c, {
            params,
            metrics: (s) => done.get(s)?.metrics,
            alarm: (s) => done.get(s)?.alarm,
          });
          if (!verdict.holds) {
            run.update(step.name, { state: 'skipped', reason: `when ${verdict.reason} is false` });
            return { ok: false, outputs: {}, reason: 'condition' };
          }
        }
      }
      const vars = { params };
      if (!step.map) return runOne(step, step.name, vars, done);
      const over = mapOverSource(step.map.over);
      // Histories recorded before maps were sharded replay with every item in the pipeline's own.
      if (over.kind === 'input' || (mapItems(over).length > step.map.shardSize && shardedMaps()))
        return runShardedMap(step, over, done);
      const items = mapItems(over);
      run.update(step.name, { state: 'running', startedAt: Date.now(), reason: `${items.length} items` });
      const results = await Promise.all(
        items.map((item, i) => {
          const key = `${step.name}[${i}]`;
          run.add({ key, step: step.name, kind: step.kind, state: 'pending', mapIndex: i });
          return runOne(step, key, { ...vars, [step.map!.as]: item }, done);
        }),
      );
      const ok = results.every((r) => r.ok);
      const outputs: Outputs = {};
      for (const r of results)
        for (const [k, v] of Object.entries(r.outputs))
          outputs[k] = [...((outputs[k] as ArtifactRef[] | undefined) ?? []), ...(Array.isArray(v) ? v : [v])];
      run.update(step.name, {
        state: ok ? 'succeeded' : 'failed',
        outputs,
        reason: `${results.filter((r) => r.ok).length}/${items.length} items succeeded`,
      });
      return { ok, outputs };
    })();
    outcomes.set(step.name, p);
    void p.then((o) => settled.set(step.name, o));
    return p;
  };

  let rolled = false;
  try {
    const all = scope.run(() => Promise.all(spec.steps.map(runStepNode)));
    rolled = await Promise.race([all.then(() => false), condition(() => rolling && active === 0).then(() => true)]);
  } catch (err) {
    if (!isCancellation(err) || failures.length === 0) {
      const state = isCancellation(err) ? 'cancelled' : 'failed';
      await finish(state);
      throw err;
    }
  }
  if (rolled) {
    await tracker.drain();
    const versions: Record<string, string> = { ...continued?.versions };
    const promoted = spec.promote?.step;
    const version = promoted ? await tracker.versions.get(promoted) : undefined;
    if (promoted && version) versions[promoted] = version;
    await continueAsNew<typeof pipeline>({
      ...input,
      continued: carryOver(spec, run.all(), settled, continued, {
        failures: failures.slice(0, 100),
        mlflow: (await tracker.parent) ?? undefined,
        versions,
        startedAt: run.status().startedAt,
      }),
    });
  }
  if (failures.length) {
    await finish('failed');
    throw ApplicationFailure.nonRetryable(`pipeline "${spec.name}" failed:\n${failures.join('\n')}`, 'PipelineFailed', {
      ...resultSteps(run.all()),
      counts: stepCounts(run.countsByState(), continued?.counts),
    });
  }
  run.finish('succeeded');
  let promotion: Promotion | undefined;
  if (spec.promote) {
    const target = byName.get(spec.promote.step);
    const [metricStep, , metricName] = spec.promote.metric.split('.') as [string, string, string];
    const value = (await outcomes.get(metricStep))?.metrics?.[metricName];
    if (target?.kind === 'container' && target.register && value !== undefined)
      promotion = await tracker.promote(spec.promote.step, target.register.name, spec.promote, value);
  }
  await finish('succeeded');
  const outputs: Outputs = {};
  for (const [name, ref] of Object.entries(spec.outputs)) {
    const [step, output] = ref.split('.') as [string, string];
    const o = (await outcomes.get(step))?.outputs[output];
    if (o) outputs[name] = o;
  }
  return {
    name: spec.name,
    state: 'succeeded',
    ...resultSteps(run.all()),
    counts: stepCounts(run.countsByState(), continued?.counts),
    outputs,
    ...(promotion ? { promotion } : {}),
  };
}
