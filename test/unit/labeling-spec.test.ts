import { strict as assert } from 'node:assert';
import { LabelingSpecError, validateLabelingSpec } from '../../common/labeling.js';

const ref = (name: string) => ({
  uri: `s3://tidemark/cas/sha256/aa/${'a'.repeat(64)}`,
  sha256: 'a'.repeat(64),
  size: 10,
  name,
});
const valid = {
  name: 'sess',
  pool: ref('pool.csv'),
  labeled: ref('labeled.csv'),
  scorer: { kind: 'classifier', model: ref('m.onnx') },
  batchSize: 5,
  labelSet: ['a', 'b'],
  retrain: { image: 'tidemark/python-ml:latest', outputs: { model: 'model.pkl' } },
  evaluate: { image: 'tidemark/python-ml:latest' },
};

function problems(over: Record<string, unknown>): string[] {
  try {
    validateLabelingSpec({ ...valid, ...over });
  } catch (err) {
    assert.ok(err instanceof LabelingSpecError, String(err));
    return err.problems;
  }
  return [];
}

describe('labeling session specs', () => {
  it('fills defaults: entropy, a week to label, proceed at the deadline, tracking on', () => {
    const s = validateLabelingSpec(valid);
    assert.equal(s.scorer.kind === 'classifier' && s.scorer.strategy, 'entropy');
    assert.equal(s.deadline, 7 * 86_400_000);
    assert.equal(s.partial, 'proceed');
    assert.equal(s.tracking, true);
    assert.deepEqual(s.data, { labelColumn: 'label' });
    assert.deepEqual(validateLabelingSpec({ ...valid, labelSet: [0, 1, 2] }).labelSet, ['0', '1', '2']);
  });

  it('names every problem with its field, in one error', () => {
    const found = problems({ batchSize: 0, labelSet: ['a'], deadline: 'soon', scorer: { kind: 'oracle' } });
    assert.equal(found.length, 4, found.join('\n'));
    assert.ok(found.some((p) => p.startsWith('batchSize:')));
    assert.ok(found.some((p) => p.startsWith('labelSet:') && p.includes('at least two labels')));
    assert.ok(found.some((p) => p.startsWith('deadline:') && p.includes('"soon" is not a duration')));
    assert.ok(found.some((p) => p.startsWith('scorer.kind:') || p.startsWith('scorer:')));
  });

  it('rejects combinations that cannot work, saying why', () => {
    assert.deepEqual(problems({ retrain: { image: 'tidemark/python-ml:latest', outputs: { weights: 'w.bin' } } }), [
      'retrain.outputs: the retrain step must write an output named "model"',
    ]);
    assert.match(
      problems({ retrain: { ...valid.retrain, inputs: { labeled: { artifact: ref('x') } } } })[0]!,
      /"labeled" is given by the session/,
    );
    assert.match(
      problems({ evaluate: { image: 'tidemark/python-ml:latest', inputs: { model: { artifact: ref('x') } } } })[0]!,
      /"model" is given by the session/,
    );
    assert.match(problems({ minScore: 1, threshold: { reference: ref('r.csv') } })[0]!, /either minScore or threshold/);
    assert.match(problems({ scorer: { kind: 'random' }, diversify: true })[0]!, /no longer a random baseline/);
    assert.match(problems({ labelSet: ['a', 'a'] })[0]!, /distinct/);
    assert.match(
      problems({ retrain: { outputs: { model: 'm' } } })[0]!,
      /retrain\.image: give exactly one of `image` or `build`/,
    );
  });
});
