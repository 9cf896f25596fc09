import { constants } from 'node:fs';
import { lstat, open, readdir, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { StepContractError } from './errors.js';

/**
 * What a step wrote is untrusted: a symbolic link in `/outputs` points wherever the step chose, and
 * the worker that uploads it runs on the host. These checks make sure an output never resolves
 * outside the step's own output folder:
 *
 * - a declared output that is (or passes through) a link is refused when its real path leaves
 *   `/outputs`; one that stays inside is stored as the file or folder it points to;
 * - inside a declared output folder, a link is kept as a link (the tar never follows links) when
 *   its target is relative and lies inside that same output folder, both as written and as
 *   resolved on the host; an absolute link, a link out of the folder, and a link to nothing are
 *   refused;
 * - anything that is neither a file, a folder nor such a link (a FIFO, a socket, a device) is
 *   refused, so the worker never blocks on reading one.
 *
 * The checks are hand-written: no library checks a tree for links that leave it. They run after the
 * container exited (no process of the step is left to change the folder), and the store then
 * reads the resolved path without following links (`O_NOFOLLOW`), so what is read is what was checked.
 */

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function refuse(output: string, rel: string, why: string): never {
  throw new StepContractError(
    `output "${output}": /outputs/${rel} ${why}. Outputs may not lead out of the step's output folder: write the file itself into /outputs, or a link relative to the output folder that stays inside it.`,
  );
}

/** The kind of a checked output: a regular file or a folder. */
export interface CheckedOutput {
  /** The real path on the host, free of links. */
  path: string;
  kind: 'file' | 'dir';
}

/**
 * Resolves a declared output (`rel` under `outputsRoot`) to its real path, refusing one that leaves
 * the output folder or holds anything but files, folders and links that stay inside it. Returns
 * undefined when nothing is there.
 */
export async function checkOutput(
  outputsRoot: string,
  output: string,
  rel: string,
): Promise<CheckedOutput | undefined> {
  const root = await realpath(outputsRoot);
  const declared = join(outputsRoot, rel);
  const link = await lstat(declared).catch(() => undefined);
  if (!link) return undefined;
  const real = await realpath(declared).catch(() => undefined);
  if (!real) refuse(output, rel, 'is a symbolic link to nothing');
  if (!inside(root, real)) refuse(output, rel, 'is a symbolic link that leads out of /outputs');
  const info = await lstat(real);
  if (info.isFile()) return { path: real, kind: 'file' };
  if (!info.isDirectory()) refuse(output, rel, 'is neither a file nor a folder');
  await checkTree(real, output, rel);
  return { path: real, kind: 'dir' };
}

/** Checks every entry below a declared output folder (see the file's comment for the rules). */
async function checkTree(top: string, output: string, rel: string): Promise<void> {
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const shown = join(rel, relative(top, full));
      if (entry.isDirectory()) await walk(full);
      else if (entry.isSymbolicLink()) {
        const target = await readlink(full);
        if (isAbsolute(target)) refuse(output, shown, `is a symbolic link to the absolute path ${target}`);
        if (!inside(top, resolve(dirname(full), target)))
          refuse(output, shown, `is a symbolic link that leads out of the output folder /outputs/${rel}`);
        const real = await realpath(full).catch(() => undefined);
        if (!real) refuse(output, shown, 'is a symbolic link to nothing');
        if (!inside(top, real))
          refuse(output, shown, `is a symbolic link that leads out of the output folder /outputs/${rel}`);
      } else if (!entry.isFile()) refuse(output, shown, 'is neither a file, a folder nor a symbolic link');
    }
  };
  await walk(top);
}

/** The most a metrics file may hold: it is read into memory. */
const MAX_METRICS_BYTES = 1024 * 1024;

/**
 * Reads a small file the step wrote (such as /outputs/metrics.json) without following a link and
 * without blocking on a FIFO; undefined when there is none. A link or anything but a regular file
 * there is refused.
 */
export async function readStepFile(path: string, shown: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP')
      throw new StepContractError(`${shown} is a symbolic link; the step must write the file itself`);
    throw err;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new StepContractError(`${shown} is not a regular file`);
    if (info.size > MAX_METRICS_BYTES)
      throw new StepContractError(`${shown} holds ${info.size} bytes, more than the ${MAX_METRICS_BYTES} allowed`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
