/** Every workflow Tidemark registers on a worker. */
export { smoke } from './smoke.js';
export { pipeline } from './pipeline/pipeline.js';
export { pipelineMapShard } from './pipeline/sharded-map.js';
export { monitor } from './monitor.js';
export { watchPrefix } from './watch-prefix.js';
export { labelingSession } from './labeling/labeling-session.js';
export { deployment } from './deployment/deployment.js';
