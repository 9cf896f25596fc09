import { NavLink, Navigate, Route, Routes } from 'react-router';
import type { ConsoleInfo } from '../../../common/console-api.js';
import { useApi } from './api.js';
import { CheckReportPage } from './pages/CheckReportPage.js';
import { ChecksPage } from './pages/ChecksPage.js';
import { LabelingPage } from './pages/LabelingPage.js';
import { LabelingQueuePage } from './pages/LabelingQueuePage.js';
import { MetricsPage } from './pages/MetricsPage.js';
import { MonitorPage } from './pages/MonitorPage.js';
import { PipelineRunPage } from './pages/PipelineRunPage.js';
import { PipelinesPage } from './pages/PipelinesPage.js';
import { ServingPage } from './pages/ServingPage.js';

export function App() {
  const info = useApi<ConsoleInfo>('/api/info');
  return (
    <div className="app">
      <header className="topbar">
        <NavLink to="/" className="brand">
          <span className="brand-mark">≋</span> Tidemark
        </NavLink>
        <nav>
          <NavLink to="/pipelines">Pipelines</NavLink>
          <NavLink to="/labeling">Labeling</NavLink>
          <NavLink to="/checks">Checks</NavLink>
          <NavLink to="/metrics">Metrics</NavLink>
          <NavLink to="/serving">Serving</NavLink>
        </nav>
        <div className="outlinks">
          {info.data && (
            <>
              <a
                href={`${info.data.temporalUiUrl}/namespaces/${info.data.namespace}/workflows`}
                target="_blank"
                rel="noreferrer"
              >
                Temporal UI ↗
              </a>
              <a
                href={`${info.data.mlflowUrl}/#/experiments?workflowType=machine_learning`}
                target="_blank"
                rel="noreferrer"
              >
                MLflow ↗
              </a>
            </>
          )}
        </div>
      </header>
      <main>
        <Routes>
          <Route path="/" element={<Navigate to="/pipelines" replace />} />
          <Route path="/pipelines" element={<PipelinesPage />} />
          <Route path="/pipelines/:id" element={<PipelineRunPage />} />
          <Route path="/labeling" element={<LabelingQueuePage />} />
          <Route path="/labeling/:id" element={<LabelingPage />} />
          <Route path="/checks" element={<ChecksPage />} />
          <Route path="/checks/reports/:sha" element={<CheckReportPage />} />
          <Route path="/monitors/:id" element={<MonitorPage />} />
          <Route path="/metrics" element={<MetricsPage />} />
          <Route path="/serving" element={<ServingPage />} />
          <Route path="*" element={<p className="empty">No such page.</p>} />
        </Routes>
      </main>
    </div>
  );
}
