import { strict as assert } from 'node:assert';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { PROJECT_ROOT } from '../../scripts/stack/paths.js';
import { tempFolder } from '../helpers/temp.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/consumer/', import.meta.url));

/** The project's own package.json: the consumer pins Temporal as Tidemark does, and takes its overrides. */
async function tidemarkPackage(): Promise<{
  dependencies: Record<string, string>;
  overrides?: Record<string, string>;
}> {
  return JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as never;
}

describe('the packed package, installed by another project', function () {
  this.timeout(900_000);
  const temp = tempFolder('consumer');
  let project = '';

  before(async () => {
    // The build that npm test runs before the tests; incremental, so it is quick when it is up to date.
    await execa('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT });
    const packed = await execa('npm', ['pack', '--silent', '--pack-destination', temp.dir()], { cwd: PROJECT_ROOT });
    const tarball = join(temp.dir(), packed.stdout.trim().split('\n').at(-1)!);
    project = join(temp.dir(), 'project');
    const ours = await tidemarkPackage();
    await execa('mkdir', ['-p', project]);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'tidemark-consumer',
        private: true,
        type: 'module',
        dependencies: {
          tidemark: `file:${tarball}`,
          '@temporalio/client': ours.dependencies['@temporalio/client'],
          '@temporalio/worker': ours.dependencies['@temporalio/worker'],
        },
        overrides: ours.overrides,
      }),
    );
    for (const file of ['workflows.js', 'worker.js']) await copyFile(join(FIXTURE, file), join(project, file));
    // Offline from the npm cache where it can (npm ci filled it); no install scripts are needed.
    await execa('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: project,
      env: { npm_config_onnxruntime_node_install: 'skip' },
    });
  });

  it('ships only the build and the README: no sources, tests, scripts or state', async () => {
    const listed = await execa('npm', ['pack', '--dry-run', '--json'], { cwd: PROJECT_ROOT });
    const [{ files }] = JSON.parse(listed.stdout) as [{ files: { path: string }[] }];
    const paths = files.map((f) => f.path);
    assert.ok(paths.includes('dist/workers/plugin.js') && paths.includes('dist/workers/plugin.d.ts'));
    assert.ok(paths.includes('dist/lib/onnx/error-kernel.wasm'));
    const stray = paths.filter(
      (p) => !/^dist\/.*\.(js|d\.ts|wasm)$/.test(p) && !/^(package\.json|README\.md)$/.test(p),
    );
    assert.deepEqual(stray, []);
  });

  it('prints the CLI help with the installed tidemark bin under plain node', async () => {
    const help = await execa(join(project, 'node_modules', '.bin', 'tidemark'), ['--help'], { cwd: project });
    assert.match(help.stdout, /Usage: tidemark/);
    assert.match(help.stdout, /run \[options\] <pipeline>/);
  });

  it("runs a worker with TidemarkPlugin and the project's own workflows under plain node, and a pipeline on the real stack", async () => {
    const run = await execa(process.execPath, ['worker.js'], { cwd: project });
    const results = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      greeting: string;
      shout: string;
      pipeline: { key: string; state: string }[];
    };
    assert.equal(results.greeting, 'hello consumer');
    const { createHash } = await import('node:crypto');
    assert.equal(results.shout, createHash('sha256').update('QUIET\n').digest('hex'));
    assert.deepEqual(results.pipeline, [{ key: 'write', state: 'succeeded' }]);
  });
});
