import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { PipelineResult } from '../../workflows/pipeline/pipeline.js';
import { gaussian } from '../builders/data-tools.js';
import { writeNpy } from '../builders/npy-writer.js';
import { buildDenseModel } from '../builders/onnx-builder.js';
import { createTestWorker, uniqueId } from '../helpers/integration.js';

describe('a check step started with the tidemark CLI', function () {
  this.timeout(300_000);

  it('uploads a local model named in check.inputs ({ path: ./model.onnx }) and runs the check with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-cli-'));
    writeFileSync(join(dir, 'model.onnx'), buildDenseModel({ widths: [6, 3, 6] }));
    const g = gaussian(5);
    for (const name of ['reference.npy', 'batch.npy'])
      await writeNpy(join(dir, name), 300, [6], (block) => block.forEach((_, i) => (block[i] = g())));
    const name = uniqueId('cli-check');
    writeFileSync(
      join(dir, 'pipeline.yaml'),
      [
        `name: ${name}`,
        'inputs: { reference: { path: ./reference.npy }, batch: { path: ./batch.npy } }',
        'steps:',
        '  - name: drift',
        '    check:',
        '      plugin: drift-autoencoder',
        '      reference: inputs.reference',
        '      batch: inputs.batch',
        '      inputs: { model: { path: ./model.onnx } }',
        '',
      ].join('\n'),
    );
    const tw = await createTestWorker();
    try {
      await tw.worker.runUntil(async () => {
        const id = uniqueId('cli-check-run');
        const cli = await execa(
          'npx',
          ['tsx', 'cli/main.ts', 'run', join(dir, 'pipeline.yaml'), '--id', id, '--wait'],
          {
            reject: false,
            env: { ...process.env, NO_COLOR: '1', TIDEMARK_TASK_QUEUE: tw.taskQueue },
          },
        );
        assert.equal(cli.exitCode, 0, `${cli.stdout}\n${cli.stderr}`);
        assert.doesNotMatch(cli.stderr, /was not uploaded/);
        const result = (await tw.client.workflow.getHandle(id).result()) as PipelineResult;
        const drift = result.steps.find((s) => s.key === 'drift')!;
        assert.equal(drift.state, 'succeeded', drift.reason);
        assert.equal(drift.metrics!.alarm, 0, 'an i.i.d. batch under a model that read the uploaded file');
        assert.ok(drift.outputs!.report, 'the report is an output of the step');
      });
    } finally {
      await tw.close();
    }
  });
});
