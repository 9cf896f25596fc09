import { strict as assert } from 'node:assert';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabelingSpecError } from '../../common/labeling.js';
import { PipelineSpecError } from '../../common/pipeline-spec.js';
import { preparePipeline } from '../../client/prepare-pipeline.js';
import { prepareLabelingSession } from '../../client/start-labeling-session.js';
import { RecordingStore } from '../helpers/recording-store.js';
import { tempFolder } from '../helpers/temp.js';

const img = 'tidemark/busybox:latest';

describe('a refused spec uploads nothing', () => {
  const tmp = tempFolder('refused-uploads');
  before(async () => {
    await tmp.file('data.csv', 'a,b\n1,2\n');
    await tmp.file('pool.csv', 'id,f0\ns0,1\n');
    await tmp.file('labeled.csv', 'f0,label\n1,a\n');
    await mkdir(join(tmp.dir(), 'image'));
    await writeFile(join(tmp.dir(), 'image', 'Dockerfile'), 'FROM tidemark/python-ml:latest\n');
  });

  const pipeline = (buildContext: string) => ({
    name: 'p',
    inputs: { data: { path: './data.csv' } },
    steps: [
      { name: 'use', image: img, inputs: { d: 'inputs.data', e: { path: './data.csv' } }, outputs: ['o'] },
      { name: 'built', build: { context: buildContext }, inputs: { o: 'use.o' } },
    ],
  });

  it('uploads every local file of a pipeline that passes', async () => {
    const store = new RecordingStore();
    const { spec } = await preparePipeline(pipeline('./image'), { baseDir: tmp.dir(), store });
    assert.deepEqual(store.puts.map((p) => p.name).sort(), ['built-context', 'data', 'e']);
    assert.match(JSON.stringify(spec), /s3:\/\/memory\//);
  });

  it('uploads none of a pipeline whose build folder is missing, though its other inputs exist', async () => {
    const store = new RecordingStore();
    await assert.rejects(preparePipeline(pipeline('./no-such-image'), { baseDir: tmp.dir(), store }), (err) => {
      assert.ok(err instanceof PipelineSpecError);
      assert.match(err.message, /step "built", field build\.context: \.\/no-such-image does not exist/);
      return true;
    });
    assert.deepEqual(store.puts, []);
  });

  it('uploads none of a pipeline with an undeclared param override', async () => {
    const store = new RecordingStore();
    await assert.rejects(
      preparePipeline(pipeline('./image'), { baseDir: tmp.dir(), store, params: { nope: 1 } }),
      /param "nope" is not declared by pipeline "p"/,
    );
    assert.deepEqual(store.puts, []);
  });

  const session = (over: Record<string, unknown> = {}) => ({
    name: 's',
    pool: { path: './pool.csv' },
    labeled: './labeled.csv',
    scorer: { kind: 'random' },
    batchSize: 2,
    labelSet: ['a', 'b'],
    retrain: {
      build: { context: './image' },
      outputs: { model: 'model.pkl' },
      inputs: { extra: { path: './data.csv' } },
    },
    evaluate: { image: img },
    ...over,
  });

  it('uploads the files of a labeling session that passes', async () => {
    const store = new RecordingStore();
    const { spec } = await prepareLabelingSession(session(), { baseDir: tmp.dir(), store });
    assert.deepEqual(store.puts.map((p) => p.name).sort(), ['extra', 'labeled', 'pool', 'retrain-context']);
    assert.equal((spec.pool as { uri: string }).uri.startsWith('s3://memory/'), true);
  });

  it('uploads none of a labeling session whose retrain build folder is missing, though its pool exists', async () => {
    const store = new RecordingStore();
    const bad = session({
      retrain: { build: { context: './gone' }, outputs: { model: 'model.pkl' } },
    });
    await assert.rejects(prepareLabelingSession(bad, { baseDir: tmp.dir(), store }), (err) => {
      assert.ok(err instanceof LabelingSpecError);
      assert.match(err.message, /retrain\.build\.context: \.\/gone does not exist/);
      return true;
    });
    assert.deepEqual(store.puts, []);
  });

  it('uploads none of a labeling session refused for a field, and names every problem at once', async () => {
    const store = new RecordingStore();
    const bad = session({ batchSize: 0, labeled: './missing.csv' });
    await assert.rejects(prepareLabelingSession(bad, { baseDir: tmp.dir(), store }), (err) => {
      assert.ok(err instanceof LabelingSpecError);
      assert.match(err.message, /labeled: \.\/missing\.csv does not exist/);
      assert.match(err.message, /batchSize: must be more than 0, got 0/);
      return true;
    });
    assert.deepEqual(store.puts, []);
  });
});
