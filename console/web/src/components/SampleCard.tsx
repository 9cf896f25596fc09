import { forwardRef } from 'react';
import type { ReferenceProfile } from '../../../../common/console-api.js';
import type { GivenLabel, PendingSample } from '../../../../common/labeling.js';
import { number } from '../format.js';
import type { SentLabel } from '../labeling/draft.js';

function RowTable({ row, reference }: { row: Record<string, number | string | null>; reference?: ReferenceProfile }) {
  const profile = new Map((reference?.columns ?? []).map((c) => [c.name, c]));
  const labels = reference ? [...new Set(reference.columns.flatMap((c) => Object.keys(c.byLabel)))].sort() : [];
  return (
    <div className="row-table">
      <table className="grid compact">
        <thead>
          <tr>
            <th>feature</th>
            <th>this sample</th>
            {reference && <th title={`median of the labeled set (${reference.rows} rows)`}>typical</th>}
            {reference && <th title="25th to 75th percentile of the labeled set">middle half</th>}
            {labels.map((l) => (
              <th key={l} title={`median of the labeled rows with label ${l}`}>
                label {l}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Object.entries(row).map(([name, value]) => {
            const p = profile.get(name);
            const v = typeof value === 'number' ? value : Number(value);
            const outside = p && Number.isFinite(v) && (v < p.p25 || v > p.p75);
            return (
              <tr key={name} className={outside ? 'outside' : ''}>
                <td className="mono">{name}</td>
                <td className="num strong">{typeof value === 'number' ? number(value) : String(value ?? '')}</td>
                {reference && <td className="num">{p ? number(p.median) : ''}</td>}
                {reference && <td className="num muted">{p ? `${number(p.p25, 3)} – ${number(p.p75, 3)}` : ''}</td>}
                {labels.map((l) => (
                  <td key={l} className="num muted">
                    {p?.byLabel[l] !== undefined ? number(p.byLabel[l], 3) : ''}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * One sample, large: an image scaled up with crisp pixels, or a tabular row beside the labeled
 * set's typical values; the label this screen gave it (drafted or sent, with the session's answer
 * in place) or the one someone else gave it.
 */
export const SampleCard = forwardRef<
  HTMLDivElement,
  {
    sample: PendingSample;
    current: boolean;
    drafted?: string;
    sent?: SentLabel;
    byOthers?: GivenLabel;
    reference?: ReferenceProfile;
    onFocus(): void;
  }
>(function SampleCard({ sample, current, drafted, sent, byOthers, reference, onFocus }, ref) {
  const status = drafted !== undefined ? 'drafted' : sent ? sent.status : byOthers ? 'others' : 'open';
  return (
    <div
      ref={ref}
      className={`sample ${current ? 'current' : ''} ${status}`}
      data-sample={sample.id}
      data-status={status}
      onClick={onFocus}
    >
      <div className="sample-head">
        <span className="mono">{sample.id}</span>
        <span className="muted small">score {number(sample.score, 3)}</span>
      </div>
      {sample.preview ? (
        <img className="pixelated" src={sample.preview} alt={`sample ${sample.id}`} />
      ) : sample.row ? (
        <RowTable row={sample.row} reference={reference} />
      ) : (
        <p className="muted">no preview</p>
      )}
      <div className="sample-label" data-testid="sample-label">
        {drafted !== undefined && (
          <>
            <span className="label-chip">{drafted}</span> <span className="muted">not sent yet</span>
          </>
        )}
        {drafted === undefined && sent?.status === 'accepted' && (
          <>
            <span className="label-chip ok">{sent.label}</span> saved
          </>
        )}
        {drafted === undefined && sent?.status === 'unchanged' && (
          <>
            <span className="label-chip ok">{sent.label}</span> already had this label
          </>
        )}
        {drafted === undefined && !sent && byOthers && (
          <>
            <span className="label-chip other">{byOthers.label}</span> by {byOthers.labeler ?? 'someone'}
          </>
        )}
        {drafted === undefined && !sent && !byOthers && <span className="muted">press a label key</span>}
        {sent?.status === 'rejected' && (
          <div className="rejection" role="alert" data-testid="rejection">
            {sent.label} rejected: {sent.reason}
          </div>
        )}
      </div>
    </div>
  );
});
