import { strict as assert } from 'node:assert';
import type { PipelineStatus, StepState } from '../../common/messages.js';
import { countsLine, unlistedLines } from '../../cli/pipeline-status.js';

const step = (i: number, state: StepState['state']): StepState => ({
  key: `s${i}`,
  step: `s${i}`,
  kind: 'container',
  state,
});
const status = (extra: Partial<PipelineStatus>): PipelineStatus => ({
  name: 'p',
  state: 'succeeded',
  steps: [step(0, 'failed'), step(1, 'cached')],
  startedAt: 0,
  ...extra,
});

describe('tidemark status: what the listed steps leave out', () => {
  it('counts steps by state, the most first, with thousands separated and no empty states', () => {
    assert.equal(countsLine({ succeeded: 2, cached: 9998, failed: 0 }), '9,998 cached, 2 succeeded');
    assert.equal(countsLine({}), '');
  });

  it('adds nothing when every step is listed', () => {
    assert.deepEqual(unlistedLines(status({})), []);
    assert.deepEqual(unlistedLines(status({ counts: { failed: 1, cached: 1 } })), []);
  });

  it("says how many steps a closed pipeline's result left out, and counts them all", () => {
    const lines = unlistedLines(status({ stepsOmitted: 1200, counts: { failed: 1, cached: 9000, succeeded: 201 } }));
    assert.deepEqual(lines, [
      '1,200 more steps of the last run are not listed: a result keeps 2, failed ones first',
      'all steps: 9,000 cached, 201 succeeded, 1 failed',
    ]);
  });

  it('names the earlier runs of a running pipeline that continued as new', () => {
    const lines = unlistedLines({ ...status({}), state: 'running', earlier: { runs: 2, steps: { cached: 2600 } } });
    assert.deepEqual(lines, ['2 earlier runs (continued as new): 2,600 cached']);
  });
});
