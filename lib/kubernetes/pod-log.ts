import { Writable } from 'node:stream';

/**
 * The line the I/O helper prints to the step container's stdout once the step's result is stored
 * (lib/kubernetes/step-io/run.go): the worker then knows the attempt is over without waiting for
 * the kubelet to notice the container's exit (its relist runs once a second) and for the Job's status.
 * It is kept out of the step's log.
 */
const RS = String.fromCharCode(0x1e); // ASCII record separator: no step prints it by chance
const DONE_HEAD = `${RS}tidemark-step-io:done:`;

/** A writable that splits a log stream into lines for `onLine` and reports the done marker. */
export class LogLines extends Writable {
  private rest = '';
  private readonly decoder = new TextDecoder();
  /** How many lines were passed on (to skip them when the whole log is read again). */
  count = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    /** The step's exit code, from the marker. */
    private readonly onDone: (exitCode: number) => void,
  ) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    const lines = (this.rest + this.decoder.decode(chunk, { stream: true })).split('\n');
    this.rest = lines.pop()!;
    for (const line of lines) this.line(line);
    cb();
  }

  override _final(cb: () => void): void {
    if (this.rest) this.line(this.rest);
    this.rest = '';
    cb();
  }

  private line(line: string): void {
    if (line.startsWith(DONE_HEAD) && line.endsWith(RS)) {
      const code = Number(line.slice(DONE_HEAD.length, -1));
      if (Number.isInteger(code)) return this.onDone(code);
    }
    this.count++;
    this.onLine(line);
  }
}
