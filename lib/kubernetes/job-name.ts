import { createHash } from 'node:crypto';

/**
 * Kubernetes names: a Job's name is a DNS-1123 label (lowercase letters, digits and `-`, at most 63
 * characters, starting and ending with a letter or digit), and so is any label value except that
 * it may also hold `_`, `.` and capitals.
 */

const hash = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n);

/**
 * The Job name of a step container: the container's deterministic name (`tm-<slug>-<hash>`, the same
 * on every retry of the attempt, see lib/containers/container-name.ts) in DNS-1123 form. Its hash
 * keeps two containers apart after `_` and `.` become `-`; a name longer than 63 characters is cut
 * and ends in a hash of the whole.
 */
export function stepJobName(containerName: string): string {
  const label = containerName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '');
  if (label.length > 0 && label.length <= 63) return label;
  return `${label.slice(0, 50).replace(/-+$/, '') || 'tm'}-${hash(containerName, 12)}`;
}

/** A label value for any string: kept when valid, else made valid and given a hash of the original. */
export function labelValue(value: string): string {
  if (/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value) && value.length <= 63) return value;
  const cleaned = value
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 50)
    .replace(/[^A-Za-z0-9]+$/, '');
  return `${cleaned ? `${cleaned}-` : ''}${hash(value, 12)}`;
}
