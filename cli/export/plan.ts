import { resolve } from 'node:path';
import { evaluateCondition, parseCondition } from '../../common/condition.js';
import { interpolate } from '../../common/interpolate.js';
import {
  dependencies,
  type ContainerStep,
  type NestedStep,
  type PipelineSpec,
  type PipelineStep,
} from '../../common/pipeline-spec.js';
import type { LoadedPipeline } from '../graph/load-spec.js';
import { ComposeExportError } from './errors.js';
import { hostPath, joinItems, resolveSource, type HostSource, type SourceScope, type StepOutcome } from './sources.js';

export interface Bind {
  host: string;
  container: string;
  readOnly: boolean;
}

/** One container step (or one map item of it) as a compose service. */
export interface PlannedService {
  name: string;
  /** The step with its params, command, args and env resolved for this service. */
  step: ContainerStep;
  /** `build.context`, relative to the compose file. */
  buildContext?: string;
  binds: Bind[];
  dependsOn: string[];
  notes: string[];
}

export interface ComposePlan {
  services: PlannedService[];
  /** What the compose file leaves out, and why. */
  notes: string[];
}

/** One pipeline being flattened; `after` are the services every one of its services waits for (a nested pipeline's upstream). */
interface Level {
  spec: PipelineSpec;
  key: string;
  prefix: string;
  label: string;
  params: Record<string, unknown>;
  scope: SourceScope;
  after: string[];
}

/** Steps in an order where each comes after the steps it depends on. */
function inDependencyOrder(steps: PipelineStep[]): PipelineStep[] {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const ordered = new Set<PipelineStep>();
  const visit = (s: PipelineStep) => {
    if (ordered.has(s)) return;
    for (const d of dependencies(s)) visit(byName.get(d)!);
    ordered.add(s);
  };
  steps.forEach(visit);
  return [...ordered];
}

/**
 * Flattens a pipeline into compose services: one per container step, one per map item
 * (`<step>__<index>`), nested pipelines as `<parent>__<child>`. Check steps, steps whose params
 * condition is false and steps after them are left out, with a note. Throws a ComposeExportError
 * listing every input compose cannot read.
 */
