import { z } from 'zod';
import { parseCondition } from './condition.js';
import { DurationSchema } from './duration.js';
import { unresolvedRefs } from './interpolate.js';
import { describeValue, notAMapping, oneOf, userErrors } from './zod-messages.js';
import { NAME, refineStep, stepSchemas, type InputSource, type StepSpec } from './step-spec.js';

const MAP_OVER =
  'map.over is a list (e.g. [1, 2, 3]), "${params.<name>}" naming a list param, or "${inputs.<name>}" naming a pipeline input that is a JSON-lines or CSV file';

/** Items per leaf of a sharded map: one child workflow runs at most this many (see workflows/pipeline/sharded-map.ts). */
export const DEFAULT_MAP_SHARD_SIZE = 500;

/** The pipeline schemas, built per validation (see stepSchemas for why not at module load). */
function pipelineSchemas() {
  const { InputSourceSchema, StepFields } = stepSchemas();
  const nameField = z
    .string()
    .regex(NAME, 'names start with a letter and hold only letters, digits, _ and - (at most 63)');

  const MapSchema = z
    .object({
      /** A list, or `${params.<name>}` naming a list param. */
      over: oneOf(MAP_OVER, [
        z.array(z.unknown()),
        z
          .string()
          .regex(/^\$\{(params|inputs)\.[\w-]+\}$/, { error: (iss) => `${MAP_OVER}; got ${describeValue(iss.input)}` }),
      ]),
      /** The variable each item is bound to: `${<as>}` in params, args and env. */
      as: nameField.default('item'),
      /**
       * A map over more items than this runs as a tree of child workflows, each leaf running at
       * most this many, so that no history outgrows its budget whatever the item count.
       */
      shardSize: z.number().int().min(1).max(2000).default(DEFAULT_MAP_SHARD_SIZE),
    })
    .strict();

  const Flow = { when: z.string().optional(), map: MapSchema.optional() };

  const ContainerStepSchema = z
    .object({ ...StepFields, ...Flow })
    .strict()
    .superRefine(refineStep);

  const CheckStepSchema = z
    .object({
      name: nameField,
      check: z
        .object({
          plugin: z.string().min(1),
          config: z.record(z.string(), z.unknown()).default({}),
          batch: InputSourceSchema,
          reference: InputSourceSchema.optional(),
          state: InputSourceSchema.optional(),
          /** Artifacts the plugin's config needs (e.g. `model: train-ae.model`), merged into `config`. */
          inputs: z.record(z.string(), InputSourceSchema).default({}),
        })
        .strict(),
      ...Flow,
    })
    .strict();

  const PipelineHeadSchema = z
    .object({
      name: nameField,
      description: z.string().optional(),
      params: z.record(z.string(), z.unknown()).default({}),
      inputs: z.record(nameField, InputSourceSchema).default({}),
      outputs: z
        .record(
          nameField,
          z.string().regex(/^[A-Za-z][\w-]*\.[A-Za-z][\w-]*$/, 'pipeline outputs are "<step>.<output>"'),
        )
        .default({}),
      maxParallel: z.number().int().min(1).max(256).default(4),
      failFast: z.boolean().default(true),
      /**
       * Promote the model a step registered to an alias (e.g. `champion`) when a metric beats the
       * current holder's: `{ step: train, metric: evaluate.metrics.accuracy, alias: champion }`.
       */
      promote: z
        .object({
          step: nameField,
          metric: z.string().regex(/^[A-Za-z][\w-]*\.metrics\.[\w.-]+$/, 'promote.metric is "<step>.metrics.<name>"'),
          alias: z
            .string()
            .regex(/^[A-Za-z][\w-]*$/)
            .default('champion'),
          greaterIsBetter: z.boolean().default(true),
        })
        .strict()
        .optional(),
      /** MLflow tracking: on by default; while MLflow is down it retries for `catchUpWithin`. */
      tracking: z
        .object({ enabled: z.boolean().default(true), catchUpWithin: DurationSchema.default(24 * 3_600_000) })
        .strict()
        .prefault({}),
      steps: z.array(z.record(z.string(), z.unknown())).min(1, 'a pipeline needs at least one step'),
    })
    .strict();

  const NestedHeadSchema = z
    .object({
      name: nameField,
      pipeline: z.record(z.string(), z.unknown()),
      inputs: z.record(nameField, InputSourceSchema).default({}),
      params: z.record(z.string(), z.unknown()).default({}),
      ...Flow,
    })
    .strict();

  return { MapSchema, ContainerStepSchema, CheckStepSchema, PipelineHeadSchema, NestedHeadSchema, InputSourceSchema };
}
type PipelineSchemas = ReturnType<typeof pipelineSchemas>;

