import { Link, useParams, useSearchParams } from 'react-router';
import type { CheckReportView } from '../../../../common/console-api.js';
import { enc, useApi } from '../api.js';
import { ErrorNote, Loading, TableHead } from '../components/Notes.js';
import { VegaChart } from '../components/VegaChart.js';
import { number } from '../format.js';

/** A checker's report: the verdict, its plot drawn live from the vega-lite spec, and the per-feature scores. */
export function CheckReportPage() {
  const { sha = '' } = useParams();
  const [params] = useSearchParams();
  const report = useApi<CheckReportView>(`/api/checks/reports/${enc(sha)}`);
  const from = params.get('workflow');
  const step = params.get('step');
  if (report.isLoading) return <Loading what="the report" />;
  if (!report.data) return <ErrorNote error={report.error} />;
  const r = report.data.report;
  const features = [...(r.perFeature ?? [])].sort((a, b) => b.score - a.score);
  const top = Math.max(...features.map((f) => f.score), r.threshold, 1e-9);
  return (
    <section className="report">
      <h1>
        {step ? `${step}: ` : ''}
        {r.plugin}{' '}
        <span className={r.alarm ? 'alarm-flag big' : 'ok-flag big'} data-testid="verdict">
          {r.alarm ? 'ALARM' : r.status === 'insufficient-data' ? 'insufficient data' : 'no alarm'}
        </span>
      </h1>
      <div className="run-facts">
        <span>
          score <strong>{number(r.score)}</strong> vs threshold {number(r.threshold)}
        </span>
        {r.pValue !== undefined && <span>p = {number(r.pValue, 3)}</span>}
        {from && <Link to={`/pipelines/${enc(from)}${step ? `?step=${enc(step)}` : ''}`}>back to the run</Link>}
        <a href={`/api/artifacts/${sha}?name=report.json`} target="_blank" rel="noreferrer">
          report.json
        </a>
      </div>
      {report.data.plotSpec ? (
        <VegaChart spec={report.data.plotSpec} label="drift plot" />
      ) : (
        <p className="muted">This report has no histogram to plot.</p>
      )}
      {features.length > 0 && (
        <>
          <h2>Per feature</h2>
          <table className="grid features" data-testid="per-feature">
            <TableHead columns={['feature', 'test', 'score', '', 'p-value', 'alarm']} />
            <tbody>
              {features.map((f) => (
                <tr key={`${f.name}/${f.test ?? ''}`} className={f.alarm ? 'alarm-row' : ''}>
                  <td className="mono">{f.name}</td>
                  <td>{f.test}</td>
                  <td className="num">{number(f.score)}</td>
                  <td className="barcell">
                    <div className={`hbar ${f.alarm ? 'alarm' : ''}`} style={{ width: `${(100 * f.score) / top}%` }} />
                  </td>
                  <td className="num">{number(f.pValue, 3)}</td>
                  <td>{f.alarm ? 'yes' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <details>
        <summary>details</summary>
        <pre className="log">{JSON.stringify(r.details, null, 2).slice(0, 20_000)}</pre>
      </details>
    </section>
  );
}
