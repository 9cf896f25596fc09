/**
 * Measures the built-in checkers and the KS + Bonferroni baseline on the evaluation's splits
 * (bench/evaluation/evaluate.ts) and prints the tables of docs/checkers.md. Needs Docker (the
 * data export, the reference trainer and the baseline run in the python-ml image).
 *
 *   npx tsx bench/evaluation/main.ts [nullSplits=50] [detectionSplits=25]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from './evaluate.js';
import { detectionTable, falseAlarmTable, powerTable, summaryLines } from './table.js';

async function main(): Promise<void> {
  const nullSplits = Number(process.argv[2] ?? 50);
  const detectionSplits = Number(process.argv[3] ?? 25);
  const workDir = await mkdtemp(join(tmpdir(), 'tidemark-evaluate-'));
  const t0 = Date.now();
  try {
    const e = await evaluate(
      {
        alpha: 0.01,
        nullSplits,
        detectionSplits,
        powerLevels: [1.1, 1.25, 2, 3],
        powerSplits: detectionSplits,
        log: (l) => console.error(l),
      },
      workDir,
    );
    console.log(`## False alarms (alpha = 0.01)\n\n${falseAlarmTable(e)}\n`);
    console.log(`## Detection\n\n${detectionTable(e)}\n`);
    console.log(`## Power: 3 columns scaled\n\n${powerTable(e)}\n`);
    console.log(summaryLines(e).join('\n'));
    console.log(`\ntimings (s): ${JSON.stringify(e.timings)}; total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

await main();
// Docker and ONNX Runtime handles may linger; the tables are printed, so end here.
process.exit(0);