export interface PipelineSpecShape {
  name: string;
  description?: string;
  params: Record<string, unknown>;
  inputs: Record<string, InputSource>;
  outputs: Record<string, string>;
  maxParallel: number;
  failFast: boolean;
  tracking: { enabled: boolean; catchUpWithin: number };
  promote?: { step: string; metric: string; alias: string; greaterIsBetter: boolean };
  steps: PipelineStep[];
}

export type ContainerStep = z.output<PipelineSchemas['ContainerStepSchema']> & { kind: 'container' };
export type CheckStep = z.output<PipelineSchemas['CheckStepSchema']> & { kind: 'check' };
export interface NestedStep {
  kind: 'pipeline';
  name: string;
  pipeline: PipelineSpecShape;
  inputs: Record<string, InputSource>;
  params: Record<string, unknown>;
  when?: string;
  map?: z.output<PipelineSchemas['MapSchema']>;
}
export type PipelineStep = ContainerStep | CheckStep | NestedStep;
export type PipelineSpec = PipelineSpecShape;

/** Thrown when a pipeline spec is invalid; `problems` names every problem with its step and field. */
export class PipelineSpecError extends TypeError {
  constructor(readonly problems: string[]) {
    super(
      `Invalid pipeline spec (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'PipelineSpecError';
  }
}

const where = (step: string | undefined, path: PropertyKey[]) =>
  `${step ? `step "${step}"` : 'pipeline'}${path.length ? `, field ${path.map(String).join('.')}` : ''}`;

/** The outputs another step can read from `step`. */
export function outputNames(step: PipelineStep): string[] {
  if (step.kind === 'container') return Object.keys(step.outputs);
  if (step.kind === 'check') return ['report', 'state'];
  return Object.keys(step.pipeline.outputs);
}

/** `{ step, output }` for a reference to an upstream step, `{ input }` for a pipeline input, else undefined. */
export function sourceRef(source: InputSource): { step: string; output: string } | { input: string } | undefined {
  if (typeof source === 'string') {
    const [a, b] = source.split('.') as [string, string];
    return a === 'inputs' ? { input: b } : { step: a, output: b };
  }
  if ('step' in source) return source;
  return undefined;
}

/** Every input source of a step, by field path (for checking references). */
export function stepSources(step: PipelineStep): [string, InputSource][] {
  if (step.kind === 'check') {
    return [
      ...(['batch', 'reference', 'state'] as const).flatMap((k) =>
        step.check[k] ? [[`check.${k}`, step.check[k]!] as [string, InputSource]] : [],
      ),
      ...Object.entries(step.check.inputs).map(([k, v]) => [`check.inputs.${k}`, v] as [string, InputSource]),
    ];
  }
  return Object.entries(step.inputs).map(([k, v]) => [`inputs.${k}`, v]);
}

/** Steps that must finish before `step` starts: its input sources and its `when` condition. */
export function dependencies(step: PipelineStep): string[] {
  const deps = new Set<string>();
  for (const [, src] of stepSources(step)) {
    const ref = sourceRef(src);
    if (ref && 'step' in ref) deps.add(ref.step);
  }
  if (step.when) {
    const c = parseCondition(step.when);
    if (typeof c !== 'string' && c.ref.kind !== 'param') deps.add(c.ref.step);
  }
  return [...deps];
}

function parseStep(
  S: PipelineSchemas,
  raw: Record<string, unknown>,
  index: number,
  problems: string[],
  prefix: string,
): PipelineStep | undefined {
  const label = typeof raw.name === 'string' ? raw.name : `#${index + 1}`;
  const report = (issues: z.core.$ZodIssue[]) => {
    for (const i of issues) problems.push(`${prefix}${where(label, i.path)}: ${i.message}`);
  };
  if ('pipeline' in raw) {
    const head = S.NestedHeadSchema.safeParse(raw, { error: userErrors });
    if (!head.success) return void report(head.error.issues);
    const child = parsePipeline(S, head.data.pipeline, problems, `${prefix}step "${label}" > `);
    return child && { kind: 'pipeline', ...head.data, pipeline: child };
  }
  if ('check' in raw) {
    const r = S.CheckStepSchema.safeParse(raw, { error: userErrors });
    if (!r.success) return void report(r.error.issues);
    return { kind: 'check', ...r.data };
  }
  const r = S.ContainerStepSchema.safeParse(raw, { error: userErrors });
  if (!r.success) {
    report(r.error.issues);
    return looseStep(S, raw);
  }
  return { kind: 'container', ...r.data };
}

/**
 * The name, inputs and outputs of a container step that failed validation, read leniently, so
 * that its references are still checked and every problem is reported in one pass.
 */
function looseStep(S: PipelineSchemas, raw: Record<string, unknown>): PipelineStep | undefined {
  if (typeof raw.name !== 'string') return undefined;
  const inputs = Object.fromEntries(
    Object.entries((raw.inputs ?? {}) as Record<string, unknown>).filter(
      ([, v]) => S.InputSourceSchema.safeParse(v).success,
    ),
  ) as Record<string, InputSource>;
  const outputs = Array.isArray(raw.outputs)
    ? Object.fromEntries(raw.outputs.map((o) => [String(o), String(o)]))
    : ((raw.outputs ?? {}) as Record<string, string>);
  return { kind: 'container', name: raw.name, inputs, outputs, loose: true } as unknown as PipelineStep;
}

function findCycle(steps: Map<string, PipelineStep>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of dependencies(steps.get(name)!))
      if (steps.has(dep)) {
        const c = visit(dep);
        if (c) return c;
      }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of steps.keys()) {
    const c = visit(name);
    if (c) return c;
  }
  return undefined;
}

