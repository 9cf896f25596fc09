import type { Command } from 'commander';

export function registerLabel(program: Command): void {
  const label = program
    .command('label')
    .description('human-in-the-loop labeling sessions: start one, see what is pending, send labels');

  label
    .command('start <session>')
    .description('validate a labeling session spec (YAML or JSON), upload its local files, and start it')
    .option('--id <workflowId>', 'workflow id (default: <name>-labeling-<random>)')
    .action(async (file: string, opts: { id?: string }) =>
      (await import('../actions/label.js')).labelStartCommand(file, opts),
    );

  label
    .command('pending <workflowId>')
    .description('show the samples still to label: a table for tabular data, preview URLs for images')
    .option('--json', 'print the pending batch as JSON')
    .action(async (id: string, opts: { json?: boolean }) =>
      (await import('../actions/label.js')).labelPendingCommand(id, opts),
    );

  label
    .command('submit <workflowId>')
    .description('send labels from a file through the validated update, and print what was accepted and rejected')
    .requiredOption(
      '-f, --file <labels>',
      'labels.csv (columns id,label) or labels.json ({ "labels": { "<id>": "<label>" } })',
    )
    .option('--labeler <name>', 'who labeled (recorded in the ledger)')
    .option('--overwrite', 'replace labels already given in this round')
    .action(async (id: string, opts: { file: string; labeler?: string; overwrite?: boolean }) =>
      (await import('../actions/label.js')).labelSubmitCommand(id, opts),
    );

  label
    .command('interactive <workflowId>')
    .description('label the pending samples one at a time in the terminal; each answer is sent at once')
    .option('--labeler <name>', 'who labels (recorded in the ledger)', process.env.USER)
    .action(async (id: string, opts: { labeler?: string }) =>
      (await import('../actions/label.js')).labelInteractiveCommand(id, opts),
    );
}