export function planCompose(
  loaded: LoadedPipeline,
  opts: { composeDir: string; params?: Record<string, unknown> },
): ComposePlan {
  const plan: ComposePlan = { services: [], notes: [] };
  const problems: string[] = [];
  const names = new Set<string>();
  const top = loaded.spec;
  const params = { ...top.params, ...opts.params };
  const scope: SourceScope = {
    inputs: {},
    outcomes: new Map(),
    baseDir: loaded.baseDirs.get('')!,
    composeDir: opts.composeDir,
  };
  for (const [name, src] of Object.entries(top.inputs))
    scope.inputs[name] = resolveSource(src, `pipeline input "${name}"`, scope, problems);

  const service = (
    level: Level,
    step: ContainerStep,
    name: string,
    vars: Record<string, unknown>,
    inputs: Record<string, HostSource>,
    after: string[],
    notes: string[],
  ) => {
    if (names.has(name))
      problems.push(
        `${level.label}step "${step.name}": its service name "${name}" is taken by another step; rename one of them`,
      );
    names.add(name);
    const resolved: ContainerStep = {
      ...step,
      params: interpolate(step.params, vars),
      args: interpolate(step.args, vars),
      env: interpolate(step.env, vars),
      command: interpolate(step.command, vars),
    };
    const binds: Bind[] = [
      { host: `./runs/${name}/inputs/params.json`, container: '/inputs/params.json', readOnly: true },
      { host: `./runs/${name}/outputs`, container: '/outputs', readOnly: false },
    ];
    for (const [input, src] of Object.entries(inputs)) {
      src.paths.forEach((host, i) =>
        binds.push({ host, container: src.list ? `/inputs/${input}/${i}` : `/inputs/${input}`, readOnly: true }),
      );
    }
    const planned: PlannedService = {
      name,
      step: resolved,
      binds,
      dependsOn: [...new Set([...Object.values(inputs).flatMap((s) => s.writers), ...after, ...level.after])],
      notes,
    };
    if (typeof step.build?.context === 'string')
      planned.buildContext = hostPath(opts.composeDir, resolve(level.scope.baseDir, step.build.context));
    else if (step.build)
      problems.push(
        `${level.label}step "${step.name}", field build.context: a stored artifact cannot be a compose build context; give a local folder`,
      );
    plan.services.push(planned);
    const outputs = Object.fromEntries(
      Object.entries(step.outputs).map(([out, path]) => [
        out,
        { paths: [`./runs/${name}/outputs/${path}`], list: false, writers: [name] },
      ]),
    );
    return { services: [name], outputs };
  };

  const nested = (
    level: Level,
    step: NestedStep,
    name: string,
    vars: Record<string, unknown>,
    inputs: Record<string, HostSource>,
    after: string[],
  ) => {
    const key = `${level.key}${level.key ? '/' : ''}${step.name}`;
    const where = `${level.label}step "${step.name}"`;
    const scope: SourceScope = {
      inputs: {},
      outcomes: new Map(),
      baseDir: loaded.baseDirs.get(key) ?? level.scope.baseDir,
      composeDir: opts.composeDir,
    };
    for (const [input, src] of Object.entries(step.pipeline.inputs))
      scope.inputs[input] =
        inputs[input] ?? resolveSource(src, `${where} > pipeline input "${input}"`, scope, problems);
    const upstream = [...Object.values(inputs).flatMap((s) => s.writers), ...after, ...level.after];
    const params = { ...step.pipeline.params, ...interpolate(step.params, vars) };
    const child = planLevel({
      spec: step.pipeline,
      key,
      prefix: `${name}__`,
      label: `${where} > `,
      params,
      scope,
      after: [...new Set(upstream)],
    });
    const outputs: Record<string, HostSource> = {};
    for (const [out, ref] of Object.entries(step.pipeline.outputs)) {
      const [s, o] = ref.split('.') as [string, string];
      const produced = child.get(s);
      if (produced && 'outputs' in produced && produced.outputs[o]) outputs[out] = produced.outputs[o];
    }
    return { services: [...child.values()].flatMap((c) => ('services' in c ? c.services : [])), outputs };
  };

  function planLevel(level: Level): Map<string, StepOutcome> {
    const { outcomes } = level.scope;
    const skip = (step: PipelineStep, reason: string) => {
      outcomes.set(step.name, { skipped: reason });
      plan.notes.push(`${level.label}step "${step.name}" is left out: ${reason}`);
    };
    for (const step of inDependencyOrder(level.spec.steps)) {
      const where = `${level.label}step "${step.name}"`;
      const skippedDep = dependencies(step).find((d) => 'skipped' in outcomes.get(d)!);
      if (skippedDep) {
        skip(step, `it runs after "${skippedDep}", which is left out`);
        continue;
      }
      if (step.kind === 'check') {
        skip(step, 'check steps run in the Tidemark worker, not in a container');
        continue;
      }
      const notes: string[] = [];
      const after: string[] = [];
      const condition = step.when === undefined ? undefined : parseCondition(step.when);
      if (condition && typeof condition !== 'string') {
        if (condition.ref.kind === 'param') {
          const verdict = evaluateCondition(condition, {
            params: level.params,
            metrics: () => undefined,
            alarm: () => undefined,
          });
          if (!verdict.holds) {
            skip(step, `when ${verdict.reason} is false`);
            continue;
          }
        } else {
          const upstream = outcomes.get(condition.ref.step) as { services: string[] };
          after.push(...upstream.services);
          notes.push(
            `when "${step.when}" is not evaluated by compose: this service runs whenever ${condition.ref.step} succeeds`,
          );
        }
      }
      const inputs: Record<string, HostSource> = {};
      const missing: string[] = [];
      for (const [name, src] of Object.entries(step.inputs)) {
        const host = resolveSource(src, `${where}, input "${name}"`, level.scope, problems);
        if (host) inputs[name] = host;
        else missing.push(name);
      }
      if (missing.length) {
        skip(step, `its input ${missing.join(', ')} has no producer here`);
        continue;
      }
      let items: unknown[] = [undefined];
      if (step.map) {
        const over =
          typeof step.map.over === 'string' ? level.params[step.map.over.slice('${params.'.length, -1)] : step.map.over;
        if (!Array.isArray(over)) {
          problems.push(`${where}, field map.over: ${String(step.map.over)} is not a list`);
          skip(step, 'map.over is not a list');
          continue;
        }
        items = over;
      }
      const results = items.map((item, i) => {
        const name = `${level.prefix}${step.name}${step.map ? `__${i}` : ''}`;
        const vars = { params: level.params, ...(step.map ? { [step.map.as]: item } : {}) };
        if (step.kind === 'container') return service(level, step, name, vars, inputs, after, notes);
        return nested(level, step, name, vars, inputs, after);
      });
      outcomes.set(step.name, step.map ? joinItems(results) : results[0]!);
    }
    return outcomes;
  }

  planLevel({ spec: top, key: '', prefix: '', label: '', params, scope, after: [] });
  if (problems.length) throw new ComposeExportError(problems);
  return plan;
}
