import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'minio';
import { Batcher, spooledBatches } from '../../lib/serving/sampler/batcher.js';
import { parseLogLine } from '../../lib/serving/sampler/log-line.js';
import { requestRows, responsePredictions } from '../../lib/serving/sampler/payload.js';
import { Shipper } from '../../lib/serving/sampler/shipper.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64');

describe('serving: the sampler', () => {
  it("reads HAProxy's log line with the version, status, timings and the sampled bodies", () => {
    const r = parseLogLine(`v3 200 4 5 POST /invocations ${b64({ inputs: [[1, 2]] })} ${b64({ predictions: [7] })}\n`)!;
    assert.equal(r.server, 'v3');
    assert.equal(r.status, 200);
    assert.equal(r.serverMs, 4);
    assert.deepEqual(JSON.parse(r.request!.toString()), { inputs: [[1, 2]] });
    const unsampled = parseLogLine('v1 400 3 3 POST /invocations - -')!;
    assert.equal(unsampled.request, undefined);
    assert.equal(parseLogLine('Proxy serve started.'), undefined);
  });

  it('turns every MLflow input format into rows, and answers into one prediction a row', () => {
    const split = requestRows(
      Buffer.from(
        JSON.stringify({
          dataframe_split: {
            columns: ['a', 'b'],
            data: [
              [1, 2],
              [3, 4],
            ],
          },
        }),
      ),
    );
    assert.deepEqual(split, {
      columns: ['a', 'b'],
      rows: [
        [1, 2],
        [3, 4],
      ],
    });
    assert.deepEqual(requestRows(Buffer.from(JSON.stringify({ dataframe_records: [{ a: 1, b: 2 }] }))), {
      columns: ['a', 'b'],
      rows: [[1, 2]],
    });
    assert.deepEqual(requestRows(Buffer.from(JSON.stringify({ inputs: [[5, 6]] }))), {
      columns: ['f0', 'f1'],
      rows: [[5, 6]],
    });
    assert.deepEqual(requestRows(Buffer.from(JSON.stringify({ inputs: { a: [1, 2] } }))), {
      columns: ['a'],
      rows: [[1], [2]],
    });
    assert.equal(requestRows(Buffer.from('{"inputs": [[1,')), undefined, 'a body cut short is not rows');
    assert.deepEqual(responsePredictions(Buffer.from('{"predictions": [1, 2]}')), [1, 2]);
  });

  it('cuts batches by row count into the spool, features and predictions row for row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    try {
      let cut = 0;
      const b = new Batcher(dir, { batchRows: 3, batchMs: 60_000 }, () => cut++);
      await b.add(
        {
          columns: ['a', 'b'],
          rows: [
            [1, 2],
            [3, 4],
          ],
        },
        'v1',
        [0, 1],
      );
      await b.add({ columns: ['a', 'b'], rows: [[5, 6]] }, 'v2', [9]);
      assert.equal(cut, 1);
      const [batch] = await spooledBatches(dir);
      assert.equal(readFileSync(batch!.features, 'utf8'), 'a,b\n1,2\n3,4\n5,6\n');
      assert.equal(readFileSync(batch!.predictions, 'utf8'), 'version,prediction\nv1,0\nv1,1\nv2,9\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps batches while MinIO is away and ships them all, in order, when it is back', async function () {
    this.timeout(20_000);
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    try {
      const b = new Batcher(dir, { batchRows: 1, batchMs: 60_000 }, () => undefined);
      for (let i = 0; i < 3; i++) await b.add({ columns: ['x'], rows: [[i]] }, 'v1', [i]);
      let down = 2; // the first two uploads fail: MinIO is down
      const stored: string[] = [];
      const delivered: string[] = [];
      const minio = {
        async putObject(_bucket: string, key: string) {
          if (down-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:9000');
          stored.push(key);
        },
      } as unknown as Client;
      const shipper = new Shipper(minio, {
        spoolDir: dir,
        bucket: 'b',
        prefix: 'live/d',
        deliver: async (ref) => void delivered.push(ref.name),
        log: () => undefined,
      });
      shipper.kick();
      await shipper.idle();
      assert.equal(shipper.failures, 2);
      assert.equal(delivered.length, 3, 'every batch reached the monitor');
      assert.deepEqual(delivered, [...delivered].sort(), 'in the order they were cut');
      assert.equal(stored.length, 6, 'features and predictions of each');
      assert.deepEqual(readdirSync(dir), [], 'the spool is empty once shipped');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
