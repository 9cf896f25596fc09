import { strict as assert } from 'node:assert';
import { BASELINE, evaluate, type Cell, type Evaluation } from '../../bench/evaluation/evaluate.js';
import type { ShiftKind } from '../../bench/evaluation/splits.js';
import { tempFolder } from '../helpers/temp.js';

/**
 * The built-in checkers on four scikit-learn data sets (exported in the python-ml image, one
 * autoencoder per data set trained by the reference trainer image, both cached by content in the
 * tools cache), beside per-feature KS + Bonferroni computed by scipy on the same splits. The
 * tables of docs/checkers.md come from the same code (bench/evaluation/main.ts) with more splits.
 */
describe('the built-in checkers on i.i.d. splits and five kinds of shift of four scikit-learn data sets', function () {
  this.timeout(600_000);
  const tmp = tempFolder('evaluation');
  const CHECKERS = ['drift-autoencoder', 'feature-drift', 'integrity', 'mmd-drift'];
  const DATASETS = ['digits', 'breast_cancer', 'wine', 'diabetes'];
  let e: Evaluation;
  const cell = (dataset: string, checker: string, shift: ShiftKind, size: 'small' | 'large' = 'large'): Cell => {
    const c = e.cells.find(
      (x) => x.dataset === dataset && x.checker === checker && x.shift === shift && x.size === size,
    );
    assert.ok(c, `no cell ${dataset} ${checker} ${shift} ${size}`);
    return c;
  };
  const describeCell = (c: Cell) =>
    `${c.checker} on ${c.dataset} (${c.shift}, ${c.batchRows} rows): ${c.alarms}/${c.runs}`;

  before(async function () {
    this.timeout(900_000);
    const t0 = Date.now();
    e = await evaluate({ alpha: 0.01, nullSplits: 50, detectionSplits: 10, detectionSizes: ['large'] }, tmp.dir());
    console.log(`      evaluation: ${((Date.now() - t0) / 1000).toFixed(0)} s ${JSON.stringify(e.timings)}`);
  });

  it('keeps every checker at alpha = 0.01 plus sampling slack on every data set and batch size: at most 3 false alarms in 50 i.i.d. splits', () => {
    // Binomial(50, 0.01) reaches 4 with probability 0.0016.
    for (const dataset of DATASETS)
      for (const size of ['small', 'large'] as const)
        for (const checker of CHECKERS) {
          const c = cell(dataset, checker, 'none', size);
          assert.equal(c.runs, 50);
          assert.ok(c.alarms <= 3, describeCell(c));
        }
  });

  it('keeps each checker within the binomial bound at alpha over all 400 i.i.d. splits (at most 9 false alarms)', () => {
    // Binomial(400, 0.01) exceeds 9 with probability 0.008.
    for (const checker of [...CHECKERS, BASELINE]) {
      const nulls = e.cells.filter((c) => c.checker === checker && c.shift === 'none');
      const alarms = nulls.reduce((a, c) => a + c.alarms, 0);
      assert.equal(
        nulls.reduce((a, c) => a + c.runs, 0),
        400,
      );
      assert.ok(alarms <= 9, `${checker}: ${alarms}/400 false alarms`);
    }
  });

  /** [shift, checker, data sets, minimum detection rate in large batches] */
  const BOUNDS: [ShiftKind, string, string[], number][] = [
    ['scaling', 'drift-autoencoder', DATASETS, 0.8],
    ['scaling', 'feature-drift', ['digits', 'breast_cancer', 'wine'], 0.8],
    ['scaling', 'integrity', ['digits', 'wine', 'diabetes'], 0.8],
    ['scaling', 'mmd-drift', ['digits', 'breast_cancer', 'wine'], 0.8],
    ['balance', 'feature-drift', DATASETS, 0.9],
    ['balance', 'mmd-drift', DATASETS, 0.8],
    ['subpopulation', 'feature-drift', DATASETS, 0.9],
    ['subpopulation', 'mmd-drift', DATASETS, 0.9],
    ['noise', 'drift-autoencoder', DATASETS, 0.8],
    ['noise', 'integrity', ['digits', 'breast_cancer', 'diabetes'], 0.8],
    ['unseen', 'feature-drift', ['digits', 'wine', 'diabetes'], 0.9],
    ['unseen', 'drift-autoencoder', ['digits', 'wine'], 0.7],
    ['unseen', 'mmd-drift', ['digits', 'wine'], 0.8],
  ];
  for (const [shift, checker, datasets, min] of BOUNDS)
    it(`${checker} detects ${shift} shifts in large batches of ${datasets.join(', ')} at least ${100 * min}% of the time`, () => {
      for (const dataset of datasets) {
        const c = cell(dataset, checker, shift);
        assert.ok(c.rate >= min, describeCell(c));
      }
    });

  it('mmd-drift catches the subpopulation shift that drift-autoencoder misses (a batch from only some classes)', () => {
    for (const dataset of ['breast_cancer', 'wine', 'diabetes']) {
      const mmd = cell(dataset, 'mmd-drift', 'subpopulation');
      const ae = cell(dataset, 'drift-autoencoder', 'subpopulation');
      assert.ok(mmd.rate >= 0.9 && ae.rate <= 0.2, `${describeCell(mmd)}; ${describeCell(ae)}`);
    }
  });
});
