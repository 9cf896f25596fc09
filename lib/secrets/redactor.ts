/** What a redacted secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Parts of a secret shorter than this are not redacted on their own: a multi-line secret (a PEM
 * key) is also redacted line by line, since a log is read line by line, but a short line such as
 * `-----` would blank out unrelated text.
 */
const MIN_PART = 8;

/**
 * Replaces every occurrence of a set of secret values in text (log lines, error messages) before
 * it leaves the worker. A value that spans lines is also redacted by each of its longer lines,
 * since the container's log reaches the worker line by line. Hand-written: a plain replace over a
 * handful of strings needs no library.
 */
export class Redactor {
  private readonly parts: string[];

  private constructor(values: readonly string[]) {
    const parts = new Set<string>();
    for (const value of values) {
      if (!value) continue;
      parts.add(value);
      if (/[\r\n]/.test(value))
        for (const line of value.split(/\r?\n|\r/)) if (line.trim().length >= MIN_PART) parts.add(line);
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.parts = [...parts].sort((a, b) => b.length - a.length);
  }

  static of(values: readonly string[]): Redactor {
    return new Redactor(values);
  }

  /** True when there is nothing to redact. */
  get empty(): boolean {
    return this.parts.length === 0;
  }

  text(s: string): string {
    let out = s;
    for (const part of this.parts) if (out.includes(part)) out = out.split(part).join(REDACTED);
    return out;
  }

  /** The error with its message (and its stack, which repeats it) redacted, in place. */
  error<E>(err: E): E {
    if (this.empty || !(err instanceof Error)) return err;
    err.message = this.text(err.message);
    if (err.stack) err.stack = this.text(err.stack);
    if ('logTail' in err && typeof err.logTail === 'string')
      (err as unknown as { logTail: string }).logTail = this.text(err.logTail);
    return err;
  }
}
