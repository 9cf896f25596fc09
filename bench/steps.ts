import { BUSYBOX, median, noopPipeline, ratioSummary, timeShell, withPipelineWorker } from './harness.js';

const N = 20;
const ROUNDS = 5;

/**
 * 20 sequential no-op busybox steps in one pipeline, against 20 plain `docker run --rm` from a
 * shell loop. Each round runs the plain loop, the pipeline with MLflow tracking off
 * (orchestration alone) and the pipeline as shipped (tracking on, the default), back to back, so
 * drift on this noisy machine hits all three alike; a ratio is the median of the rounds' ratios.
 * The last line is the pipeline as shipped.
 */
export async function stepsBench(): Promise<void> {
  const spec = (tracking: boolean) => noopPipeline('bench-steps', N, { tracking: { enabled: tracking } });
  const plain: number[] = [];
  const runs = { off: [] as number[], on: [] as number[] };
  const perStep = { off: [] as number[], on: [] as number[] };
  await withPipelineWorker(async (timePipeline) => {
    for (let round = 0; round < ROUNDS; round++) {
      plain.push(await timeShell(`for i in $(seq ${N}); do docker run --rm --network none ${BUSYBOX} true; done`));
      for (const variant of ['off', 'on'] as const) {
        const { ms, result } = await timePipeline(spec(variant === 'on'));
        runs[variant].push(ms);
        perStep[variant].push(...result.steps.map((s) => s.durationMs ?? 0));
      }
      console.log(
        `round ${round + 1}: plain ${plain[round]!.toFixed(0)} ms, pipeline tracking off ${runs.off[round]!.toFixed(0)} ms, on ${runs.on[round]!.toFixed(0)} ms`,
      );
    }
  });
  const plainPerStep = median(plain) / N;
  for (const variant of ['off', 'on'] as const) {
    const ratio = ratioSummary(runs[variant].map((ms, i) => ms / plain[i]!));
    const overhead = median(perStep[variant]) - plainPerStep;
    console.log(
      `tracking ${variant}: plain docker run: ${median(plain).toFixed(0)} ms for ${N} (${plainPerStep.toFixed(0)} ms each); pipeline: ${median(runs[variant]).toFixed(0)} ms; median step ${median(perStep[variant]).toFixed(0)} ms; ratio ${ratio.text}`,
    );
    console.log(
      `${variant === 'on' ? '' : '(tracking off) '}steps ratio=${ratio.median.toFixed(3)} overhead_ms=${overhead.toFixed(0)}`,
    );
  }
}
