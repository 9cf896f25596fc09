export function Loading({ what }: { what?: string }) {
  return <p className="muted">Loading{what ? ` ${what}` : ''} …</p>;
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div className="error-note" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </div>
  );
}

export function ExternalLink({ href, children }: { href?: string; children: React.ReactNode }) {
  if (!href) return null;
  return (
    <a href={href} target="_blank" rel="noreferrer" className="outlink">
      {children} ↗
    </a>
  );
}

/** A table's head row from column titles ('' for an untitled column). */
export function TableHead({ columns }: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => (
          <th key={`${c}-${i}`}>{c}</th>
        ))}
      </tr>
    </thead>
  );
}
