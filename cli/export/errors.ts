/** Thrown when a pipeline cannot be written as a compose file; `problems` names each step and field at fault. */
export class ComposeExportError extends Error {
  override readonly name = 'ComposeExportError';

  constructor(readonly problems: string[]) {
    super(
      `Cannot export the pipeline as a compose file (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}
