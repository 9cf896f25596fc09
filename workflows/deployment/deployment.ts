import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { TidemarkActivities } from '../../activities/index.js';
import { ServingCanaryWeight, ServingModel, ServingState, DriftAlarm } from '../../common/search-attributes.js';
import { evaluateGates } from '../../common/serving-gates.js';
import {
  deployUpdate,
  deploymentStatusQuery,
  pauseUpdate,
  promoteUpdate,
  resumeUpdate,
  rollbackUpdate,
  servingDriftSignal,
  stopUpdate,
  type CommandAccepted,
} from '../../common/serving-messages.js';
import {
  DeployRequestSchema,
  DeploymentOptionsSchema,
  parseModelRef,
  type DeployRequest,
  type DeploymentOptionsInput,
  type Decision,
  type GateReading,
} from '../../common/serving.js';
import { failureMessage } from '../failure-message.js';
import type { monitor } from '../monitor.js';
import {
  canaryWeight,
  initialState,
  record,
  stateName,
  statusOf,
  wantedServers,
  type Command,
  type DeploymentState,
  type Rollout,
} from './deployment-state.js';

export interface DeploymentInput {
  /** The registered model this deployment serves. */
  model: string;
  options?: DeploymentOptionsInput;
  /** Carried across continue-as-new. */
  state?: DeploymentState;
  /** History events after which the workflow continues as new at its next quiet moment (default 2,000). */
  historyLimit?: number;
}

const quick = proxyActivities<TidemarkActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
const slow = proxyActivities<TidemarkActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
/** Resolving in the registry answers the user's update: a short retry, then the reason. */
const resolving = proxyActivities<TidemarkActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 4 },
});

/** Extensions of a step that lacks canary requests before the rollout gives up. */
const MAX_EXTENSIONS = 10;

/**
 * One long-lived workflow per served model. It owns the model's servers and its proxy: `deploy`
 * starts a version and shifts traffic to it in canary steps, judging gates at the end of each
 * step's dwell; a failed gate rolls back, passing all promotes (the registry alias moves, the
 * old version drains and stops). Every few seconds' worth of state lives in the workflow, so a
 * worker crash loses nothing; every `reconcileEvery` it compares the real proxy and model servers
 * with its state and repairs them. It continues as new at quiet moments to keep its history small.
 */
