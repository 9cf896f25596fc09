import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import pino from 'pino';
import { DeferredCleanup } from '../../activities/steps/deferred-cleanup.js';

/** A logger whose lines land in `lines`. */
function capturingLogger(lines: { level: number; msg: string }[]) {
  return pino(
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        cb();
      },
    }),
  );
}

describe('deferred clean-up', () => {
  it('drains work started before and during the drain, and logs a failure instead of throwing it', async () => {
    const lines: { level: number; msg: string }[] = [];
    const cleanup = new DeferredCleanup(capturingLogger(lines));
    const done: string[] = [];
    cleanup.later('first', async () => {
      await new Promise((r) => setTimeout(r, 30));
      done.push('first');
      cleanup.later('second', async () => {
        await new Promise((r) => setTimeout(r, 30));
        done.push('second');
      });
    });
    cleanup.later('broken', async () => {
      throw new Error('docker went away');
    });
    await cleanup.drain();
    assert.deepEqual(done, ['first', 'second']);
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['clean-up failed: broken'],
    );
  });

  it('stops waiting after its timeout with a warning, leaving the rest to the next sweep', async () => {
    const lines: { level: number; msg: string }[] = [];
    const cleanup = new DeferredCleanup(capturingLogger(lines));
    cleanup.later('stuck', () => new Promise<void>(() => undefined));
    const t0 = Date.now();
    await cleanup.drain(50);
    assert.ok(Date.now() - t0 < 5000);
    assert.match(lines[0]!.msg, /still running after 50 ms/);
  });
});
