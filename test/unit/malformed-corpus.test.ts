import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { LabelingSpecError } from '../../common/labeling.js';
import { PipelineSpecError } from '../../common/pipeline-spec.js';
import { planPipeline, readPipelineFile } from '../../client/prepare-pipeline.js';
import { prepareLabelingSession, readLabelingSessionFile } from '../../client/start-labeling-session.js';
import { LabelsFileError, readLabelsFile } from '../../cli/labeling/labels-file.js';
import { loadPipelineFile } from '../../cli/graph/load-spec.js';
import type { PendingSample, SessionPhase } from '../../common/labeling.js';
import { LabelBook } from '../../workflows/labeling/label-book.js';
import { refuseUpdate } from '../../workflows/labeling/submission.js';
import { RecordingStore } from '../helpers/recording-store.js';

/**
 * Every malformed input of test/fixtures/malformed/, run through exactly what refuses it in use:
 * the CLI's file readers, the client's checks before upload, and the labeling session's update
 * validator. Each manifest names a file (or a payload) and a fragment its message must contain.
 */
const corpus = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/malformed');
const manifest = <T>(name: string): T[] => parse(readFileSync(join(corpus, name), 'utf8')) as T[];

/** The message of what `fn` throws, which must be an `ErrorClass`; fails when nothing is thrown. */
async function refusal(fn: () => unknown, ErrorClass: new (...args: never[]) => Error): Promise<string> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof ErrorClass, `expected a ${ErrorClass.name}, got ${String(err)}`);
    return err.message;
  }
  assert.fail('it was accepted');
}

const includes = (message: string, expect: string) =>
  assert.ok(message.includes(expect), `expected the message to contain\n  ${expect}\nbut it was\n  ${message}`);

describe('the malformed-input corpus', () => {
  describe('pipeline specs', () => {
    const specs = manifest<{ file: string; expect: string; only?: 'prepare' }>('specs.yaml');
    it('holds at least 30 specs', () => assert.ok(specs.length >= 30, `${specs.length} specs`));
    for (const { file, expect, only } of specs) {
      it(`refuses specs/${file}: ${expect}`, async () => {
        const path = join(corpus, 'specs', file);
        const message = await refusal(
          () => planPipeline(readPipelineFile(path), { baseDir: dirname(path) }),
          PipelineSpecError,
        );
        includes(message, expect);
        if (only !== 'prepare') includes(await refusal(() => loadPipelineFile(path), PipelineSpecError), expect);
      });
    }
  });

  describe('label submissions', () => {
    const batch: PendingSample[] = ['s1', 's2', 's3', 's4'].map((id, i) => ({ id, score: 1 - i / 10 }));
    const book = (phase: SessionPhase) => {
      if (phase === 'selecting') return undefined;
      const b = new LabelBook(1, structuredClone(batch), ['a', 'b'], { s1: { label: 'a', labeler: 'ann', at: 0 } });
      if (phase !== 'waiting') b.close('round 1 closed at completion');
      return b;
    };
    const cases = manifest<{
      name: string;
      payload: unknown;
      expect?: string;
      accepted?: string[];
      phase?: SessionPhase;
    }>('submissions.yaml');
    it('holds at least 22 submissions', () => assert.ok(cases.length >= 22, `${cases.length} submissions`));
    for (const { name, payload, expect, accepted, phase = 'waiting' } of cases) {
      it(`${expect ? 'refuses' : 'takes'} ${name}: ${expect ?? `accepts ${accepted!.join(', ') || 'nothing new (unchanged)'}`}`, () => {
        const b = book(phase);
        const refused = refuseUpdate(b, payload, 1, phase);
        if (expect) {
          assert.ok(refused, 'it was accepted');
          includes(refused.message, expect);
        } else {
          assert.equal(refused, undefined, refused?.message);
          assert.deepEqual(b!.review(payload as never).accepted, accepted);
        }
      });
    }
  });

  describe('labels files', () => {
    const files = manifest<{ file: string; expect: string }>('labels.yaml');
    it('holds at least 12 labels files', () => assert.ok(files.length >= 12, `${files.length} files`));
    for (const { file, expect } of files) {
      it(`refuses labels/${file}: ${expect}`, async () => {
        includes(await refusal(() => readLabelsFile(join(corpus, 'labels', file)), LabelsFileError), expect);
      });
    }
  });

  describe('labeling session specs', () => {
    const sessions = manifest<{ file: string; expect: string }>('sessions.yaml');
    it('holds at least 12 session specs', () => assert.ok(sessions.length >= 12, `${sessions.length} sessions`));
    for (const { file, expect } of sessions) {
      it(`refuses sessions/${file}, uploading nothing: ${expect}`, async () => {
        const path = join(corpus, 'sessions', file);
        const store = new RecordingStore();
        const message = await refusal(
          async () => prepareLabelingSession(readLabelingSessionFile(path), { baseDir: dirname(path), store }),
          LabelingSpecError,
        );
        includes(message, expect);
        assert.deepEqual(store.puts, [], 'nothing was uploaded');
      });
    }
  });
});
