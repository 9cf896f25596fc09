/**
 * Measures the built-in checkers on the drift scenarios (plugins/evaluation/scenarios.ts): for
 * each, the share of splits that alarmed, i.e. the detection rate where the batch drifted and the
 * false-alarm rate where it did not. Needs Docker (the data export and the reference trainer run
 * in containers).
 *
 *   npx tsx plugins/evaluate.ts [splits=20]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario, seedsFor } from './run-scenario.js';
import { createScenarios } from './scenarios.js';

async function main(): Promise<void> {
  const splits = Number(process.argv[2] ?? 20);
  const workDir = await mkdtemp(join(tmpdir(), 'tidemark-evaluate-'));
  try {
    const { scenarios } = await createScenarios(workDir);
    const rows: string[] = ['| scenario | checker | detection rate | false-alarm rate |', '| --- | --- | --- | --- |'];
    for (const s of scenarios) {
      const t0 = Date.now();
      const r = await runScenario(s, seedsFor(splits), workDir);
      const rate = `${(100 * r.rate).toFixed(0)}% (${r.alarms}/${r.runs})`;
      rows.push(`| ${s.name} | ${s.plugin} | ${s.drift ? rate : '–'} | ${s.drift ? '–' : rate} |`);
      console.error(`${s.name}: ${r.alarms}/${r.runs} alarms in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    console.log(rows.join('\n'));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

await main();
// Docker and ONNX Runtime handles may linger; the table is printed, so end here.
process.exit(0);
