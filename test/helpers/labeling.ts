import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { ArtifactStore } from '../../lib/artifacts/artifact-store.js';
import { pendingQuery, type PendingBatch } from '../../common/labeling-messages.js';
import type { labelingSession } from '../../workflows/labeling/labeling-session.js';
import type { ArtifactRef } from '../../common/artifact.js';
import type { LabelingSessionSpecInput } from '../../common/labeling.js';
import { gaussian } from '../builders/data-tools.js';
import { buildLinearClassifier } from '../builders/onnx-builder.js';

/**
 * A small two-class tabular problem for labeling tests: four features, class "a" around 0 and
 * class "b" around 2.5, so a few labels already separate them and the samples in between are
 * the informative ones. Ids are "s000"….
 */
export const FEATURES = ['f0', 'f1', 'f2', 'f3'];
const CENTRES: Record<string, number> = { a: 0, b: 2.5 };

function rows(n: number, seed: number): { values: number[]; label: string }[] {
  const g = gaussian(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = i % 2 === 0 ? 'a' : 'b';
    return { values: FEATURES.map(() => Number((CENTRES[label]! + g()).toFixed(4))), label };
  });
}

export interface LabelingData {
  pool: ArtifactRef;
  labeled: ArtifactRef;
  test: ArtifactRef;
  classifier: ArtifactRef;
  /** The pool's ground truth by id. */
  truth: Record<string, string>;
  poolIds: string[];
  labeledRows: number;
  /** The pool ids the initial classifier is least sure about (smallest margin), most uncertain first. */
  leastCertain: string[];
}

export async function labelingData(
  store: ArtifactStore,
  opts: { poolRows?: number; seed?: number } = {},
): Promise<LabelingData> {
  const dir = tempDir('labeling-data');
  const seed = opts.seed ?? 1;
  const pool = rows(opts.poolRows ?? 60, seed);
  const labeled = rows(8, seed + 1);
  const test = rows(200, seed + 2);
  const truth: Record<string, string> = {};
  const poolIds = pool.map((_, i) => `s${String(i).padStart(3, '0')}`);
  pool.forEach((r, i) => (truth[poolIds[i]!] = r.label));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return store.put(join(dir, name), name);
  };
  // A nearest-centroid classifier from the labeled rows: weights = class means, bias = −|mean|²/2.
  const means = ['a', 'b'].map((c) =>
    FEATURES.map((_, f) => {
      const xs = labeled.filter((r) => r.label === c).map((r) => r.values[f]!);
      return xs.reduce((s, v) => s + v, 0) / xs.length;
    }),
  );
  return {
    pool: await write(
      'pool.csv',
      `id,${FEATURES.join(',')}\n${pool.map((r, i) => `${poolIds[i]},${r.values.join(',')}`).join('\n')}\n`,
    ),
    labeled: await write(
      'labeled.csv',
      `${FEATURES.join(',')},label\n${labeled.map((r) => `${r.values.join(',')},${r.label}`).join('\n')}\n`,
    ),
    test: await write(
      'test.csv',
      `${FEATURES.join(',')},label\n${test.map((r) => `${r.values.join(',')},${r.label}`).join('\n')}\n`,
    ),
    classifier: await (async () => {
      const bytes = buildLinearClassifier({
        weights: means,
        bias: means.map((m) => -0.5 * m.reduce((s, v) => s + v * v, 0)),
      });
      return store.putBytes(bytes, 'classifier.onnx');
    })(),
    truth,
    poolIds,
    labeledRows: labeled.length,
    leastCertain: pool
      .map((r, i) => {
        const logits = means.map(
          (m) => r.values.reduce((s, v, f) => s + v * m[f]!, 0) - 0.5 * m.reduce((s, v) => s + v * v, 0),
        );
        const pa = 1 / (1 + Math.exp(logits[1]! - logits[0]!));
        return { id: poolIds[i]!, margin: Math.abs(2 * pa - 1) };
      })
      .sort((x, y) => x.margin - y.margin)
      .map((x) => x.id),
  };
}

/** Logistic regression on the labeled set. */
export const RETRAIN_PY = `
import pandas as pd, pickle
from sklearn.linear_model import LogisticRegression
d = pd.read_csv('/inputs/labeled')
m = LogisticRegression().fit(d.drop(columns=['label']), d['label'])
pickle.dump(m, open('/outputs/model.pkl', 'wb'))
print('trained on', len(d), 'rows')
`;

/** Accuracy on the test set. */
export const EVALUATE_PY = `
import pandas as pd, pickle, json
m = pickle.load(open('/inputs/model', 'rb'))
t = pd.read_csv('/inputs/test')
acc = float((m.predict(t.drop(columns=['label'])) == t['label']).mean())
json.dump({'accuracy': acc}, open('/outputs/metrics.json', 'w'))
print('accuracy', acc)
`;
import { tempDir } from './temp.js';

export function sessionSpec(
  data: LabelingData,
  name: string,
  over: Partial<LabelingSessionSpecInput> = {},
): LabelingSessionSpecInput {
  return {
    name,
    pool: data.pool,
    labeled: data.labeled,
    scorer: { kind: 'classifier', model: data.classifier, strategy: 'margin' },
    batchSize: 4,
    labelSet: ['a', 'b'],
    data: { labelColumn: 'label', idColumn: 'id' },
    retrain: {
      image: 'tidemark/python-ml:latest',
      command: ['python3', '-c', RETRAIN_PY],
      outputs: { model: 'model.pkl' },
      resources: { cpus: 1, memoryMiB: 1024 },
    },
    evaluate: {
      image: 'tidemark/python-ml:latest',
      command: ['python3', '-c', EVALUATE_PY],
      inputs: { test: { artifact: data.test } },
      resources: { cpus: 1, memoryMiB: 1024 },
    },
    stop: { rounds: 1 },
    deadline: '1h',
    ...over,
  };
}

/** Polls `probe` until `done` holds (or fails after `ms`). */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  ms = 120_000,
  what = 'the condition',
): Promise<T> {
  const until = Date.now() + ms;
  let last: T | undefined;
  let lastErr: unknown;
  while (Date.now() < until) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (err) {
      lastErr = err;
    }
    await sleep(150);
  }
  throw new Error(
    `timed out waiting for ${what}; last value ${JSON.stringify(last)}${lastErr ? `, last error ${(lastErr as Error).message}` : ''}`,
  );
}

/** Waits until a session waits for labels (in `round`, when given) and returns its pending batch. */
export function waitingBatch(h: WorkflowHandle<typeof labelingSession>, round?: number): Promise<PendingBatch> {
  return eventually(
    () => h.query(pendingQuery),
    (p) => p.phase === 'waiting' && (round === undefined || p.round === round),
    120_000,
    `the session to wait for labels${round === undefined ? '' : ` in round ${round}`}`,
  );
}
