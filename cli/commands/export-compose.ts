import { dirname, resolve } from 'node:path';
import { writeComposeExport } from '../export/compose-file.js';
import { planCompose } from '../export/plan.js';
import { loadPipelineFile } from '../graph/load-spec.js';
import { parseParams } from '../params.js';

export interface ExportComposeOptions {
  out: string;
  param: string[];
}

/** `tidemark export compose`: writes the compose file and the params files beside it. */
export async function exportComposeCommand(file: string, opts: ExportComposeOptions): Promise<void> {
  const out = resolve(opts.out);
  const loaded = loadPipelineFile(file);
  const plan = planCompose(loaded, { composeDir: dirname(out), params: parseParams(opts.param) });
  const [compose, ...params] = await writeComposeExport(plan, out, loaded.spec.name);
  console.log(`${compose}: ${plan.services.length} service${plan.services.length === 1 ? '' : 's'}`);
  for (const p of params) console.log(`  ${p}`);
  for (const note of plan.notes) console.log(`  note: ${note}`);
}
