/**
 * How long any activity that can run long (a step, an image build, a check, a labeling batch) may
 * go without a heartbeat before Temporal gives it to another worker. Each such activity beats
 * every 2 s, so a worker killed in any phase costs the pipeline about this long, not minutes.
 */
export const LONG_ACTIVITY_HEARTBEAT_TIMEOUT = '15 seconds';

/**
 * The longest wait between retries of an activity that failed on an outage (the artifact store,
 * Docker): the pipeline resumes within this long of the service's return.
 */
export const OUTAGE_RETRY_MAX_INTERVAL = '2 seconds';
