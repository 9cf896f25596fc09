import { BUSYBOX, median, ratioSummary, timeShell, withPipelineWorker } from './harness.js';

const N = 100;
const P = 8;
const ROUNDS = 3;

/**
 * 100 no-op steps with maxParallel 8 (a map), against `xargs -P8 docker run`. Each round runs
 * the plain baseline, the pipeline with MLflow tracking off and the pipeline as shipped
 * (tracking on, the default), back to back; a ratio is the median of the rounds' ratios. The
 * last line is the pipeline as shipped.
 */
export async function fanoutBench(): Promise<void> {
  const spec = (tracking: boolean) => ({
    name: 'bench-fanout',
    tracking: { enabled: tracking },
    maxParallel: P,
    steps: [
      {
        name: 'noop',
        image: BUSYBOX,
        args: ['true'],
        params: { i: '${item}' },
        cache: { enabled: false },
        map: { over: Array.from({ length: N }, (_, i) => i) },
      },
    ],
  });
  const plain: number[] = [];
  const runs = { off: [] as number[], on: [] as number[] };
  await withPipelineWorker(async (timePipeline) => {
    for (let round = 0; round < ROUNDS; round++) {
      plain.push(await timeShell(`seq ${N} | xargs -P${P} -I{} docker run --rm --network none ${BUSYBOX} true`));
      for (const variant of ['off', 'on'] as const) runs[variant].push((await timePipeline(spec(variant === 'on'))).ms);
      console.log(
        `round ${round + 1}: plain xargs -P${P} ${plain[round]!.toFixed(0)} ms, pipeline tracking off ${runs.off[round]!.toFixed(0)} ms, on ${runs.on[round]!.toFixed(0)} ms`,
      );
    }
  });
  for (const variant of ['off', 'on'] as const) {
    const ratio = ratioSummary(runs[variant].map((ms, i) => ms / plain[i]!));
    console.log(
      `tracking ${variant}: plain xargs -P${P}: ${median(plain).toFixed(0)} ms for ${N}; pipeline: ${median(runs[variant]).toFixed(0)} ms; ratio ${ratio.text}`,
    );
    console.log(`${variant === 'on' ? '' : '(tracking off) '}fanout ratio=${ratio.median.toFixed(3)}`);
  }
}
