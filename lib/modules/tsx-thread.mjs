// Development only: the entry of a worker thread whose module is TypeScript source. Node 20 does
// not pass the parent's loader on to worker threads, so this registers tsx's loader in the thread
// and then imports the module named by the thread's first argument. The built package never uses
// it (its threads run compiled JavaScript).
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
