import { fileURLToPath } from 'node:url';
import { siblingModule } from '../lib/modules/sibling-module.js';

/**
 * Modules loaded once per worker and shared by every workflow it runs, instead of once per
 * workflow: Temporal's reusable V8 context gives each workflow its own copy of every module it
 * imports, and zod's classes cost over a megabyte a copy. Shared modules are deep-frozen, so only
 * code that never mutates its module-level objects belongs here: zod's library code qualifies,
 * schemas built with it do not (zod writes to its schema objects as it parses).
 */
export const SHARED_WORKFLOW_MODULES = [fileURLToPath(siblingModule(import.meta.url, '../common/zod-shared'))];
