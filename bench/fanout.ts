import { BUSYBOX, timePipeline, timeShell } from './harness';

const N = 100;
const P = 8;

/** 100 no-op steps with maxParallel 8 (a map), against `xargs -P8 docker run`. */
export async function fanoutBench(): Promise<void> {
  await fanoutVariant(false);
  await fanoutVariant(true);
}

async function fanoutVariant(tracking: boolean): Promise<void> {
  const spec = {
    name: 'bench-fanout',
    tracking: { enabled: tracking },
    maxParallel: P,
    steps: [{ name: 'noop', image: BUSYBOX, args: ['true'], params: { i: '${item}' }, cache: { enabled: false }, map: { over: Array.from({ length: N }, (_, i) => i) } }],
  };
  const plain = await timeShell(`seq ${N} | xargs -P${P} -I{} docker run --rm --network none ${BUSYBOX} true`);
  const { ms } = await timePipeline(spec);
  console.log(`tracking ${tracking ? 'on' : 'off'}: plain xargs -P${P}: ${plain.toFixed(0)} ms for ${N}; pipeline: ${ms.toFixed(0)} ms`);
  console.log(`${tracking ? '' : '(tracking off) '}fanout ratio=${(ms / plain).toFixed(3)}`);
}
