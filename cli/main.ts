import { Command } from 'commander';
import { registerExportCompose } from './commands/export-compose';
import { registerGraph } from './commands/graph';
import { registerInspect } from './commands/inspect';
import { registerLabel } from './commands/label';
import { registerRun } from './commands/run';
import { registerSmoke } from './commands/smoke';

const program = new Command('tidemark').description('Durable machine-learning workflows on Temporal').showHelpAfterError();
registerRun(program);
registerInspect(program);
registerGraph(program);
registerLabel(program);
registerExportCompose(program);
registerSmoke(program);

program.parseAsync().catch((err: unknown) => {
  console.error(`tidemark: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
