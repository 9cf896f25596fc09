import { dirname, resolve } from 'node:path';
import { select } from '@inquirer/prompts';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { openArtifactStore } from '../../lib/artifacts/open-artifact-store.js';
import { pendingQuery, sessionQuery, submitLabelsUpdate } from '../../common/labeling-messages.js';
import type { labelingSession } from '../../workflows/labeling/labeling-session.js';
import { workflowUiUrl } from '../../client/client.js';
import { readPipelineFile } from '../../client/prepare-pipeline.js';
import { startLabelingSession } from '../../client/start-labeling-session.js';
import { withClient } from '../context.js';
import { labelInteractively, type Answer } from '../labeling/interactive.js';
import { readLabelsFile } from '../labeling/labels-file.js';
import { renderPending, renderVerdict } from '../labeling/pending-view.js';

export function registerLabel(program: Command): void {
  const label = program
    .command('label')
    .description('human-in-the-loop labeling sessions: start one, see what is pending, send labels');

  label
    .command('start <session>')
    .description('validate a labeling session spec (YAML or JSON), upload its local files, and start it')
    .option('--id <workflowId>', 'workflow id (default: <name>-labeling-<random>)')
    .action(async (file: string, opts: { id?: string }) => {
      const path = resolve(file);
      const raw = readPipelineFile(path);
      await withClient(async (client, config) => {
        const store = openArtifactStore(config);
        const handle = await startLabelingSession(client, raw, {
          baseDir: dirname(path),
          store,
          taskQueue: config.temporal.taskQueue,
          workflowId: opts.id,
        });
        console.log(`started ${handle.workflowId}`);
        console.log(`  ${workflowUiUrl(config, handle.workflowId)}`);
        console.log(`  see the batch with: tidemark label pending ${handle.workflowId}`);
      });
    });

  label
    .command('pending <workflowId>')
    .description('show the samples still to label: a table for tabular data, preview URLs for images')
    .option('--json', 'print the pending batch as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      await withClient(async (client) => {
        const batch = await client.workflow.getHandle<typeof labelingSession>(id).query(pendingQuery);
        console.log(opts.json ? JSON.stringify(batch, null, 2) : renderPending(batch));
      });
    });

  label
    .command('submit <workflowId>')
    .description('send labels from a file through the validated update, and print what was accepted and rejected')
    .requiredOption(
      '-f, --file <labels>',
      'labels.csv (columns id,label) or labels.json ({ "labels": { "<id>": "<label>" } })',
    )
    .option('--labeler <name>', 'who labeled (recorded in the ledger)')
    .option('--overwrite', 'replace labels already given in this round')
    .action(async (id: string, opts: { file: string; labeler?: string; overwrite?: boolean }) => {
      const { labels, labeler } = readLabelsFile(resolve(opts.file));
      await withClient(async (client) => {
        const handle = client.workflow.getHandle<typeof labelingSession>(id);
        try {
          const verdict = await handle.executeUpdate(submitLabelsUpdate, {
            args: [{ labels, labeler: opts.labeler ?? labeler, ...(opts.overwrite ? { overwrite: true } : {}) }],
          });
          console.log(renderVerdict(verdict));
          if (verdict.rejected.length) process.exitCode = 2;
        } catch (err) {
          if (!(err instanceof WorkflowUpdateFailedError)) throw err;
          console.error(`nothing was accepted: ${(err.cause as Error | undefined)?.message ?? err.message}`);
          process.exitCode = 1;
        }
      });
    });

  label
    .command('interactive <workflowId>')
    .description('label the pending samples one at a time in the terminal; each answer is sent at once')
    .option('--labeler <name>', 'who labels (recorded in the ledger)', process.env.USER)
    .action(async (id: string, opts: { labeler?: string }) => {
      if (!process.stdin.isTTY)
        throw new Error(
          'interactive labeling needs a terminal; to send labels from a file use `tidemark label submit <id> --file labels.csv`',
        );
      await withClient(async (client) => {
        const handle = client.workflow.getHandle<typeof labelingSession>(id);
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
        console.log(
          `\n${accepted} label(s) sent; session ${s.name} round ${s.round}: ${s.phase}, ${s.pending} pending`,
        );
      });
    });
}
