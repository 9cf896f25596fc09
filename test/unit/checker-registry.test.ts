import { strict as assert } from 'node:assert';
import { mkdir, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { quietContext } from '../../plugins/api.js';
import { openDataset } from '../../lib/data/open-dataset.js';
import { PluginNotFoundError, PluginShapeError } from '../../plugins/errors.js';
import { createCheckerRegistry } from '../../plugins/registry.js';
import { checkPlugin, fitPlugin } from '../../plugins/runner.js';
import { tempFolder } from '../helpers/temp.js';

const examples = resolve('examples/checkers');

describe('the checker registry', () => {
  const tmp = tempFolder('registry');

  it('knows the four built-ins by name, each declaring the fewest rows it needs', async () => {
    const registry = createCheckerRegistry();
    assert.deepEqual(await registry.names(), ['drift-autoencoder', 'feature-drift', 'integrity', 'mmd-drift']);
    for (const name of await registry.names()) {
      const r = await registry.get(name);
      assert.ok(r.kind === 'module' && r.plugin.minRows && r.plugin.minRows.batch >= 10, `${name} declares minRows`);
    }
  });

  it('rejects an unknown name with an error listing every registered name', async () => {
    const registry = createCheckerRegistry({ containers: { 'domain-classifier': 'tidemark/domain-classifier:1' } });
    await assert.rejects(registry.get('drfit-autoencoder'), (err: Error) => {
      assert.ok(err instanceof PluginNotFoundError);
      assert.match(err.message, /no checker plugin named "drfit-autoencoder"/);
      assert.match(
        err.message,
        /Registered: drift-autoencoder, feature-drift, integrity, mmd-drift, domain-classifier/,
      );
      return true;
    });
  });

  it('loads a user plugin from a local path, and it fits and checks like a built-in', async () => {
    const registry = createCheckerRegistry({ baseDir: resolve('.') });
    const found = await registry.get('./examples/checkers/local-plugin/mean-shift.ts');
    assert.equal(found.kind, 'module');
    const plugin = found.kind === 'module' ? found.plugin : undefined;
    assert.equal(plugin?.name, 'mean-shift');
    const ref = await tmp.file('ref.csv', 'a,b\n1,10\n2,11\n3,12\n4,13\n');
    const batch = await tmp.file('batch.csv', 'a,b\n1,20\n2,21\n3,22\n4,23\n');
    const state = await fitPlugin(plugin!, ref, {});
    const report = await checkPlugin(plugin!, { batch, state }, { maxShift: 1 });
    assert.equal(report.alarm, true);
    assert.deepEqual(
      report.perFeature?.filter((f) => f.alarm).map((f) => f.name),
      ['b'],
    );
  });

  it('loads a user plugin from an npm package installed next to the worker, by name once registered', async () => {
    const base = tmp.dir();
    await mkdir(join(base, 'node_modules'), { recursive: true });
    await symlink(join(examples, 'npm-package'), join(base, 'node_modules', 'tidemark-checker-row-count'), 'dir');
    const registry = createCheckerRegistry({ baseDir: base, modules: ['tidemark-checker-row-count'] });
    assert.ok((await registry.names()).includes('row-count'));
    const byName = await registry.get('row-count');
    const byPackage = await createCheckerRegistry({ baseDir: base }).get('npm:tidemark-checker-row-count');
    assert.equal(byName.kind === 'module' && byName.plugin.name, 'row-count');
    assert.equal(byPackage.kind === 'module' && byPackage.plugin.name, 'row-count');
    const plugin = byName.kind === 'module' ? byName.plugin : undefined;
    const ref = await tmp.file('r.csv', `x\n${'1\n'.repeat(100)}`);
    const batch = await tmp.file('b.csv', `x\n${'1\n'.repeat(10)}`);
    const report = await plugin!.check(
      await openDataset(batch),
      undefined,
      plugin!.configSchema.parse({}),
      quietContext(await openDataset(ref)),
    );
    assert.equal(report.alarm, true);
    assert.deepEqual(report.details, { rows: 10, expected: 100 });
  });

  it('names the missing member when a module is not a checker plugin', async () => {
    await tmp.file(
      'no-check.mjs',
      "export default { name: 'half', version: '1', configSchema: { safeParse: () => ({ success: true, data: {} }) } };\n",
    );
    const registry = createCheckerRegistry({ baseDir: tmp.dir() });
    await assert.rejects(
      registry.get('./no-check.mjs'),
      (err: Error) => err instanceof PluginShapeError && /has no "check"/.test(err.message),
    );
    await tmp.file(
      'bad-version.mjs',
      "export const name = 'v'; export const version = 2; export const configSchema = { safeParse() {} }; export async function check() {}\n",
    );
    await assert.rejects(registry.get('./bad-version.mjs'), /"version" must be a string, it is number/);
  });

  it('says where it looked when a path or package does not exist', async () => {
    const registry = createCheckerRegistry({ baseDir: tmp.dir() });
    await assert.rejects(
      registry.get('./nowhere.ts'),
      (err: Error) => err instanceof PluginNotFoundError && /cannot be found from/.test(err.message),
    );
    await assert.rejects(registry.get('npm:no-such-checker-package'), PluginNotFoundError);
  });

  it('resolves container plugins by registered name or by image', async () => {
    const registry = createCheckerRegistry({ containers: { 'domain-classifier': 'tidemark/domain-classifier:1' } });
    assert.deepEqual(await registry.get('domain-classifier'), {
      kind: 'container',
      name: 'domain-classifier',
      image: 'tidemark/domain-classifier:1',
    });
    assert.deepEqual(await registry.get('image:acme/check:2'), {
      kind: 'container',
      name: 'image:acme/check:2',
      image: 'acme/check:2',
    });
  });
});
