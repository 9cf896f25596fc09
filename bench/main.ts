/** `npm run bench -- <name>`: runs one benchmark; each prints its figures, the last line in a fixed format. */
import { checkerBench } from './checker';
import { fanoutBench } from './fanout';
import { labelingBench } from './labeling';
import { stepsBench } from './steps';
import { trackingBench } from './tracking';

const BENCHES: Record<string, () => Promise<void>> = {
  steps: stepsBench,
  fanout: fanoutBench,
  checker: checkerBench,
  tracking: trackingBench,
  labeling: labelingBench,
};

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  if (names.length === 0 || names.some((n) => !(n in BENCHES))) {
    console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> …`);
    process.exit(2);
  }
  for (const name of names) await BENCHES[name]!();
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