export async function deployment(input: DeploymentInput): Promise<void> {
  const options = DeploymentOptionsSchema.parse(input.options ?? {});
  const s: DeploymentState = input.state ?? initialState();
  const info = workflowInfo();
  const id = info.workflowId;
  const monitorId = `${id}-monitor`;
  const historyLimit = input.historyLimit ?? 2000;
  let resolvingDeploy = false;
  let nextReconcileAt = Date.now();

  const searchAttributes = () =>
    upsertSearchAttributes([
      { key: ServingModel, value: input.model },
      { key: ServingState, value: stateName(s) },
      { key: ServingCanaryWeight, value: canaryWeight(s) },
    ]);
  const decide = (d: Omit<Decision, 'at'>) => {
    record(s, { ...d, at: Date.now() });
    log.info(
      `deployment ${input.model}: ${d.kind}${d.version ? ` v${d.version}` : ''}${d.reason ? `: ${d.reason}` : ''}`,
    );
  };

  // --- messages ----------------------------------------------------------------------------
  const enqueue = async (
    c: Command extends infer C ? (C extends Command ? Omit<C, 'id'> : never) : never,
  ): Promise<CommandAccepted> => {
    const cmd = { ...c, id: s.nextCommand++ } as Command;
    s.commands.push(cmd);
    await condition(() => s.handled >= cmd.id);
    return { state: stateName(s), version: s.rollout?.canary.version ?? s.stable?.version };
  };
  const needsRollout = (what: string) => () => {
    if (s.stopped) throw new Error('this deployment has stopped');
    if (!s.rollout) throw new Error(`there is no rollout to ${what}: the deployment is ${stateName(s)}`);
  };

  setHandler(
    deployUpdate,
    async (req: DeployRequest) => {
      resolvingDeploy = true;
      try {
        const parsed = DeployRequestSchema.parse(req);
        let model;
        try {
          model = await resolving.resolveModelVersion({ ref: parsed.model });
        } catch (err) {
          throw ApplicationFailure.nonRetryable(failureMessage(err), 'DeployRefused');
        }
        if (s.stable?.version === model.version && !s.rollout)
          throw ApplicationFailure.nonRetryable(
            `${input.model} v${model.version} is already the version served`,
            'DeployRefused',
          );
        const steps = s.stable ? (parsed.canary ?? options.canary) : [100];
        const dwellMs = parsed.dwellMs ?? options.dwellMs;
        s.pendingDeploy = { model, steps, dwellMs };
        return { version: model.version, steps, dwellMs };
      } finally {
        resolvingDeploy = false;
      }
    },
    {
      // Refused here, a request leaves no trace in history. The registry itself cannot be asked
      // from a validator (validators run synchronously, without activities): the handler's first
      // step asks it, and a refusal there changes nothing either.
      validator: (req: DeployRequest) => {
        const parsed = DeployRequestSchema.safeParse(req);
        if (!parsed.success)
          throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '));
        const ref = parseModelRef(parsed.data.model)!;
        if (ref.name !== input.model)
          throw new Error(`this deployment serves ${input.model}; deploy ${ref.name} to its own deployment`);
        if (s.stopped) throw new Error('this deployment has stopped; start a new one');
        if (s.rollout || s.pendingDeploy || resolvingDeploy)
          throw new Error(
            `a rollout${s.rollout ? ` of v${s.rollout.canary.version}` : ''} is in progress: promote it, roll it back, or wait for it to finish`,
          );
        if (s.rollingBack) throw new Error('a rollback is in progress; deploy again when it has finished');
      },
    },
  );
  setHandler(promoteUpdate, () => enqueue({ kind: 'promote' }), { validator: needsRollout('promote') });
  setHandler(
    rollbackUpdate,
    (arg: { reason?: string }) => enqueue({ kind: 'rollback', reason: arg?.reason ?? 'rolled back by request' }),
    {
      validator: (_arg: { reason?: string }) => needsRollout('roll back')(),
    },
  );
  setHandler(pauseUpdate, () => enqueue({ kind: 'pause' }), {
    validator: () => {
      needsRollout('pause')();
      if (s.rollout!.paused) throw new Error('the rollout is paused already');
    },
  });
  setHandler(resumeUpdate, () => enqueue({ kind: 'resume' }), {
    validator: () => {
      needsRollout('resume')();
      if (!s.rollout!.paused) throw new Error('the rollout is not paused');
    },
  });
  setHandler(stopUpdate, () => enqueue({ kind: 'stop' }), {
    validator: () => {
      if (s.stopped) throw new Error('this deployment has stopped already');
    },
  });
  setHandler(deploymentStatusQuery, () => statusOf(input.model, s, options, monitorId));
  setHandler(servingDriftSignal, ({ batch, checks }) => {
    s.driftAlarm = true;
    decide({ kind: 'drift-alarm', reason: `live batch ${batch}: ${checks.join(', ')} alarmed` });
    upsertSearchAttributes([{ key: DriftAlarm, value: true }]);
  });

  // --- actions -----------------------------------------------------------------------------
  async function ensureMonitor(): Promise<void> {
    if (!options.monitor || s.monitorStarted) return;
    await startChild<typeof monitor>('monitor', {
      workflowId: monitorId,
      args: [{ name: `${input.model}-live`, checks: options.monitor.checks, notify: { workflowId: id } }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    }).catch((err: unknown) => log.warn('monitor not started', { error: failureMessage(err) }));
    s.monitorStarted = true;
  }

  /** Makes the proxy, sampler and servers match the state (with the canary at `canary`% when given). */
  async function apply(canary?: number): Promise<void> {
    s.ports ??= await quick.leaseServingPorts({ deployment: id });
    const r = await slow.applyServing({
      deployment: id,
      ports: s.ports,
      servers: wantedServers(s, canary === undefined ? undefined : { canary }),
      options: { sampling: options.sampling, resources: options.resources },
      monitorWorkflowId: options.monitor ? monitorId : undefined,
    });
    if (r.repaired.length) decide({ kind: 'reconciled', reason: r.repaired.join('; ') });
    nextReconcileAt = Date.now() + Math.max(1000, options.reconcileEveryMs);
  }

  async function recordDecision(r: Rollout, d: Omit<Decision, 'at'>, from?: string): Promise<void> {
    decide(d);
    await quick
      .recordServingDecision({
        deployment: id,
        model: input.model,
        rollout: r.id,
        decision: { ...d, at: Date.now() },
        from,
        to: r.canary.version,
        steps: r.steps,
        dwellMs: r.dwellMs,
        readings: r.readings,
        startedAt: r.readings[0]?.at ?? Date.now(),
      })
      .catch((err: unknown) => log.warn('decision not recorded in MLflow', { error: failureMessage(err) }));
  }

  async function beginRollout(): Promise<void> {
    const { model, steps, dwellMs } = s.pendingDeploy!;
    s.rollouts++;
    await ensureMonitor();
    let served;
    try {
      served = await slow.startModelServer({ deployment: id, model, resources: options.resources });
    } catch (err) {
      s.pendingDeploy = undefined;
      decide({
        kind: 'rolled-back',
        version: model.version,
        reason: `its model server did not start: ${failureMessage(err)}`,
      });
      return;
    }
    s.pendingDeploy = undefined;
    s.rollout = {
      id: s.rollouts,
      canary: served,
      steps,
      stepIndex: 0,
      dwellMs,
      stepStartedAt: Date.now(),
      paused: false,
      extensions: 0,
      readings: [],
    };
    if (!s.stable) return promote('the first version of this deployment');
    await apply();
    s.rollout.baseline = await quick.readServingMetrics({ ports: s.ports! });
    s.rollout.stepStartedAt = Date.now();
    decide({ kind: 'step', version: served.version, weight: steps[0] });
    searchAttributes();
  }

  async function promote(reason: string): Promise<void> {
    const r = s.rollout!;
    const old = s.stable;
    await apply(100);
    await quick.moveModelAlias({ name: input.model, alias: options.alias, version: r.canary.version });
    await recordDecision(r, { kind: old ? 'promoted' : 'deployed', version: r.canary.version, reason }, old?.version);
    s.stable = r.canary;
    s.rollout = undefined;
    searchAttributes();
    if (old) {
      if (options.drainMs > 0) await sleep(options.drainMs);
      await apply(); // the old version leaves the proxy…
      await quick.stopModelServer({ deployment: id, server: old }); // …and then stops
    }
  }

  async function rollback(reason: string): Promise<void> {
    const r = s.rollout!;
    s.rollingBack = true;
    searchAttributes();
    await apply(0);
    if (options.drainMs > 0) await sleep(options.drainMs);
    s.rollout = undefined;
    await apply();
    await quick.stopModelServer({ deployment: id, server: r.canary });
    await recordDecision(r, { kind: 'rolled-back', version: r.canary.version, reason }, s.stable?.version);
    s.rollingBack = false;
    searchAttributes();
  }

  async function judgeStep(): Promise<void> {
    const r = s.rollout!;
    const now = await quick.readServingMetrics({ ports: s.ports! });
    const probe = options.gates.probe
      ? await quick.probeCanary({
          server: r.canary,
          rows: options.gates.probe.rows,
          expected: options.gates.probe.expected,
        })
      : undefined;
    const reading: GateReading = evaluateGates({
      step: r.stepIndex,
      weight: r.steps[r.stepIndex]!,
      gates: options.gates,
      canary: `v${r.canary.version}`,
      stable: s.stable ? `v${s.stable.version}` : undefined,
      baseline: r.baseline ?? { at: now.at, versions: {} },
      now,
      stableBefore: [...r.readings].reverse().find((g) => g.stable?.requests)?.stable,
      probe,
    });
    r.readings.push(reading);
    if (r.readings.length > 30) r.readings.splice(0, r.readings.length - 30);
    if (reading.insufficient && r.extensions < MAX_EXTENSIONS) {
      r.extensions++;
      r.stepStartedAt = Date.now(); // the counters keep adding up from the same baseline
      return;
    }
    if (!reading.passed) return rollback(`gates failed at ${reading.weight}%: ${reading.reasons.join('; ')}`);
    r.extensions = 0;
    if (r.stepIndex + 1 >= r.steps.length) return promote(`every gate passed at ${r.steps.join(' → ')}%`);
    r.stepIndex++;
    await apply();
    r.baseline = now;
    r.stepStartedAt = Date.now();
    decide({ kind: 'step', version: r.canary.version, weight: r.steps[r.stepIndex] });
    searchAttributes();
  }

  async function handle(cmd: Command): Promise<void> {
    const r = s.rollout;
    if (cmd.kind === 'stop') {
      await quick.teardownDeployment({ deployment: id });
      if (s.monitorStarted)
        await getExternalWorkflowHandle(monitorId)
          .cancel()
          .catch(() => undefined);
      s.stopped = true;
      s.rollout = undefined;
      decide({ kind: 'stopped' });
    } else if (!r) {
      // The rollout ended between the update's validation and now: nothing to do.
    } else if (cmd.kind === 'promote') await promote('promoted by request');
    else if (cmd.kind === 'rollback') await rollback(cmd.reason);
    else if (cmd.kind === 'pause' && !r.paused) {
      r.paused = true;
      r.remainingMs = Math.max(0, r.stepStartedAt + r.dwellMs - Date.now());
      decide({ kind: 'paused', version: r.canary.version, weight: r.steps[r.stepIndex] });
    } else if (cmd.kind === 'resume' && r.paused) {
      r.paused = false;
      r.stepStartedAt = Date.now() - (r.dwellMs - (r.remainingMs ?? r.dwellMs));
      decide({ kind: 'resumed', version: r.canary.version, weight: r.steps[r.stepIndex] });
    }
    searchAttributes();
  }

  // --- the loop ----------------------------------------------------------------------------
  searchAttributes();
  for (;;) {
    const cmd = s.commands.shift();
    if (cmd) {
      await handle(cmd);
      s.handled = cmd.id;
      if (s.stopped) {
        await condition(allHandlersFinished);
        return;
      }
      continue;
    }
    if (s.pendingDeploy) {
      await beginRollout();
      continue;
    }
    const r = s.rollout;
    if (r && !r.paused && Date.now() >= r.stepStartedAt + r.dwellMs) {
      await judgeStep();
      continue;
    }
    if ((s.stable || r) && Date.now() >= nextReconcileAt) {
      await apply();
      continue;
    }
    const quiet = !resolvingDeploy && s.commands.length === 0 && !s.pendingDeploy;
    if (quiet && (workflowInfo().historyLength > historyLimit || workflowInfo().continueAsNewSuggested)) {
      await condition(allHandlersFinished);
      if (!resolvingDeploy && s.commands.length === 0 && !s.pendingDeploy)
        return continueAsNew<typeof deployment>({ ...input, state: s });
    }
    const wakeAt = Math.min(
      s.stable || r ? nextReconcileAt : Number.POSITIVE_INFINITY,
      r && !r.paused ? r.stepStartedAt + r.dwellMs : Number.POSITIVE_INFINITY,
    );
    const woken = () => s.commands.length > 0 || s.pendingDeploy !== undefined;
    if (Number.isFinite(wakeAt)) await condition(woken, Math.max(1, wakeAt - Date.now()));
    else await condition(woken);
  }
}
