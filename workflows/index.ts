/** Every workflow Tidemark registers on a worker. */
export { smoke } from './smoke';
export { pipeline } from './pipeline/pipeline';
export { monitor } from './monitor';
export { watchPrefix } from './watch-prefix';
export { labelingSession } from './labeling/labeling-session';
