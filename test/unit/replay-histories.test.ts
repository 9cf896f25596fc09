import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { SHARED_WORKFLOW_MODULES } from '../../workers/shared-workflow-modules.js';

/**
 * Replays the recorded histories of long-lived workflows (test/histories/, written by
 * `npm run record-histories` against the real stack) against the workflow code as it is now.
 * A change that would break a running session, monitor or pipeline (a command added, removed or
 * reordered without a patch) fails here, without any server. See docs/workflow-changes.md.
 */
const here = dirname(fileURLToPath(import.meta.url));
const folder = join(here, '../histories');
const recorded = readdirSync(folder)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => {
    const { workflowId, point, history } = JSON.parse(readFileSync(join(folder, file), 'utf8')) as {
      workflowId: string;
      point: string;
      history: unknown;
    };
    return { file, workflowId, point, history: historyFromJSON(history) };
  });

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

describe('recorded histories of long-lived workflows', function () {
  this.timeout(180_000);
  let bundle: WorkflowBundleWithSourceMap;
  const results = new Map<string, Error | undefined>();

  before(async () => {
    // Only the replay workers' warnings (a fresh process has no runtime yet; another test file may have made it).
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // already installed: its logger stays
    }
    // The workflows as a worker bundles them: Tidemark's entry, with the shared modules preloaded.
    bundle = await bundleWorkflowCode({
      workflowsPath: join(here, '../../workflows/index.ts'),
      preloadModules: SHARED_WORKFLOW_MODULES,
      logger: quiet,
    });
    const replays = Worker.runReplayHistories(
      { workflowBundle: bundle, replayName: 'recorded-histories' },
      recorded.map(({ workflowId, history }) => ({ workflowId, history })),
    );
    let i = 0;
    for await (const result of replays) results.set(recorded[i++]!.file, result.error);
  });

  it('has a history of each long-lived workflow at each of its points', () => {
    const types = recorded.map(
      (r) => r.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name,
    );
    for (const type of ['labelingSession', 'monitor', 'pipeline', 'deployment'])
      assert.ok(types.includes(type), `no ${type} history`);
    assert.ok(recorded.length >= 8, `${recorded.length} histories`);
  });

  for (const { file, point } of recorded) {
    it(`replays ${file} (${point}) without a determinism error`, () => {
      assert.ok(results.has(file), 'it was replayed');
      const error = results.get(file);
      assert.equal(error, undefined, `${file} no longer replays: ${error?.message}`);
    });
  }
});
