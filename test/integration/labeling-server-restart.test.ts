import { strict as assert } from 'node:assert';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { pendingQuery, submitLabelsSignal, submitLabelsUpdate } from '../../common/labeling-messages.js';
import { stopDaemon } from '../../scripts/stack/daemon.js';
import { stackPaths } from '../../scripts/stack/paths.js';
import { TemporalDevServer } from '../../scripts/stack/services/temporal.js';
import { locateTools } from '../../scripts/stack/tools.js';
import type { labelingSession } from '../../workflows/labeling/labeling-session.js';
import { startLabelingSession } from '../../client/start-labeling-session.js';
import { createTestWorker, testConfig, uniqueId } from '../helpers/integration.js';
import { eventually, labelingData, sessionSpec } from '../helpers/labeling.js';
import { tempDir } from '../helpers/temp.js';

describe('a Temporal dev server restart', () => {
  it('while a labeling session waits: the session goes on, with every label sent before the restart', async function () {
    this.timeout(300_000);
    // A dev server of this test's own (its own ports and SQLite file), so that stopping it touches
    // nothing else; MinIO, MLflow and Docker are the shared ones.
    const stateDir = tempDir('temporal-restart');
    const paths = { ...stackPaths(), stateDir, logsDir: join(stateDir, 'logs'), runDir: join(stateDir, 'run') };
    mkdirSync(paths.logsDir, { recursive: true });
    const config = {
      ...testConfig,
      temporal: { ...testConfig.temporal, address: '127.0.0.1:17533', uiUrl: 'http://127.0.0.1:18533' },
    };
    const server = new TemporalDevServer(config, paths, locateTools().temporal);
    await server.start();
    try {
      await server.prepare();
      const first = await createTestWorker({ plugin: { config } });
      const data = await labelingData(first.plugin.deps.store, { seed: 5 });
      let workflowId = '';
      let ids: string[] = [];
      try {
        await first.worker.runUntil(async () => {
          const h = await startLabelingSession(
            first.client,
            sessionSpec(data, uniqueId('labsrv'), { tracking: false }),
            { baseDir: process.cwd(), store: first.plugin.deps.store, taskQueue: first.taskQueue },
          );
          workflowId = h.workflowId;
          const p = await eventually(
            () => h.query(pendingQuery),
            (q) => q.phase === 'waiting',
            120_000,
            'the session to wait',
          );
          ids = p.samples.map((s) => s.id);
          const r = await h.executeUpdate(submitLabelsUpdate, {
            args: [
              {
                labeler: 'before-restart',
                labels: { [ids[0]!]: data.truth[ids[0]!]!, [ids[1]!]: data.truth[ids[1]!]! },
              },
            ],
          });
          assert.equal(r.accepted.length, 2);
        });
      } finally {
        await first.close();
      }

      // Down and up again on the same database file.
      assert.ok(await stopDaemon(paths.runDir, 'temporal'), 'the dev server was stopped');
      await server.start();

      const second = await createTestWorker({ plugin: { config }, taskQueue: first.taskQueue });
      try {
        await second.worker.runUntil(async () => {
          const h = second.client.workflow.getHandle<typeof labelingSession>(workflowId);
          const p = await eventually(
            () => h.query(pendingQuery),
            (q) => q.phase === 'waiting',
            60_000,
            'the session to answer after the restart',
          );
          assert.equal(p.labeled, 2, 'the labels accepted before the restart are still there');
          assert.deepEqual(
            p.samples.map((s) => s.id),
            ids.slice(2),
          );
          await h.signal(submitLabelsSignal, {
            labeler: 'after-restart',
            labels: Object.fromEntries(ids.slice(2).map((id) => [id, data.truth[id]!])),
          });
          const result = await h.result();
          assert.equal(result.rounds[0]!.labeled, 4);
          const ledger = parse((await second.plugin.deps.store.getBytes(result.ledger!)).toString('utf8'), {
            columns: true,
          }) as Record<string, string>[];
          assert.deepEqual(
            ledger.map((r) => [r.id, r.labeler]).sort(),
            [
              [ids[0], 'before-restart'],
              [ids[1], 'before-restart'],
              [ids[2], 'after-restart'],
              [ids[3], 'after-restart'],
            ].sort(),
          );
        });
      } finally {
        await second.close();
      }
    } finally {
      await stopDaemon(paths.runDir, 'temporal');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
