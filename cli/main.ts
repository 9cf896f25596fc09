import { Command } from 'commander';
import { registerExportCompose } from './commands/export-compose.js';
import { registerGraph } from './commands/graph.js';
import { registerInspect } from './commands/inspect.js';
import { registerLabel } from './commands/label.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerSmoke } from './commands/smoke.js';

const program = new Command('tidemark')
  .description('Durable machine-learning workflows on Temporal')
  .showHelpAfterError();
registerRun(program);
registerInspect(program);
registerGraph(program);
registerLabel(program);
registerServe(program);
registerExportCompose(program);
registerSmoke(program);

program.parseAsync().catch((err: unknown) => {
  console.error(`tidemark: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
