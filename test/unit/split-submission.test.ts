import { strict as assert } from 'node:assert';
import { LabelingSessionError } from '../../client/errors.js';
import { MAX_UPDATE_BYTES, splitSubmission } from '../../client/submit-labels.js';

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

describe('splitting a label submission into updates', () => {
  it('keeps a submission that fits one update whole', () => {
    const sub = { labeler: 'ann', labels: { s1: 'a', s2: 'b' }, overwrite: true };
    assert.deepEqual(splitSubmission(sub), [sub]);
  });

  it('splits by count and by size, keeps every label once with the labeler and overwrite on each part', () => {
    const labels = Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`s${i}`, i % 2 ? 'a' : 'b']));
    const byCount = splitSubmission({ labeler: 'ann', labels, overwrite: true }, MAX_UPDATE_BYTES, 1000);
    assert.deepEqual(
      byCount.map((c) => Object.keys(c.labels).length),
      [1000, 1000, 500],
    );
    assert.ok(byCount.every((c) => c.labeler === 'ann' && c.overwrite === true));
    const bySize = splitSubmission({ labels }, 4096, 10_000);
    assert.ok(bySize.length > 1 && bySize.every((c) => bytes(c) <= 4096), 'every part is within the byte limit');
    assert.deepEqual(Object.assign({}, ...bySize.map((c) => c.labels)), labels);
  });

  it('names a label too large for any update, with its size and the limit', () => {
    assert.throws(
      () => splitSubmission({ labels: { big: 'x'.repeat(5000) } }, 4096),
      (err: Error) =>
        err instanceof LabelingSessionError &&
        /the label of sample "big" takes 5 KiB; one update carries at most 4 KiB/.test(err.message),
    );
  });
});
