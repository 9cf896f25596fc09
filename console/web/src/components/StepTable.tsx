import { useState } from 'react';
import type { StepState } from '../../../../common/messages.js';
import { duration } from '../format.js';
import { StateBadge } from './StateBadge.js';

type SortKey = 'key' | 'state' | 'durationMs' | 'startedAt';

/** Every step and map item as a table: filtered by the page's search, sortable, one click to select. */
export function StepTable(props: {
  steps: StepState[];
  search: string;
  selected?: string;
  onSelect(key: string): void;
}) {
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'startedAt', desc: false });
  const q = props.search.trim().toLowerCase();
  const rows = props.steps
    .filter((s) => !q || s.key.toLowerCase().includes(q) || s.state === q || s.kind === q)
    .sort((a, b) => {
      const va = a[sort.key] ?? (sort.key === 'startedAt' ? Number.MAX_SAFE_INTEGER : '');
      const vb = b[sort.key] ?? (sort.key === 'startedAt' ? Number.MAX_SAFE_INTEGER : '');
      const c = va < vb ? -1 : va > vb ? 1 : 0;
      return sort.desc ? -c : c;
    });
  const head = (key: SortKey, label: string) => (
    <th>
      <button className="link" onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : false })}>
        {label}
        {sort.key === key ? (sort.desc ? ' ▾' : ' ▴') : ''}
      </button>
    </th>
  );
  return (
    <table className="grid steps-table" data-testid="step-table">
      <thead>
        <tr>
          {head('key', 'step')}
          <th>kind</th>
          {head('state', 'state')}
          {head('durationMs', 'duration')}
          {head('startedAt', 'started')}
          <th>attempt</th>
          <th>note</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((s) => (
          <tr
            key={s.key}
            className={props.selected === s.key ? 'selected' : ''}
            onClick={() => props.onSelect(s.key)}
            data-step={s.key}
          >
            <td className="mono">{s.key}</td>
            <td>{s.kind}</td>
            <td>
              <StateBadge state={s.state} />
            </td>
            <td>{duration(s.durationMs)}</td>
            <td>{s.startedAt ? new Date(s.startedAt).toLocaleTimeString() : ''}</td>
            <td>{s.attempt ? s.attempt + 1 : ''}</td>
            <td className="note">{s.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
