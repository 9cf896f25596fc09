/**
 * zod, for preloading into the workers' shared workflow context (see SHARED_WORKFLOW_MODULES in
 * workers/shared-workflow-modules.ts). A bare `zod` preload is dropped by the bundler, since zod's package
 * declares no side effects; this re-export keeps it.
 */
import { z } from 'zod';

// zod fills its global config (the default error locale) on first use; shared modules are
// frozen once loaded, so use it here, before that.
z.object({ warm: z.string().regex(/^w/).min(1) }).safeParse({ warm: 'w' });

export const zod = z;
