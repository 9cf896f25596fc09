import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tidemark } from '../helpers/cli.js';
import { labelsQuery } from '../../common/labeling-messages.js';
import { labelInteractively } from '../../cli/labeling/interactive.js';
import { startLabelingSession } from '../../client/start-labeling-session.js';
import { createTestWorker, uniqueId } from '../helpers/integration.js';
import { waitingBatch, labelingData, sessionSpec } from '../helpers/labeling.js';
import { tempDir } from '../helpers/temp.js';

describe('tidemark label', function () {
  this.timeout(300_000);

  it('pending shows the batch as a table; submit sends a file through the update and names every rejection; interactive sends one answer at a time', async () => {
    const tw = await createTestWorker();
    const dir = tempDir('cli-label');
    try {
      await tw.worker.runUntil(async () => {
        const data = await labelingData(tw.plugin.deps.store, { seed: 9 });
        const start = () =>
          startLabelingSession(tw.client, sessionSpec(data, uniqueId('labcli'), { tracking: false }), {
            baseDir: dir,
            store: tw.plugin.deps.store,
            taskQueue: tw.taskQueue,
          });
        const h = await start();
        const batch = await waitingBatch(h);
        const ids = batch.samples.map((s) => s.id);

        const pending = await tidemark('label', 'pending', h.workflowId);
        assert.equal(pending.exitCode, 0, pending.stderr);
        assert.match(pending.stdout, /round 1: waiting; 0 of 4 labeled, deadline/);
        assert.match(pending.stdout, /labels: a, b/);
        for (const id of ids) assert.match(pending.stdout, new RegExp(`│ ${id} `));
        assert.match(pending.stdout, /f0 .* f3/);

        writeFileSync(
          join(dir, 'labels.csv'),
          `id,label\n${ids[0]},${data.truth[ids[0]!]}\n${ids[1]},${data.truth[ids[1]!]}\nnope,a\n${ids[2]},zebra\n`,
        );
        const partial = await tidemark(
          'label',
          'submit',
          h.workflowId,
          '--file',
          join(dir, 'labels.csv'),
          '--labeler',
          'cli',
        );
        assert.equal(partial.exitCode, 2, 'some labels were rejected');
        assert.match(partial.stdout, /accepted 2, unchanged 0, rejected 2; 2 still pending/);
        assert.match(partial.stdout, /rejected nope=a: unknown sample id "nope"/);
        assert.match(partial.stdout, new RegExp(`rejected ${ids[2]}=zebra: label "zebra" is not in the label set`));

        const none = await tidemark('label', 'submit', h.workflowId, '--file', join(dir, 'labels.csv'));
        assert.equal(none.exitCode, 2, 'the repeat is unchanged, the bad ones still rejected');
        assert.match(none.stdout, /accepted 0, unchanged 2, rejected 2/);

        writeFileSync(
          join(dir, 'rest.json'),
          JSON.stringify({
            labeler: 'json',
            labels: Object.fromEntries(ids.slice(2).map((id) => [id, data.truth[id]!])),
          }),
        );
        const rest = await tidemark('label', 'submit', h.workflowId, '--file', join(dir, 'rest.json'));
        assert.equal(rest.exitCode, 0, rest.stdout + rest.stderr);
        assert.match(rest.stdout, /accepted 2, unchanged 0, rejected 0; 0 still pending/);
        assert.equal((await h.result()).rounds[0]!.labeled, 4);

        const broken = await tidemark('label', 'submit', h.workflowId, '--file', join(dir, 'missing.csv'));
        assert.equal(broken.exitCode, 1);
        assert.match(broken.stderr, /cannot read .*missing\.csv/);

        // Interactive: a person who skips the first sample, answers the others, and stops.
        const h2 = await start();
        const b2 = await waitingBatch(h2);
        const shown: string[] = [];
        const printed: string[] = [];
        const accepted = await labelInteractively(
          h2,
          {
            print: (t) => printed.push(t),
            ask: async (sample) => {
              shown.push(sample.id);
              if (sample.id === b2.samples[0]!.id) return 'skip';
              if (shown.length === 4) return 'quit';
              return { label: data.truth[sample.id]! };
            },
          },
          { labeler: 'terminal' },
        );
        assert.equal(accepted, 2);
        assert.deepEqual(
          shown,
          b2.samples.map((s) => s.id),
        );
        const given = await h2.query(labelsQuery);
        assert.deepEqual(
          Object.keys(given).sort(),
          b2.samples
            .slice(1, 3)
            .map((s) => s.id)
            .sort(),
        );
        assert.ok(Object.values(given).every((g) => g.labeler === 'terminal'));
        assert.ok(
          printed.some((t) => t.includes(`sample ${b2.samples[1]!.id}`) && t.includes('f0:')),
          'each sample is shown with its values',
        );
        await h2.terminate('test done');
      });
    } finally {
      await tw.close();
    }
  });
});
