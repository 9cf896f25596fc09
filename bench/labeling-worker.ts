/**
 * The labeling benchmark's worker, in a process of its own so that its memory is measured alone:
 * a plain Tidemark worker (default options) on the task queue given as the first argument.
 * Prints "ready" once polling; stops on SIGTERM.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { resolveConfig } from '../lib/config/resolve-config.js';
import { createTidemarkWorker } from '../workers/create-worker.js';

const taskQueue = process.argv[2];
if (!taskQueue) throw new Error('usage: labeling-worker.ts <task queue>');
Runtime.install({ logger: new DefaultLogger('WARN') });
const config = resolveConfig();
const { worker, connection } = await createTidemarkWorker({ config, worker: { taskQueue } });
process.on('SIGTERM', () => worker.shutdown());
const running = worker.run();
console.log('ready');
await running;
await connection.close();
