import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMinioClient } from '../../lib/artifacts/minio-client.js';
import { MinioArtifactStore } from '../../lib/artifacts/minio-store.js';
import { testConfig, uniqueId } from '../helpers/integration.js';
import { tempDir } from '../helpers/temp.js';

/** A pid no process has (pids stop well below 2^22 on Linux). */
const DEAD_PID = 4_194_303;

describe('the sweep of abandoned transfers at a worker start', () => {
  it('removes partial downloads of processes that are gone and multipart uploads never completed, and keeps live ones', async () => {
    const scratch = tempDir('scratch-sweep');
    mkdirSync(scratch, { recursive: true });
    const dead = join(scratch, `${DEAD_PID}-a.part`);
    const mine = join(scratch, `${process.pid}-b.part`);
    const live = join(scratch, '1-c.tar'); // pid 1 is always alive
    for (const f of [dead, mine, live]) writeFileSync(f, 'x'.repeat(1000));
    const client = createMinioClient(testConfig.minio);
    const key = `cas/sweep-test/${uniqueId('upload')}`;
    const uploadId = await client.initiateNewMultipartUpload(testConfig.minio.bucket, key, {});
    assert.ok(uploadId);
    const pending = async () =>
      (await client.listIncompleteUploadsQuery(testConfig.minio.bucket, key, '', '', '')).uploads.length;
    assert.equal(await pending(), 1);

    const store = new MinioArtifactStore(client, testConfig.minio.bucket, scratch);
    const young = await store.sweepAbandoned(undefined, key);
    assert.equal(await pending(), 1, 'an upload begun a moment ago may be live: kept');
    assert.equal(existsSync(dead), false, "a dead process's partial download is removed");
    assert.ok(young.files >= 1 && young.bytes >= 1000);

    const swept = await store.sweepAbandoned(0, key); // every upload now counts as old (this test's only)
    assert.ok(swept.uploads >= 1);
    assert.equal(await pending(), 0, 'the abandoned multipart upload is aborted');
    assert.ok(existsSync(mine) && existsSync(live), 'files of live processes stay');
  });
});
