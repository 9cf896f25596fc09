import { strict as assert } from 'node:assert';
import { answered, draftCount, emptyDraft, label, undo } from '../../console/web/src/labeling/draft.js';
import { defaultKeyMap, keyMapProblems, labelForKey, withKey } from '../../console/web/src/labeling/keymap.js';

describe("the labeling screen's keys and draft", () => {
  it('maps digit and letter labels to themselves and others to 1-9, 0, a-z', () => {
    assert.deepEqual(defaultKeyMap(['0', '1', '2']), { '0': '0', '1': '1', '2': '2' });
    assert.equal(labelForKey(defaultKeyMap(['a', 'B']), 'b'), 'B', 'letters either case');
    assert.deepEqual(defaultKeyMap(['cat', 'dog', 'bird']), { '1': 'cat', '2': 'dog', '3': 'bird' });
    const many = defaultKeyMap(Array.from({ length: 12 }, (_, i) => `class-${i}`));
    assert.equal(many['0'], 'class-9');
    assert.equal(many.b, 'class-11');
    assert.equal(labelForKey(many, 'Enter'), undefined);
  });

  it('moves a key to the label it is given, and names what is wrong with a map', () => {
    const map = withKey(defaultKeyMap(['cat', 'dog']), 'dog', '1');
    assert.deepEqual(map, { '1': 'dog' }, 'the key left cat');
    assert.deepEqual(keyMapProblems({ '?': 'cat', xy: 'dog', '3': 'fish' }, ['cat', 'dog']).sort(), [
      '"?" is the screen\'s own key',
      '"fish" is not in the label set',
      '"xy" is not one key',
    ]);
  });

  it('takes back the last label, and keeps only rejected labels in the draft after an answer', () => {
    let d = emptyDraft(2);
    d = label(d, 's1', 'a');
    d = label(d, 's2', 'b');
    d = label(d, 's3', 'a');
    const back = undo(d);
    assert.equal(back.id, 's3');
    d = label(back.draft, 's3', 'b');
    assert.deepEqual(d.labels, { s1: 'a', s2: 'b', s3: 'b' });
    d = answered(d, d.labels, {
      round: 2,
      accepted: ['s1'],
      unchanged: ['s2'],
      rejected: [{ id: 's3', label: 'b', reason: 'already labeled "a" by ann' }],
      pending: 0,
    });
    assert.equal(draftCount(d), 1);
    assert.deepEqual(d.labels, { s3: 'b' });
    assert.deepEqual(d.sent.s3, { label: 'b', status: 'rejected', reason: 'already labeled "a" by ann' });
    assert.equal(d.sent.s1?.status, 'accepted');
    assert.equal(undo(d).id, 's3', 'a rejected label can still be taken back');
  });
});
