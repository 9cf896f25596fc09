import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StepContractError } from '../../lib/containers/errors.js';
import { checkOutput, readStepFile } from '../../lib/containers/output-guard.js';

describe('the output guard', () => {
  let dir = '';
  let outputs = '';
  let secret = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidemark-guard-'));
    outputs = join(dir, 'outputs');
    await mkdir(outputs);
    secret = join(dir, 'host-secret');
    await writeFile(secret, 'canary');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const refused = async (rel: string, pattern: RegExp) => {
    await assert.rejects(checkOutput(outputs, 'o', rel), (err: unknown) => {
      assert.ok(err instanceof StepContractError, String(err));
      assert.match(err.message, /output "o"/);
      assert.match(err.message, pattern);
      return true;
    });
  };

  it('refuses a declared output that is a link to a host file', async () => {
    await symlink(secret, join(outputs, 'o'));
    await refused('o', /leads out of \/outputs/);
  });

  it('refuses a declared output that is a link to a host folder, or passes through one', async () => {
    await symlink(dir, join(outputs, 'd'));
    await refused('d', /leads out of \/outputs/);
    await refused('d/host-secret', /leads out of \/outputs/);
  });

  it('refuses a link inside an output folder that leads out, relative or absolute', async () => {
    await mkdir(join(outputs, 'model'));
    await writeFile(join(outputs, 'model', 'w.bin'), 'weights');
    await symlink('../../host-secret', join(outputs, 'model', 'leak'));
    await refused('model', /model\/leak is a symbolic link that leads out of the output folder/);
    await rm(join(outputs, 'model', 'leak'));
    await symlink(secret, join(outputs, 'model', 'leak'));
    await refused('model', /absolute path/);
  });

  it('refuses a link that stays in /outputs but leaves its own output folder', async () => {
    await mkdir(join(outputs, 'a'));
    await writeFile(join(outputs, 'b'), 'other output');
    await symlink('../b', join(outputs, 'a', 'to-b'));
    await refused('a', /leads out of the output folder \/outputs\/a/);
  });

  it('refuses a link that stays inside as written but leaves through a link to its folder', async () => {
    await mkdir(join(outputs, 'a'));
    await symlink('.', join(outputs, 'a', 'self'));
    await symlink('self/..', join(outputs, 'a', 'up')); // as written: a/up -> a; resolved: outputs
    await refused('a', /a\/up is a symbolic link that leads out/);
  });

  it('refuses dangling links and FIFOs', async () => {
    await symlink('nothing-here', join(outputs, 'gone'));
    await refused('gone', /link to nothing/);
    await mkdir(join(outputs, 'f'));
    execFileSync('mkfifo', [join(outputs, 'f', 'pipe')]);
    await refused('f', /neither a file, a folder nor a symbolic link/);
  });

  it('keeps files, folders and links that stay inside their output folder, at their real paths', async () => {
    await mkdir(join(outputs, 'model', 'v3'), { recursive: true });
    await writeFile(join(outputs, 'model', 'v3', 'w.bin'), 'weights');
    await symlink('v3', join(outputs, 'model', 'latest'));
    await writeFile(join(outputs, 'report.json'), '{}');
    await symlink('report.json', join(outputs, 'alias.json'));
    const model = await checkOutput(outputs, 'model', 'model');
    assert.equal(model?.kind, 'dir');
    const alias = await checkOutput(outputs, 'alias', 'alias.json');
    assert.deepEqual(alias, { kind: 'file', path: join(outputs, 'report.json') });
    assert.equal(await checkOutput(outputs, 'missing', 'missing.txt'), undefined);
  });

  it('reads metrics.json only when it is a regular file of the step', async () => {
    await symlink(secret, join(outputs, 'metrics.json'));
    await assert.rejects(readStepFile(join(outputs, 'metrics.json'), '/outputs/metrics.json'), /symbolic link/);
    assert.equal(await readStepFile(join(outputs, 'none.json'), '/outputs/none.json'), undefined);
    execFileSync('mkfifo', [join(outputs, 'fifo.json')]);
    await assert.rejects(readStepFile(join(outputs, 'fifo.json'), '/outputs/fifo.json'), /not a regular file/);
  });
});