function parsePipeline(S: PipelineSchemas, raw: unknown, problems: string[], prefix: string): PipelineSpec | undefined {
  const head = S.PipelineHeadSchema.safeParse(raw, { error: userErrors });
  if (!head.success) {
    for (const i of head.error.issues) problems.push(`${prefix}${where(undefined, i.path)}: ${i.message}`);
    return undefined;
  }
  const before = problems.length;
  const steps = head.data.steps
    .map((s, i) => parseStep(S, s, i, problems, prefix))
    .filter((s): s is PipelineStep => s !== undefined);
  const byName = new Map<string, PipelineStep>();
  for (const s of steps) {
    if (byName.has(s.name)) problems.push(`${prefix}${where(s.name, ['name'])}: duplicate step name`);
    byName.set(s.name, s);
  }
  const vars = { params: head.data.params };
  for (const s of steps) {
    for (const [field, src] of stepSources(s)) {
      const ref = sourceRef(src);
      if (!ref) continue;
      if ('input' in ref) {
        if (!(ref.input in head.data.inputs))
          problems.push(
            `${prefix}${where(s.name, [field])}: unknown pipeline input "${ref.input}" (declared: ${Object.keys(head.data.inputs).join(', ') || 'none'})`,
          );
      } else if (!byName.has(ref.step)) {
        problems.push(
          `${prefix}${where(s.name, [field])}: unknown step "${ref.step}" (steps: ${[...byName.keys()].join(', ')})`,
        );
      } else if (!outputNames(byName.get(ref.step)!).includes(ref.output)) {
        problems.push(
          `${prefix}${where(s.name, [field])}: step "${ref.step}" has no output "${ref.output}" (it has: ${outputNames(byName.get(ref.step)!).join(', ') || 'none'})`,
        );
      }
    }
    if (s.when) {
      const c = parseCondition(s.when);
      if (typeof c === 'string') problems.push(`${prefix}${where(s.name, ['when'])}: ${c}`);
      else if (c.ref.kind === 'param' && !(c.ref.name in head.data.params))
        problems.push(`${prefix}${where(s.name, ['when'])}: unknown param "${c.ref.name}"`);
      else if (c.ref.kind !== 'param' && !byName.has(c.ref.step))
        problems.push(`${prefix}${where(s.name, ['when'])}: unknown step "${c.ref.step}"`);
      else if (c.ref.kind !== 'param' && byName.get(c.ref.step)!.map)
        problems.push(
          `${prefix}${where(s.name, ['when'])}: step "${c.ref.step}" is mapped; a condition cannot read one of its many results`,
        );
    }
    if ((s as { loose?: boolean }).loose) continue;
    const mapVar = s.map ? { [s.map.as]: null } : {};
    const bound = { ...vars, ...mapVar };
    const templated =
      s.kind === 'container'
        ? { params: s.params, args: s.args, env: s.env, command: s.command }
        : s.kind === 'pipeline'
          ? s.params
          : s.check.config;
    for (const ref of unresolvedRefs(templated, bound))
      if (!(ref.split('.')[0]! in mapVar))
        problems.push(
          `${prefix}${where(s.name, [])}: unknown reference \${${ref}} (params: ${Object.keys(head.data.params).join(', ') || 'none'})`,
        );
    const over = s.map ? mapOverSource(s.map.over) : undefined;
    if (over?.kind === 'param' && !Array.isArray(head.data.params[over.name]))
      problems.push(`${prefix}${where(s.name, ['map', 'over'])}: param "${over.name}" is not a list`);
    if (over?.kind === 'input' && !(over.name in head.data.inputs))
      problems.push(
        `${prefix}${where(s.name, ['map', 'over'])}: "${over.name}" is not one of the pipeline's inputs (${Object.keys(head.data.inputs).join(', ') || 'none'})`,
      );
  }
  for (const [name, ref] of Object.entries(head.data.outputs)) {
    const [step, output] = ref.split('.') as [string, string];
    const s = byName.get(step);
    if (!s || !outputNames(s).includes(output))
      problems.push(`${prefix}${where(undefined, ['outputs', name])}: no step output "${ref}"`);
  }
  if (head.data.promote) {
    const p = head.data.promote;
    const target = byName.get(p.step);
    if (!target || target.kind !== 'container' || !target.register)
      problems.push(`${prefix}pipeline, field promote.step: "${p.step}" is not a step with \`register\``);
    if (!byName.has(p.metric.split('.')[0]!))
      problems.push(`${prefix}pipeline, field promote.metric: unknown step "${p.metric.split('.')[0]}"`);
  }
  const cycle = findCycle(byName);
  if (cycle) problems.push(`${prefix}pipeline: the steps form a cycle: ${cycle.join(' -> ')}`);
  if (problems.length > before) return undefined;
  return { ...head.data, steps };
}

/** What a pipeline spec must hold at least, for messages. */
export const PIPELINE_NEEDS = 'a pipeline needs a `name` and a list of `steps`';

/** Validates a pipeline spec (parsed YAML or JSON); throws a PipelineSpecError listing every problem. */
export function validatePipeline(raw: unknown): PipelineSpec {
  const shape = notAMapping(raw, 'pipeline spec', PIPELINE_NEEDS);
  if (shape) throw new PipelineSpecError([shape]);
  const problems: string[] = [];
  const spec = parsePipeline(pipelineSchemas(), raw, problems, '');
  if (!spec || problems.length) throw new PipelineSpecError(problems.length ? problems : ['the spec is empty']);
  return spec;
}

export type { StepSpec };

/** Where a map's items come from: the spec's own list, a list param, or a pipeline input (a JSON-lines or CSV file). */
export function mapOverSource(
  over: unknown[] | string,
): { kind: 'list'; items: unknown[] } | { kind: 'param' | 'input'; name: string } {
  if (Array.isArray(over)) return { kind: 'list', items: over };
  const m = /^\$\{(params|inputs)\.([\w-]+)\}$/.exec(over)!;
  return { kind: m[1] === 'params' ? 'param' : 'input', name: m[2]! };
}
