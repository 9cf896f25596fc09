import { BUSYBOX, median, timePipeline, timeShell } from './harness';

const N = 20;

/** 20 sequential no-op busybox steps in one pipeline, against 20 plain `docker run --rm` from a shell loop. */
export async function stepsBench(): Promise<void> {
  // Orchestration alone first (MLflow tracking off), then as shipped (tracking on, the last line).
  await stepsVariant(false);
  await stepsVariant(true);
}

async function stepsVariant(tracking: boolean): Promise<void> {
  const spec = {
    name: 'bench-steps',
    tracking: { enabled: tracking },
    maxParallel: 1,
    steps: Array.from({ length: N }, (_, i) => ({ name: `s${i}`, image: BUSYBOX, args: ['true'], cache: { enabled: false } })),
  };
  // Alternate the two so drift on this noisy machine hits both alike.
  const plainRuns: number[] = [];
  const pipelineRuns: number[] = [];
  const perStep: number[] = [];
  for (let round = 0; round < 2; round++) {
    plainRuns.push(await timeShell(`for i in $(seq ${N}); do docker run --rm --network none ${BUSYBOX} true; done`));
    const { ms, result } = await timePipeline(spec);
    pipelineRuns.push(ms);
    perStep.push(...result.steps.map((s) => s.durationMs ?? 0));
  }
  const plain = median(plainRuns);
  const pipeline = median(pipelineRuns);
  const plainPerStep = plain / N;
  console.log(`tracking ${tracking ? 'on' : 'off'}: plain docker run: ${plain.toFixed(0)} ms for ${N} (${plainPerStep.toFixed(0)} ms each); pipeline: ${pipeline.toFixed(0)} ms; median step ${median(perStep).toFixed(0)} ms`);
  console.log(`${tracking ? '' : '(tracking off) '}steps ratio=${(pipeline / plain).toFixed(3)} overhead_ms=${(median(perStep) - plainPerStep).toFixed(0)}`);
}
