import { strict as assert } from 'node:assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataFormatError, DataShapeError } from '../../plugins/errors.js';
import { npyHeader, writeNpy } from '../builders/npy-writer.js';
import { tempFolder } from '../helpers/temp.js';
import type { Chunk, Dataset } from '../../lib/data/dataset.js';
import { openDataset } from '../../lib/data/open-dataset.js';

async function all(ds: Dataset, opts?: Parameters<Dataset['chunks']>[0]): Promise<Chunk[]> {
  const out: Chunk[] = [];
  for await (const c of ds.chunks(opts)) out.push(c);
  return out;
}

describe('reading checker data', () => {
  const tmp = tempFolder('data');

  it('infers numeric and categorical CSV columns and streams rows in bounded chunks', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `${i},${i % 2 ? 'red' : 'blue'},${i / 2}`);
    const ds = await openDataset(await tmp.file('a.csv', `id,colour,half\n${rows.join('\n')}\n`));
    const schema = await ds.schema();
    assert.deepEqual(schema.columns, [
      { name: 'id', kind: 'numeric' },
      { name: 'colour', kind: 'categorical' },
      { name: 'half', kind: 'numeric' },
    ]);
    const chunks = await all(ds, { chunkRows: 4 });
    assert.deepEqual(
      chunks.map((c) => c.rows),
      [4, 4, 2],
    );
    assert.deepEqual(
      chunks.map((c) => c.offset),
      [0, 4, 8],
    );
    assert.deepEqual([...chunks[2]!.numeric], [8, 4, 9, 4.5]);
    assert.deepEqual(chunks[0]!.categorical.get('colour'), ['blue', 'red', 'blue', 'red']);
  });

  it('keeps missing cells, NaN, Inf and text in numeric columns apart', async () => {
    const ds = await openDataset(await tmp.file('b.csv', 'x,y\n1,2\n,nan\nNA,inf\nabc,-Infinity\n'));
    const schema = await ds.schema();
    const fixed = {
      ...schema,
      columns: [
        { name: 'x', kind: 'numeric' as const },
        { name: 'y', kind: 'numeric' as const },
      ],
      featureShape: [2],
    };
    const [c] = await all(ds, { schema: fixed });
    assert.deepEqual([...c!.missing], [2, 0]);
    assert.deepEqual([...c!.invalid], [1, 0]);
    assert.equal(c!.numeric[3], Number.NaN);
    assert.equal(c!.numeric[5], Number.POSITIVE_INFINITY);
    assert.equal(c!.numeric[7], Number.NEGATIVE_INFINITY);
  });

  it('rejects a CSV with a ragged row, naming its line', async () => {
    const ds = await openDataset(await tmp.file('ragged.csv', 'a,b,c\n1,2,3\n4,5,6\n7,8\n'));
    await assert.rejects(
      all(ds),
      (err: Error) => err instanceof DataFormatError && /line 4/.test(err.message) && /header/.test(err.message),
    );
  });

  it("names the missing columns when a CSV lacks the fitted schema's columns", async () => {
    const ds = await openDataset(await tmp.file('c.csv', 'a\n1\n'));
    const schema = {
      format: 'csv' as const,
      columns: [
        { name: 'a', kind: 'numeric' as const },
        { name: 'b', kind: 'numeric' as const },
      ],
      featureShape: [2],
    };
    await assert.rejects(
      all(ds, { schema }),
      (err: Error) => err instanceof DataShapeError && /column\(s\) b missing/.test(err.message),
    );
  });

  it('flattens N-D .npy rows (images) into features and reads float64 and big-endian files', async () => {
    const path = join(tmp.dir(), 'img.npy');
    await writeNpy(
      path,
      5,
      [1, 2, 3],
      (block, first, n) => {
        for (let i = 0; i < n * 6; i++) block[i] = first * 6 + i;
      },
      '<f8',
      2,
    );
    const ds = await openDataset(path);
    const schema = await ds.schema();
    assert.deepEqual(schema.featureShape, [1, 2, 3]);
    assert.equal(schema.columns.length, 6);
    const chunks = await all(ds, { chunkRows: 2 });
    assert.deepEqual(
      chunks.map((c) => c.rows),
      [2, 2, 1],
    );
    assert.ok(chunks[0]!.numeric instanceof Float64Array);
    assert.equal(chunks[2]!.numeric[5], 29);

    const be = join(tmp.dir(), 'be.npy');
    const values = Buffer.alloc(8);
    values.writeFloatBE(1.5, 0);
    values.writeFloatBE(-2, 4);
    const header = Buffer.from(npyHeader([1, 2]).toString('latin1').replace("'<f4'", "'>f4'"), 'latin1');
    await writeFile(be, Buffer.concat([header, values]));
    const [c] = await all(await openDataset(be));
    assert.deepEqual([...c!.numeric], [1.5, -2]);
  });

  it('rejects a truncated .npy and unsupported dtypes with what is wrong', async () => {
    const path = join(tmp.dir(), 'trunc.npy');
    await writeFile(path, Buffer.concat([npyHeader([10, 4]), Buffer.alloc(16)]));
    await assert.rejects(all(await openDataset(path)), /truncated.*needs 2[0-9]+ bytes/);
    const ints = join(tmp.dir(), 'ints.npy');
    await writeFile(ints, Buffer.from(npyHeader([1, 1]).toString('latin1').replace("'<f4'", "'<i8'"), 'latin1'));
    await assert.rejects((await openDataset(ints)).schema(), /dtype <i8 is not supported/);
  });

  it('reads a 2-D .npy with a bounded chunk size whatever the file size', async () => {
    const path = join(tmp.dir(), 'big.npy');
    await writeNpy(path, 20_000, [64], (block) => block.fill(1));
    const chunks = await all(await openDataset(path), { chunkBytes: 64 * 4 * 1000 });
    assert.equal(chunks.length, 20);
    assert.ok(chunks.every((c) => c.numeric.length <= 64 * 1000));
  });
});
