/**
 * `npm run example:labeling`: active learning on shifted digits (the Scanflow use case). Runs
 * prepare.yaml (data, autoencoder, classifier before any round), then three labeling sessions
 * side by side with the same label budget: the autoencoder's choice spread out (session.yaml),
 * the autoencoder's top scores, and random sampling. A scripted labeler answers each batch
 * from the ground truth through signals. Prints accuracy before and after each round.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Command, InvalidArgumentError } from 'commander';
import { parse as parseCsv } from 'csv-parse/sync';
import { pino } from 'pino';
import { stringify as stringifyYaml } from 'yaml';
import { followPipeline } from '../../cli/follow-pipeline.js';
import { pipelineStatus } from '../../cli/pipeline-status.js';
import { openPoolScorer } from '../../activities/labeling/pool-scorer.js';
import type { ArtifactStore } from '../../lib/artifacts/artifact-store.js';
import type { ArtifactRef } from '../../common/artifact.js';
import { interpolate } from '../../common/interpolate.js';
import { Stack } from '../../scripts/stack/stack.js';
import { connectClient, workflowUiUrl } from '../../client/client.js';
import { resolveConfig } from '../../lib/config/resolve-config.js';
import { createTidemarkWorker } from '../../workers/create-worker.js';
import { readPipelineFile } from '../../client/prepare-pipeline.js';
import { readLabelingSessionFile, startLabelingSession } from '../../client/start-labeling-session.js';
import { startPipeline } from '../../client/start-pipeline.js';
import type { pipeline } from '../../workflows/pipeline/pipeline.js';
import { printResults, type SessionOutcome } from './results-table.js';
import { runScriptedLabeler, type Truth } from './scripted-labeler.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const log = pino({ base: undefined, timestamp: false });
Runtime.install({ logger: new DefaultLogger('WARN') });

interface Options {
  shift: string;
  rounds: number;
  batch: number;
  seed: number;
  percentile: number;
  fillSession?: boolean;
}

/** Where --fill-session writes session.yaml with its placeholders filled in (git-ignored). */
const FILLED = join(HERE, 'session.filled.yaml');

/** The three ways of picking a batch, all from session.yaml. */
type Spec = Record<string, unknown>;
const VARIANTS: { key: string; title: string; change: (spec: Spec, seed: number) => Spec }[] = [
  { key: 'ae', title: 'autoencoder, diversified', change: (s) => s },
  { key: 'ae-topk', title: 'autoencoder, top scores', change: (s) => ({ ...s, diversify: false }) },
  {
    key: 'random',
    title: 'random',
    change: ({ minScore: _minScore, ...s }, seed) => ({ ...s, scorer: { kind: 'random', seed }, diversify: false }),
  },
];

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a positive whole number');
  return n;
}

/** The reference rows' reconstruction errors, scored exactly as the session scores the pool; their `percentile`. */
async function referenceThreshold(
  store: ArtifactStore,
  reference: ArtifactRef,
  model: ArtifactRef,
  percentile: number,
): Promise<number> {
  const rows = parseCsv((await store.getBytes(reference)).toString('utf8'), { columns: true }) as Record<
    string,
    string
  >[];
  const columns = Object.keys(rows[0]!);
  const x = Float32Array.from(rows.flatMap((r) => columns.map((c) => Number(r[c]))));
  const scorer = await openPoolScorer({ kind: 'autoencoder', model }, () => store.getBytes(model), [columns.length], 0);
  const errors = [...(await scorer.score(x, rows.length))].sort((a, b) => a - b);
  return errors[Math.min(errors.length - 1, Math.floor((percentile / 100) * errors.length))]!;
}

