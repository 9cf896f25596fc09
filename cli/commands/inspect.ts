import type { Command } from 'commander';

export function registerInspect(program: Command): void {
  program
    .command('status <workflowId>')
    .description("show every step's state, duration and outputs")
    .option('--json', 'print the status as JSON')
    .action(async (id: string, opts: { json?: boolean }) =>
      (await import('../actions/inspect.js')).statusCommand(id, opts),
    );

  program
    .command('logs <workflowId> <step>')
    .description("print a step's log; --follow streams it while the step runs")
    .option('-f, --follow', 'keep printing new lines until the step ends')
    .action(async (id: string, step: string, opts: { follow?: boolean }) =>
      (await import('../actions/inspect.js')).logsCommand(id, step, opts),
    );

  program
    .command('cancel <workflowId>')
    .description('cancel a pipeline: running containers are stopped and removed')
    .action(async (id: string) => (await import('../actions/inspect.js')).cancelCommand(id));
}
