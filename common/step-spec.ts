import { z } from 'zod';
import { ArtifactRefSchema } from './artifact.js';
import { DurationSchema } from './duration.js';
import { describeValue, oneOf } from './zod-messages.js';

/** Docker image reference: [registry[:port]/]path[:tag][@sha256:digest]. */
const IMAGE_REF =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** What an input may be, for messages. */
export const INPUT_SOURCES =
  'an input is "<step>.<output>", "inputs.<name>", { step, output }, { path: ./local/file }, { artifact: <ref> } or { artifacts: [<ref>, …] }';

export const NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,62}$/;

/** A record whose keys are names; a bad key is reported with its name (zod alone says only "Invalid key"). */
function namedRecord<V extends z.ZodType>(what: string, value: V) {
  return z.record(z.string(), value).superRefine((rec, ctx) => {
    for (const key of Object.keys(rec))
      if (!NAME.test(key))
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `"${key}" is not a valid ${what}: use letters, digits, _ and -, starting with a letter`,
        });
  });
}
const nameField = (what: string) =>
  z.string().regex(NAME, `${what} must start with a letter and hold only letters, digits, _ and - (at most 63)`);

/** Checks that span fields of a container step. */
export function refineStep(
  s: { image?: string; build?: unknown; register?: { model: string }; outputs: Record<string, string> },
  ctx: z.RefinementCtx,
): void {
  if (!s.image === !s.build)
    ctx.addIssue({ code: 'custom', path: ['image'], message: 'give exactly one of `image` or `build`' });
  if (s.register && !(s.register.model in s.outputs))
    ctx.addIssue({
      code: 'custom',
      path: ['register', 'model'],
      message: `"${s.register.model}" is not one of this step's outputs`,
    });
  for (const [name, path] of Object.entries(s.outputs)) {
    if (name === 'metrics.json' || path === 'metrics.json')
      ctx.addIssue({ code: 'custom', path: ['outputs', name], message: 'metrics.json is reserved for step metrics' });
  }
}

/**
 * The step schemas, built on each call rather than at module load: Temporal loads workflow code
 * afresh for every workflow it runs or replays, and zod schemas are costly objects, so a workflow
 * that does not validate a step (a labeling session waiting for days) does not pay for them.
 */
export function stepSchemas() {
  const ImageRefSchema = z
    .string()
    .regex(IMAGE_REF, 'not a valid image reference (expected e.g. tidemark/python-ml:latest)');

  /** A path under /outputs: relative, no `..`, not empty. */
  const OutputPathSchema = z
    .string()
    .min(1)
    .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\\'), {
      message: 'output paths are relative to /outputs and may not contain ".." or start with "/"',
    });

  /**
   * Where an input comes from:
   * - `"step.output"`, or `{ step, output }`: an upstream step's output;
   * - `"inputs.name"`: an input of the enclosing pipeline;
   * - `{ artifact: ArtifactRef }`: an artifact already in the store;
   * - `{ path: "./file" }`: a local file or folder, uploaded by the CLI or client before the start.
   */
  const InputSourceSchema = oneOf(INPUT_SOURCES, [
    z.string().regex(/^[a-zA-Z][\w-]*\.[a-zA-Z][\w-]*$/, {
      error: (iss) => `an input string is "<step>.<output>" or "inputs.<name>"; got ${describeValue(iss.input)}`,
    }),
    z.object({ step: z.string(), output: z.string() }).strict(),
    z.object({ artifact: ArtifactRefSchema }).strict(),
    z.object({ artifacts: z.array(ArtifactRefSchema) }).strict(),
    z.object({ path: z.string().min(1) }).strict(),
  ]);

  const ResourcesSchema = z
    .object({
      cpus: z.number().positive('cpus must be positive').optional(),
      memoryMiB: z.number().int().positive('memoryMiB must be a positive whole number').optional(),
      gpus: z.number().int().nonnegative('gpus may not be negative').optional(),
    })
    .strict();

  const BuildSchema = z
    .object({
      /** A folder (relative to the pipeline file, or absolute on the worker), or a stored `dir` artifact. */
      context: oneOf('build.context is a folder (relative to the pipeline file) or a stored `dir` artifact ref', [
        z.string().min(1),
        ArtifactRefSchema,
      ]),
      dockerfile: z.string().optional(),
      args: z.record(z.string(), z.string()).optional(),
      /** Network for RUN instructions; `host` lets a build reach package registries. */
      network: z.enum(['none', 'host']).optional(),
    })
    .strict();

  /** The fields of one container step. */
  const StepFields = {
    name: nameField('a step name'),
    image: ImageRefSchema.optional(),
    build: BuildSchema.optional(),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    env: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are letters, digits and _'),
        z.string(),
      )
      .default({}),
    /** Container variable -> name of a worker environment variable holding a secret. Values never enter history. */
    secretEnv: z.record(z.string(), z.string()).default({}),
    params: z.record(z.string(), z.unknown()).default({}),
    inputs: namedRecord('input name', InputSourceSchema).default({}),
    /** Output name -> path under /outputs (an array of names means path = name). */
    outputs: z
      .preprocess(
        (v) => (Array.isArray(v) ? Object.fromEntries(v.map((n) => [n, n])) : v),
        namedRecord('output name', OutputPathSchema),
      )
      .default({}),
    resources: ResourcesSchema.default({}),
    timeout: DurationSchema.default(3_600_000),
    /** How many times a failing container is run again (a worker crash is always recovered, whatever this says). */
    retries: z.number().int().nonnegative().max(20).default(0),
    cache: z
      .object({ enabled: z.boolean().default(true), version: z.string().default('1') })
      .strict()
      .prefault({}),
    network: z.enum(['none', 'host']).default('none'),
    /**
     * Run as the image's own user (root, for most images) on a writable root file system, instead
     * of as an unprivileged user with a read-only one: for images that install or write outside
     * /outputs and /tmp at run time. Capabilities stay dropped.
     */
    runAsRoot: z.boolean().default(false),
    /** Register an output as a new MLflow model version. */
    register: z
      .object({ model: z.string(), name: z.string().min(1) })
      .strict()
      .optional(),
  };

  const StepSpecSchema = z.object(StepFields).strict().superRefine(refineStep);
  return {
    ImageRefSchema,
    OutputPathSchema,
    InputSourceSchema,
    ResourcesSchema,
    BuildSchema,
    StepFields,
    StepSpecSchema,
  };
}

type StepSchemas = ReturnType<typeof stepSchemas>;
export type InputSource = z.output<StepSchemas['InputSourceSchema']>;

export type StepSpecInput = z.input<StepSchemas['StepSpecSchema']>;
export type StepSpec = z.output<StepSchemas['StepSpecSchema']>;
