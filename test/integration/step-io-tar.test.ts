import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { openArtifactStore } from '../../lib/artifacts/open-artifact-store.js';
import { STEP_IO_DIR } from '../../lib/kubernetes/step-io-image.js';
import { testConfig } from '../helpers/integration.js';

/**
 * A folder output must have the same sha256 whether the worker archived it (Docker) or the pod's
 * I/O helper did (Kubernetes): the helper writes node-tar's portable format byte for byte.
 */
describe("the step I/O helper's folder archive", function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-step-io-tar-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("is byte for byte the artifact store's, for long, non-ASCII, linked and empty entries", async () => {
    const helper = join(dir, 'step-io');
    await execa('go', ['build', '-o', helper, '.'], { cwd: STEP_IO_DIR, env: { GOWORK: 'off', CGO_ENABLED: '0' } });
    const tree = join(dir, 'tree');
    const deep = join(tree, 'deep', 'x'.repeat(60), 'y'.repeat(60));
    mkdirSync(join(tree, 'a', 'b', 'c'), { recursive: true });
    mkdirSync(deep, { recursive: true });
    mkdirSync(join(tree, 'empty-dir'));
    writeFileSync(join(tree, 'a', 'b', 'c', 'x.txt'), 'hello\n');
    writeFileSync(join(tree, 'empty'), '');
    writeFileSync(join(tree, 'big.bin'), Buffer.alloc(70_000, 7));
    chmodSync(join(tree, 'big.bin'), 0o775);
    writeFileSync(join(deep, 'z'.repeat(50)), 'deep');
    writeFileSync(join(tree, 'L'.repeat(120)), 'a long name');
    writeFileSync(join(tree, 'n'.repeat(100)), 'exactly 100 bytes of name');
    writeFileSync(join(tree, 'ünïcödé-名前.txt'), 'unicode');
    symlinkSync('a/b/c/x.txt', join(tree, 'link'));
    symlinkSync(`/etc/${'p'.repeat(110)}`, join(tree, 'long-link'));
    linkSync(join(tree, 'a', 'b', 'c', 'x.txt'), join(tree, 'hard'));

    const store = openArtifactStore(testConfig, 'scratch');
    const ref = await store.put(tree, 'tree');
    const { stdout } = await execa(helper, ['tar', tree], { encoding: 'buffer', maxBuffer: 1 << 26 });
    const archive = Buffer.from(stdout);
    assert.equal(createHash('sha256').update(archive).digest('hex'), ref.sha256);
    assert.equal(archive.length, ref.size);
    assert.deepEqual(archive, await store.getBytes(ref));
  });
});
