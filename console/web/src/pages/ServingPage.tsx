import type { ConsoleInfo } from '../../../../common/console-api.js';
import { useApi } from '../api.js';

/**
 * Model serving: each deployment's versions, weights, gate readings and decisions. The seam for
 * the `deployment` workflow: until it is part of this build, the page says so.
 */
export function ServingPage() {
  const info = useApi<ConsoleInfo>('/api/info');
  return (
    <section>
      <h1>Serving</h1>
      {info.data?.serving ? null : (
        <p className="empty">
          Model serving (the <code>deployment</code> workflow) is not part of this build yet. When it is, this page
          lists each deployment with its versions, their traffic weights, the gate readings and the decisions taken.
        </p>
      )}
    </section>
  );
}
