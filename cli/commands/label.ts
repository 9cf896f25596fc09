import { dirname, resolve } from 'node:path';
import { select } from '@inquirer/prompts';
import { openArtifactStore } from '../../lib/artifacts/open-artifact-store.js';
import { pendingQuery, sessionQuery } from '../../common/labeling-messages.js';
import { LabelingSessionError } from '../../client/errors.js';
import { labelingSessionHandle } from '../../client/labeling-session-handle.js';
import { submitLabels } from '../../client/submit-labels.js';
import { workflowUiUrl } from '../../client/client.js';
import { readLabelingSessionFile, startLabelingSession } from '../../client/start-labeling-session.js';
import { withClient } from '../context.js';
import { labelInteractively, type Answer } from '../labeling/interactive.js';
import { readLabelsFile } from '../labeling/labels-file.js';
import { renderPending, renderVerdict } from '../labeling/pending-view.js';

export async function labelStartCommand(file: string, opts: { id?: string }): Promise<void> {
  const path = resolve(file);
  const raw = readLabelingSessionFile(path);
  await withClient(async (client, config) => {
    const store = openArtifactStore(config);
    const handle = await startLabelingSession(client, raw, {
      baseDir: dirname(path),
      store,
      taskQueue: config.temporal.taskQueue,
      workflowId: opts.id,
      consoleUrl: config.console.url,
    });
    console.log(`started ${handle.workflowId}`);
    console.log(`  ${workflowUiUrl(config, handle.workflowId)}`);
    console.log(`  label it in the console: ${config.console.url}/labeling/${encodeURIComponent(handle.workflowId)}`);
    console.log(`  see the batch with: tidemark label pending ${handle.workflowId}`);
  });
}

export async function labelPendingCommand(id: string, opts: { json?: boolean }): Promise<void> {
  await withClient(async (client) => {
    const batch = await (await labelingSessionHandle(client, id)).query(pendingQuery);
    console.log(opts.json ? JSON.stringify(batch, null, 2) : renderPending(batch));
  });
}

export async function labelSubmitCommand(
  id: string,
  opts: { file: string; labeler?: string; overwrite?: boolean },
): Promise<void> {
  const { labels, labeler, overwrite } = readLabelsFile(resolve(opts.file));
  await withClient(async (client) => {
    try {
      const verdict = await submitLabels(client, id, {
        labels,
        labeler: opts.labeler ?? labeler,
        ...(opts.overwrite || overwrite ? { overwrite: true } : {}),
      });
      console.log(renderVerdict(verdict));
      if (verdict.rejected.length) process.exitCode = 2;
    } catch (err) {
      if (!(err instanceof LabelingSessionError)) throw err;
      console.error(`nothing was accepted: ${err.message}`);
      process.exitCode = 1;
    }
  });
}

export async function labelInteractiveCommand(id: string, opts: { labeler?: string }): Promise<void> {
  if (!process.stdin.isTTY)
    throw new Error(
      'interactive labeling needs a terminal; to send labels from a file use `tidemark label submit <id> --file labels.csv`',
    );
  await withClient(async (client) => {
    const handle = await labelingSessionHandle(client, id);
    const accepted = await labelInteractively(
      handle,
      {
        print: (text) => console.log(text),
        ask: async (_sample, batch): Promise<Answer> => {
          const choice = await select({
            message: 'label',
            choices: [
              ...batch.labelSet.map((l) => ({ name: l, value: l })),
              { name: '(skip)', value: '\u0000skip' },
              { name: '(quit)', value: '\u0000quit' },
            ],
            pageSize: Math.min(20, batch.labelSet.length + 2),
          });
          return choice === '\u0000skip' ? 'skip' : choice === '\u0000quit' ? 'quit' : { label: choice };
        },
      },
      { labeler: opts.labeler },
    );
    const s = await handle.query(sessionQuery);
    console.log(`\n${accepted} label(s) sent; session ${s.name} round ${s.round}: ${s.phase}, ${s.pending} pending`);
  });
}
