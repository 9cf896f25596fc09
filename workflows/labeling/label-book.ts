import type { GivenLabel, PendingSample } from '../../common/labeling.js';
import type { RejectedLabel, SubmitLabelsResult } from '../../common/labeling-messages.js';

export interface Submission {
  labeler?: string;
  labels: Record<string, string>;
  overwrite?: boolean;
}

const MAX_LISTED = 12;
const listed = (xs: readonly string[]) =>
  xs.length > MAX_LISTED ? `${xs.slice(0, MAX_LISTED).join(', ')}, …` : xs.join(', ');

/**
 * One round's batch and the labels given for it. Pure state (no I/O, deterministic), shared by
 * the signal handler, the update's validator and its handler, so all three judge a submission
 * the same way: unknown ids, labels outside the label set, and samples already labeled otherwise
 * (without `overwrite`) are rejected with their reason; a repeat changes nothing.
 */
export class LabelBook {
  private readonly byId: Map<string, PendingSample>;
  private readonly given: Map<string, GivenLabel>;
  private closedReason: string | undefined;

  constructor(
    readonly round: number,
    private readonly samples: PendingSample[],
    private readonly labelSet: readonly string[],
    given: Record<string, GivenLabel> = {},
  ) {
    this.byId = new Map(samples.map((s) => [s.id, s]));
    this.given = new Map(Object.entries(given));
  }

  /** Judges a submission without recording it. */
  review(sub: Submission): SubmitLabelsResult {
    const accepted: string[] = [];
    const unchanged: string[] = [];
    const rejected: RejectedLabel[] = [];
    const allowed = new Set(this.labelSet);
    for (const [id, label] of Object.entries(sub.labels)) {
      const prior = this.given.get(id);
      if (this.closedReason) rejected.push({ id, label, reason: this.closedReason });
      else if (!this.byId.has(id)) {
        rejected.push({
          id,
          label,
          reason: `unknown sample id "${id}": round ${this.round} asks for ${listed([...this.byId.keys()])}`,
        });
      } else if (!allowed.has(label)) {
        rejected.push({
          id,
          label,
          reason: `label "${label}" is not in the label set (${listed([...this.labelSet])})`,
        });
      } else if (prior && prior.label === label) unchanged.push(id);
      else if (prior && !sub.overwrite) {
        rejected.push({
          id,
          label,
          reason: `sample "${id}" is already labeled "${prior.label}"${prior.labeler ? ` by ${prior.labeler}` : ''}; send overwrite: true to change it`,
        });
      } else accepted.push(id);
    }
    const pendingAfter = [...this.byId.keys()].filter((id) => !this.given.has(id) && !accepted.includes(id)).length;
    return { round: this.round, accepted, unchanged, rejected, pending: pendingAfter };
  }

  /** Records what `review` accepts; returns the same verdict. */
  apply(sub: Submission, at: number): SubmitLabelsResult {
    const verdict = this.review(sub);
    for (const id of verdict.accepted)
      this.given.set(id, { label: sub.labels[id]!, ...(sub.labeler ? { labeler: sub.labeler } : {}), at });
    return verdict;
  }

  /** No more labels are taken (the round is retraining, or over). */
  close(reason: string): void {
    this.closedReason = reason;
  }

  get isClosed(): boolean {
    return this.closedReason !== undefined;
  }

  get asked(): number {
    return this.samples.length;
  }

  get labeledCount(): number {
    return this.given.size;
  }

  get complete(): boolean {
    return this.given.size >= this.samples.length;
  }

  /** The samples still to label, in the batch's order (most informative first). */
  pending(): PendingSample[] {
    return this.samples.filter((s) => !this.given.has(s.id));
  }

  labels(): Record<string, GivenLabel> {
    return Object.fromEntries(this.given);
  }

  /** New preview URLs (they expire; the session refreshes them while it waits). */
  setPreviews(urls: Record<string, string>): void {
    for (const s of this.samples) if (urls[s.id]) s.preview = urls[s.id];
  }
}
