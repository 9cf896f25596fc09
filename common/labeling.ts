import { z } from 'zod';
import { ArtifactRefSchema, type ArtifactRef } from './artifact.js';
import { DurationSchema } from './duration.js';
import { LabelSchema } from './labeling-messages.js';
import { issueLine, notAMapping, oneKindOf, userErrors } from './zod-messages.js';
import { NAME, refineStep, stepSchemas } from './step-spec.js';

/**
 * A labeling session (active learning): each round scores an unlabeled pool, asks people for
 * labels of the most informative samples, merges them into the labeled set, retrains and
 * evaluates. Shared by the workflow, its activities, the client and the CLI.
 */

/**
 * The session schemas, built per validation: Temporal loads workflow code afresh for every
 * workflow it runs or replays, and a session waiting for days should not hold zod schemas.
 */
function labelingSchemas() {
  const { StepFields } = stepSchemas();

  /** How the pool is scored: higher is more informative. */
  const ScorerSchema = oneKindOf('kind', 'scorer is { kind: classifier | autoencoder | random, … }', [
    z
      .object({
        kind: z.literal('classifier'),
        /** An ONNX model whose output is class probabilities (or logits: rows that are not distributions get a softmax). */
        model: ArtifactRefSchema,
        /** least confidence (1 − max p), smallest margin between the two likeliest classes, or entropy. */
        strategy: z.enum(['uncertainty', 'margin', 'entropy']).default('entropy'),
        inputName: z.string().optional(),
        outputName: z.string().optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('autoencoder'),
        /** An ONNX autoencoder: a sample's score is its mean squared reconstruction error (the Scanflow way). */
        model: ArtifactRefSchema,
        inputName: z.string().optional(),
        outputName: z.string().optional(),
      })
      .strict(),
    z
      .object({
        /** Random sampling: the baseline active learning has to beat. */
        kind: z.literal('random'),
        seed: z.number().int().default(0),
      })
      .strict(),
  ]);

  const DataOptionsSchema = z
    .object({
      /** The label column of the labeled set (CSV). */
      labelColumn: z.string().min(1).default('label'),
      /** A pool column holding sample ids; without it a sample's id is its row number in the pool. */
      idColumn: z.string().min(1).optional(),
      /** Numeric columns fed to the scorer (default: every numeric column but the id). */
      features: z.array(z.string().min(1)).min(1).optional(),
      /** Rows are images of this shape ([height, width] or [channels, height, width]): previews are PNG thumbnails. `.npy` pools with 2-D or 3-D samples are images without it. */
      imageShape: z.array(z.number().int().positive()).min(2).max(3).optional(),
    })
    .strict();

  /**
   * What the deadline does to a batch that is not fully labeled:
   * - `proceed`: retrain with the labels that arrived (the others go back to the pool);
   * - `extend`: wait one more deadline, up to `extensions` times, then proceed;
   * - `stop`: keep the labels that arrived (merged and stored) and end the session.
   */
  const PartialPolicySchema = z.enum(['proceed', 'extend', 'stop']);

  /** A container step of the round's pipeline; the session names it (`retrain`, `evaluate`). */
  const { name: _name, ...unnamedStep } = StepFields;
  const RoundStepSchema = z.object(unnamedStep).strict().superRefine(refineStep);

  const LabelingSessionSpecSchema = z
    .object({
      /** Names the session's MLflow experiment and its registered model. */
      name: z.string().regex(NAME, 'name must start with a letter and hold only letters, digits, _ and -'),
      /** Unlabeled samples: CSV, or .npy (N-D for images). */
      pool: ArtifactRefSchema,
      /** The labeled set: a CSV with the pool's feature columns and the label column (f0, f1, … for a .npy pool). */
      labeled: ArtifactRefSchema,
      scorer: ScorerSchema,
      /** Samples asked for per round. */
      batchSize: z.number().int().positive().max(1000),
      /** Spread the batch out: never ask for near-duplicates of a sample already in it. */
      diversify: z.boolean().default(false),
      /** Only samples scoring above this are candidates, in the scorer's own units (mean squared error for an autoencoder). */
      minScore: z.number().optional(),
      /**
       * Only samples scoring above this quantile of a reference set's scores are candidates (Scanflow's
       * threshold): the reference (CSV or .npy with the pool's features, e.g. the training data) is scored
       * with the same scorer each round, so the threshold is always in the scorer's units.
       */
      threshold: z
        .object({ reference: ArtifactRefSchema, quantile: z.number().gt(0).lt(1).default(0.99) })
        .strict()
        .optional(),
      /** The allowed labels. */
      labelSet: z.array(LabelSchema()).min(2, 'a label set needs at least two labels'),
      data: DataOptionsSchema.default({ labelColumn: 'label' }),
      /**
       * The retrain step: gets `/inputs/labeled` (the merged labeled set) and writes `model`; when it
       * also writes `scorer` (ONNX), the next round scores with it. Its other inputs are yours.
       */
      retrain: RoundStepSchema,
      /** The evaluate step: gets `/inputs/model` and writes the metric to `/outputs/metrics.json`. */
      evaluate: RoundStepSchema,
      /** The metric that decides promotion and the target stop. */
      metric: z
        .object({
          name: z.string().min(1).default('accuracy'),
          greaterIsBetter: z.boolean().default(true),
        })
        .strict()
        .default({ name: 'accuracy', greaterIsBetter: true }),
      /** Register each retrained model under this name and promote it to `alias` when it beats the champion. */
      register: z
        .object({ name: z.string().min(1), alias: z.string().min(1).default('champion') })
        .strict()
        .optional(),
      stop: z
        .object({
          rounds: z.number().int().positive().optional(),
          /** Stop once the metric reaches this. */
          target: z.number().optional(),
        })
        .strict()
        .default({}),
      /** How long a round waits for labels. */
      deadline: DurationSchema.default(7 * 86_400_000),
      /** A reminder (log line and search attribute) this often while labels are missing. */
      remindEvery: DurationSchema.optional(),
      partial: PartialPolicySchema.default('proceed'),
      /** Deadline extensions under the `extend` policy. */
      extensions: z.number().int().nonnegative().default(1),
      /** Log rounds to MLflow. */
      tracking: z.boolean().default(true),
    })
    .strict();

  return { ScorerSchema, DataOptionsSchema, PartialPolicySchema, LabelingSessionSpecSchema };
}
type LabelingSchemas = ReturnType<typeof labelingSchemas>;
export type Scorer = z.output<LabelingSchemas['ScorerSchema']>;
export type DataOptions = z.output<LabelingSchemas['DataOptionsSchema']>;
export type PartialPolicy = z.output<LabelingSchemas['PartialPolicySchema']>;

