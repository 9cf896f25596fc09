/** `npm run bench -- <name>`: runs one benchmark; each prints its figures, the last line in a fixed format. */
import { checkerBench } from './checker.js';
import { fanoutBench } from './fanout.js';
import { k8sStepsBench } from './k8s-steps.js';
import { labelingBench } from './labeling.js';
import { scaleBench } from './scale.js';
import { servingBench } from './serving.js';
import { stepsBench } from './steps.js';
import { trackingBench } from './tracking.js';

const BENCHES: Record<string, () => Promise<void>> = {
  steps: stepsBench,
  fanout: fanoutBench,
  checker: checkerBench,
  tracking: trackingBench,
  labeling: labelingBench,
  'k8s-steps': k8sStepsBench,
  serving: servingBench,
  scale: scaleBench,
};

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  if (names.length === 0 || names.some((n) => !(n in BENCHES))) {
    console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> …`);
    process.exit(2);
  }
  for (const name of names) await BENCHES[name]!();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
