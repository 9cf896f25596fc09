import type { Command } from 'commander';

export function registerSmoke(program: Command): void {
  program
    .command('smoke')
    .description('run the smoke workflow: one busybox container, its stdout in MinIO, one MLflow run')
    .option('-m, --message <text>', 'what the container echoes', 'hello from tidemark')
    .option('--id <workflowId>', 'workflow id (default: smoke-<time>)')
    .action(async (opts: { message: string; id?: string }) => (await import('../actions/smoke.js')).smokeCommand(opts));
}