export type LabelingSessionSpecInput = z.input<LabelingSchemas['LabelingSessionSpecSchema']>;
export type LabelingSessionSpec = z.output<LabelingSchemas['LabelingSessionSpecSchema']>;

/** Thrown when a labeling session spec is invalid; `problems` names every problem with its field. */
export class LabelingSpecError extends TypeError {
  constructor(readonly problems: string[]) {
    super(`Invalid labeling session:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'LabelingSpecError';
  }
}

/** What a session spec must hold at least, for messages. */
export const SESSION_NEEDS =
  'a session needs `name`, `pool`, `labeled`, `scorer`, `batchSize`, `labelSet`, `retrain` and `evaluate`';

/** Validates a session spec, naming every problem with its field. */
export function validateLabelingSpec(raw: unknown): LabelingSessionSpec {
  const shape = notAMapping(raw, 'labeling session spec', SESSION_NEEDS);
  if (shape) throw new LabelingSpecError([shape]);
  const parsed = labelingSchemas().LabelingSessionSpecSchema.safeParse(raw, { error: userErrors });
  if (!parsed.success) throw new LabelingSpecError(parsed.error.issues.map((i) => issueLine(i, '(session)')));
  const spec = parsed.data;
  const problems: string[] = [];
  if (new Set(spec.labelSet).size !== spec.labelSet.length) problems.push('labelSet: labels must be distinct');
  if (!('model' in spec.retrain.outputs))
    problems.push('retrain.outputs: the retrain step must write an output named "model"');
  if ('labeled' in spec.retrain.inputs)
    problems.push(
      'retrain.inputs.labeled: "labeled" is given by the session (the merged labeled set); name your input otherwise',
    );
  if ('model' in spec.evaluate.inputs)
    problems.push(
      'evaluate.inputs.model: "model" is given by the session (the retrained model); name your input otherwise',
    );
  if (spec.data.idColumn && spec.data.idColumn === spec.data.labelColumn)
    problems.push('data.idColumn: the id column cannot be the label column');
  if (spec.minScore !== undefined && spec.threshold)
    problems.push('threshold: give either minScore or threshold, not both');
  if (spec.scorer.kind === 'random') {
    if (spec.diversify)
      problems.push(
        'diversify: with the random scorer, farthest-first picking seeks outliers, so it is no longer a random baseline; drop diversify',
      );
    if (spec.threshold || spec.minScore !== undefined)
      problems.push('scorer: random scores are not informativeness; a threshold or minScore means nothing with them');
  }
  if (problems.length) throw new LabelingSpecError(problems);
  return spec;
}

/** One sample waiting for a label, as the `pending` query shows it. */
export interface PendingSample {
  id: string;
  score: number;
  /** A presigned URL of the sample's PNG thumbnail (image data). */
  preview?: string;
  /** The sample's values (tabular data with at most 64 columns). */
  row?: Record<string, number | string | null>;
}

export interface SelectBatchInput {
  round: number;
  pool: ArtifactRef;
  labeled: ArtifactRef;
  /** Every label given in earlier rounds (a CSV ledger): those samples are not asked again. */
  ledger?: ArtifactRef;
  scorer: Scorer;
  batchSize: number;
  diversify: boolean;
  minScore?: number;
  threshold?: { reference: ArtifactRef; quantile: number };
  data: DataOptions;
  /** How long preview URLs stay valid. */
  previewSeconds: number;
}

export interface SelectBatchResult {
  /** The batch as stored in MinIO: ids, scores, rows, thumbnails. */
  batch: ArtifactRef;
  samples: PendingSample[];
  /** Samples not labeled yet (and above minScore). */
  candidates: number;
  poolRows: number;
  /** True when this round's batch is image data (previews are thumbnails). */
  images: boolean;
  /** The score a sample had to beat this round (minScore, or the reference quantile), if any. */
  minScore?: number;
}

/** One accepted label in workflow state. */
export interface GivenLabel {
  label: string;
  labeler?: string;
  at: number;
}

export interface MergeLabelsInput {
  round: number;
  labeled: ArtifactRef;
  ledger?: ArtifactRef;
  batch: ArtifactRef;
  labels: Record<string, GivenLabel>;
  data: DataOptions;
}

export interface MergeLabelsResult {
  /** The new version of the labeled set. */
  labeled: ArtifactRef;
  /** Every label of the session so far (id,label,labeler,round,at). */
  ledger: ArtifactRef;
  /** This round's labels alone (the same columns). */
  roundLabels: ArtifactRef;
  added: number;
  labeledRows: number;
}

export interface TrackRoundInput {
  name: string;
  /** The session's MLflow run, once made (carried across rounds). */
  runId?: string;
  round: number;
  metrics: Record<string, number>;
  roundLabels?: ArtifactRef;
  tags?: Record<string, string>;
}

export interface RoundSummary {
  round: number;
  asked: number;
  labeled: number;
  /** Labeled-set rows after the merge. */
  labeledRows: number;
  metric?: number;
  modelVersion?: string;
  promoted?: boolean;
  /** How the round closed. */
  closed: 'complete' | 'deadline' | 'empty';
  pipelineWorkflowId?: string;
}

/** Where a session is; the last three are final (a cancelled or failed session sets its LabelingStatus too). */
export type SessionPhase = 'selecting' | 'waiting' | 'retraining' | 'completed' | 'stopped' | 'cancelled' | 'failed';

export interface LabelingSessionResult {
  name: string;
  rounds: RoundSummary[];
  reason: 'rounds' | 'target' | 'pool-exhausted' | 'deadline-stop';
  labeled: ArtifactRef;
  ledger?: ArtifactRef;
  championVersion?: string;
}

/** The raw (as written) retrain and evaluate steps and what the round's pipeline needs of the session. */
export interface RoundPipelineSource {
  name: string;
  retrain: Record<string, unknown>;
  evaluate: Record<string, unknown>;
  metric: { name: string; greaterIsBetter: boolean };
  register?: { name: string; alias: string };
  tracking: boolean;
}

/**
 * The pipeline a round runs: `retrain` on the merged labeled set, then `evaluate` on its model;
 * the model is registered and promoted when it beats the champion. Built from the steps as the
 * user wrote them (durations and all), so the pipeline validates them exactly as it would its own.
 */
export function roundPipelineSpec(src: RoundPipelineSource, labeled: ArtifactRef): Record<string, unknown> {
  const inputsOf = (step: Record<string, unknown>) =>
    step.inputs && typeof step.inputs === 'object' ? (step.inputs as Record<string, unknown>) : {};
  return {
    name: src.name,
    description: `labeling session ${src.name}: retrain on the merged labeled set, then evaluate`,
    inputs: { labeled: { artifact: labeled } },
    tracking: { enabled: src.tracking },
    ...(src.register
      ? {
          promote: {
            step: 'retrain',
            metric: `evaluate.metrics.${src.metric.name}`,
            alias: src.register.alias,
            greaterIsBetter: src.metric.greaterIsBetter,
          },
        }
      : {}),
    steps: [
      {
        ...src.retrain,
        name: 'retrain',
        inputs: { ...inputsOf(src.retrain), labeled: 'inputs.labeled' },
        ...(src.register ? { register: { model: 'model', name: src.register.name } } : {}),
      },
      { ...src.evaluate, name: 'evaluate', inputs: { ...inputsOf(src.evaluate), model: 'retrain.model' } },
    ],
  };
}
