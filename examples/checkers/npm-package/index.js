// An example checker plugin published as an npm package (plain ESM JavaScript, zod as a peer
// dependency). Install it next to the worker (`npm install ./examples/checkers/npm-package` or
// from a registry) and name it `npm:tidemark-checker-row-count`.
//
// It has no fit step: it compares the batch's row count with the reference's (given to check
// in ctx.reference) or with a configured expectation.
import { z } from 'zod';

const configSchema = z.object({
  /** Expected rows; defaults to the reference's row count. */
  expectedRows: z.number().int().positive().optional(),
  /** Alarm when the batch has fewer than expected × (1 − tolerance) or more than expected × (1 + tolerance) rows. */
  tolerance: z.number().min(0).default(0.5),
});

async function countRows(dataset) {
  let rows = 0;
  for await (const chunk of dataset.chunks()) rows += chunk.rows;
  return rows;
}

/** @type {import('../../../plugins/api.js').CheckerPlugin<z.output<typeof configSchema>>} */
const rowCount = {
  name: 'row-count',
  version: '0.1.0',
  configSchema,
  async check(batch, _state, config, ctx) {
    const rows = await countRows(batch);
    const expected = config.expectedRows ?? (ctx.reference ? await countRows(ctx.reference) : undefined);
    if (expected === undefined) throw new Error('row-count needs expectedRows or a reference');
    const score = Math.abs(rows - expected) / expected;
    return {
      plugin: 'row-count',
      alarm: score > config.tolerance,
      score,
      threshold: config.tolerance,
      details: { rows, expected },
    };
  },
};

export default rowCount;