async function main(opts: Options): Promise<void> {
  const started = Date.now();
  const base = resolveConfig();
  // A task queue of its own: this process's worker runs every task of the example.
  const config = { ...base, temporal: { ...base.temporal, taskQueue: `digits-labeling-${process.pid}-${Date.now()}` } };
  log.info('starting the stack (reusing whatever already runs) …');
  await Stack.ensure({ config, log: (l) => log.info(l) });
  const { worker, plugin, connection } = await createTidemarkWorker({ config });
  const client = await connectClient(config);
  const store = plugin.deps.store;
  const stamp = Date.now();
  try {
    await worker.runUntil(async () => {
      // 1. Data, autoencoder, and the classifier before round 1.
      const prepareFile = join(HERE, 'prepare.yaml');
      const prep = await startPipeline(client, readPipelineFile(prepareFile), {
        baseDir: HERE,
        store,
        taskQueue: config.temporal.taskQueue,
        workflowId: `digits-labeling-prepare-${stamp}`,
        params: { seed: opts.seed, shift: opts.shift },
        // The reference autoencoder's trainer is the project's own (plugins/drift-autoencoder/trainer).
        allowPathsOutside: true,
      });
      log.info(`prepare: workflow ${prep.workflowId}`);
      await followPipeline(() => pipelineStatus(client, prep.workflowId));
      const prepared = await prep.result();
      const out = prepared.outputs as Record<string, ArtifactRef>;
      const before = prepared.steps.find((s) => s.step === 'evaluate')!.metrics!;
      const threshold = await referenceThreshold(store, out.reference!, out.autoencoder!, opts.percentile);
      log.info(
        `prepare: accuracy before any labeling ${before.accuracy!.toFixed(3)} (shifted samples ${before.accuracy_shifted!.toFixed(3)}); autoencoder threshold (reference p${opts.percentile}) ${threshold.toFixed(2)}`,
      );

      const truth: Truth = new Map();
      for (const r of parseCsv((await store.getBytes(out.truth!)).toString('utf8'), { columns: true }) as Record<
        string,
        string
      >[])
        truth.set(r.id!, { label: r.label!, kind: r.kind! });

      const template = interpolate(readLabelingSessionFile(join(HERE, 'session.yaml')) as Spec, {
        prepare: out,
        threshold,
      });
      if (opts.fillSession) {
        writeFileSync(
          FILLED,
          `# session.yaml, filled in by \`npm run example:labeling -- --fill-session\`\n${stringifyYaml(template)}`,
        );
        log.info(
          `wrote ${relative(process.cwd(), FILLED)}: label it yourself with \`npm run worker\` running and\n` +
            `  npm run tidemark -- label start ${relative(process.cwd(), FILLED)}\n` +
            `then open the session in the console (${config.console.url}/labeling).`,
        );
        return;
      }

      // 2. The sessions, side by side, each with its scripted labeler.
      const sessions = await Promise.all(
        VARIANTS.map(async (v) => {
          const name = `digits-labeling-${v.key}`;
          const spec = v.change(
            { ...template, name, batchSize: opts.batch, stop: { rounds: opts.rounds }, register: { name } },
            opts.seed,
          );
          const handle = await startLabelingSession(client, spec, {
            baseDir: HERE,
            store,
            taskQueue: config.temporal.taskQueue,
            workflowId: `${name}-${stamp}`,
            consoleUrl: config.console.url,
          });
          log.info(`session ${v.key}: ${workflowUiUrl(config, handle.workflowId)}`);
          return { v, handle };
        }),
      );
      const outcomes: SessionOutcome[] = await Promise.all(
        sessions.map(async ({ v, handle }) => {
          const { result, asked } = await runScriptedLabeler(handle, truth, {
            labeler: 'scripted-ground-truth',
            onAsked: (a) =>
              log.info(
                `session ${v.key} round ${a.round}: asked ${a.ids.length} (${Object.entries(a.kinds)
                  .map(([k, n]) => `${n} ${k}`)
                  .join(', ')}), answered from the ground truth`,
              ),
          });
          const rounds = await Promise.all(
            result.rounds.map(async (r) => {
              const child = await client.workflow.getHandle<typeof pipeline>(r.pipelineWorkflowId!).result();
              return {
                ...r,
                metrics: child.steps.find((s) => s.step === 'evaluate')?.metrics ?? {},
                picked: asked.find((a) => a.round === r.round),
              };
            }),
          );
          log.info(
            `session ${v.key}: done (${result.reason}); ${result.championVersion ? `champion now v${result.championVersion}` : 'no round beat the registered champion'}`,
          );
          return { key: v.key, title: v.title, rounds };
        }),
      );
      printResults({ before, outcomes, shift: opts.shift, batch: opts.batch, threshold, percentile: opts.percentile });
    });
  } finally {
    await client.connection.close();
    await connection.close();
  }
  log.info(
    `done in ${((Date.now() - started) / 1000).toFixed(0)} s; the stack stays up (MLflow experiments digits-labeling-*)`,
  );
}

const program = new Command('example:labeling')
  .description('active learning on shifted digits: autoencoder selection against random sampling, same label budget')
  .option('--shift <kind>', 'what the pool holds besides upright 0-8: rotated | unseen-9 | both', 'rotated')
  .option('--rounds <n>', 'rounds per session', positiveInt, 3)
  .option('--batch <n>', 'labels asked per round', positiveInt, 20)
  .option('--seed <n>', 'data split, autoencoder and random baseline seed', (v) => Number.parseInt(v, 10), 0)
  .option('--percentile <p>', 'reference error percentile used as minScore', (v) => Number(v), 95)
  .option(
    '--fill-session',
    'only prepare, and write session.filled.yaml (session.yaml with its placeholders filled) to label yourself',
  )
  .action(async (o: Options) => {
    if (!['rotated', 'unseen-9', 'both'].includes(o.shift))
      throw new InvalidArgumentError(`--shift must be rotated, unseen-9 or both, not ${o.shift}`);
    await main(o);
  });

// Exit once done: a lingering handle (a cached ONNX Runtime session, a closed worker's
// connection) once kept the process alive for minutes after the table was printed.
program.parseAsync().then(
  () => process.exit(0),
  (err: unknown) => {
    log.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
