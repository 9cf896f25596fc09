import { strict as assert } from 'node:assert';
import { readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fitChecker, runChecker, type CheckerDeps } from '../../activities/check/index.js';
import { BASE_IMAGES } from '../../common/images.js';
import { createDeps } from '../../workers/deps.js';
import { resolveConfig } from '../../lib/config/resolve-config.js';
import { ContainerCheckerError, PluginNotFoundError } from '../../plugins/errors.js';
import { gaussian } from '../builders/data-tools.js';
import { createCheckerRegistry } from '../../plugins/registry.js';
import { dockerBackend } from '../builders/fixtures.js';
import { writeNpy } from '../builders/npy-writer.js';
import { buildDenseModel } from '../builders/onnx-builder.js';
import { tempFolder } from '../helpers/temp.js';

/** fitChecker and runChecker against the real MinIO store and Docker engine. */
describe('the checker activities', () => {
  const tmp = tempFolder('check-activities');
  let deps: CheckerDeps;
  const workDir = () => join(tmp.dir(), 'work');

  const npy = async (name: string, n: number, seed: number, shift = 0) => {
    const path = join(tmp.dir(), name);
    const g = gaussian(seed);
    await writeNpy(path, n, [8], (block) => block.forEach((_, i) => (block[i] = g() + shift)));
    return deps.store.put(path, name);
  };

  before(() => {
    const full = createDeps(resolveConfig(), { workDir: join(tmp.dir(), 'work') });
    deps = { store: full.store, containers: full.containers, workDir: full.workDir };
  });

  it('names the user\'s input in errors (role, original file name, step) and calls binary data "not a CSV", never quoting its bytes or a worker path', async () => {
    const garbage = join(tmp.dir(), 'sales.csv');
    await writeFile(garbage, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0xff]));
    const batch = await deps.store.put(garbage, 'sales.csv');
    const reference = await deps.store.put(await tmp.file('ref.csv', 'a,b\n1,2\n3,4\n'), 'reference.csv');
    const fitted = await fitChecker(deps, { plugin: 'integrity', reference, stepKey: 'quality' });
    await assert.rejects(
      runChecker(deps, { plugin: 'integrity', batch, state: fitted.state, stepKey: 'quality' }),
      (err: Error) => {
        assert.match(err.message, /^batch "sales\.csv" of step "quality" is not a CSV: it holds a gzip file/);
        assert.ok(!err.message.includes(workDir()), err.message);
        assert.ok(
          ![...err.message].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\uFFFD'),
          'no raw bytes in the message',
        );
        return true;
      },
    );
    const notAModel = await deps.store.put(join(tmp.dir(), 'ref.csv'), 'not-a-model.onnx');
    const failed = await fitChecker(deps, {
      plugin: 'drift-autoencoder',
      reference,
      config: { model: notAModel },
      stepKey: 'ae',
    }).catch((e: Error) => e);
    assert.ok(failed instanceof Error, 'a CSV is no ONNX model');
    assert.ok(!failed.message.includes(workDir()), failed.message);
  });

  it('fits on a reference artifact, checks a batch artifact, and stores the report and its plot', async () => {
    const modelPath = join(tmp.dir(), 'model.onnx');
    await writeFile(modelPath, buildDenseModel({ widths: [8, 4, 8] }));
    const model = await deps.store.put(modelPath, 'model.onnx');
    const config = { model, topK: 5 };
    const fitted = await fitChecker(deps, {
      plugin: 'drift-autoencoder',
      config,
      reference: await npy('ref.npy', 1000, 1),
    });
    assert.equal(fitted.state.kind, 'dir');
    assert.equal(fitted.plugin, 'drift-autoencoder');

    const drifted = await runChecker(deps, {
      plugin: 'drift-autoencoder',
      config,
      batch: await npy('batch.npy', 500, 2, 3),
      state: fitted.state,
    });
    assert.equal(drifted.summary.alarm, true);
    assert.equal(drifted.summary.topAnomalies?.length, 5);
    const report = JSON.parse((await deps.store.getBytes(drifted.report)).toString()) as {
      plugin: string;
      details: { histogram: unknown };
    };
    assert.equal(report.plugin, 'drift-autoencoder');
    assert.ok(report.details.histogram);
    const png = await deps.store.getBytes(drifted.plot!.png);
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const svg = (await deps.store.getBytes(drifted.plot!.svg)).toString();
    assert.match(svg, /^<svg/);
    assert.match(svg, /drift-autoencoder: ALARM/);

    const quiet = await runChecker(deps, {
      plugin: 'drift-autoencoder',
      config,
      batch: await npy('same.npy', 500, 3),
      state: fitted.state,
      plot: false,
    });
    assert.equal(quiet.summary.alarm, false);
    assert.equal(quiet.plot, undefined);
    assert.deepEqual(await readdir(join(workDir(), 'checks')), [], 'temporary folders are removed');
  });

  it('refuses a state fitted by another checker, and an unregistered plugin name', async () => {
    const ref = await deps.store.putBytes('a,b\n1,2\n3,4\n', 'ref.csv');
    const fitted = await fitChecker(deps, { plugin: 'integrity', reference: ref });
    await assert.rejects(
      runChecker(deps, { plugin: 'feature-drift', batch: ref, state: fitted.state }),
      /fitted by "integrity", not by "feature-drift"/,
    );
    await assert.rejects(runChecker(deps, { plugin: 'no-such-checker', batch: ref }), PluginNotFoundError);
  });

  it('runs a container checker plugin (the Python example) in fit and check mode, with no network', async () => {
    const built = await dockerBackend().build(
      { context: resolve('examples/checkers/container-plugin'), repository: 'tidemark/example-domain-classifier' },
      () => undefined,
    );
    const registry = createCheckerRegistry({ containers: { 'domain-classifier': built.image } });
    const withRegistry = { ...deps, registry };
    const reference = await npy('c-ref.npy', 300, 4);
    const fitted = await fitChecker(withRegistry, { plugin: 'domain-classifier', reference });
    assert.equal(fitted.state.kind, 'dir');
    const same = await runChecker(withRegistry, {
      plugin: 'domain-classifier',
      config: { alpha: 0.01 },
      reference,
      batch: await npy('c-same.npy', 300, 5),
      state: fitted.state,
    });
    assert.equal(same.summary.alarm, false);
    const shifted = await runChecker(withRegistry, {
      plugin: 'domain-classifier',
      config: { alpha: 0.01 },
      reference,
      batch: await npy('c-shift.npy', 300, 6, 1),
    });
    assert.equal(shifted.summary.alarm, true);
    assert.ok(shifted.summary.pValue! < 1e-6);
  });

  it('fails clearly when a container plugin writes no report', async () => {
    const batch = await deps.store.putBytes('a\n1\n', 'b.csv');
    await assert.rejects(
      runChecker(deps, { plugin: `image:${BASE_IMAGES.pythonMl}`, batch }),
      (err: Error) => err instanceof ContainerCheckerError && /wrote no \/outputs\/report.json/.test(err.message),
    );
  });
});
