import { Command } from 'commander';
import { registerInspect } from './commands/inspect';
import { registerRun } from './commands/run';
import { registerSmoke } from './commands/smoke';

const program = new Command('tidemark').description('Durable machine-learning workflows on Temporal').showHelpAfterError();
registerRun(program);
registerInspect(program);
registerSmoke(program);

program.parseAsync().catch((err: unknown) => {
  console.error(`tidemark: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
