import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'yaml';
import { describeValue } from '../common/zod-messages.js';

/** What a spec file holds, for messages: `pipeline`, and what such a spec needs at least. */
export interface SpecKind {
  what: string;
  needs: string;
}

/**
 * Reads a spec file (YAML, or JSON when it ends in .json) and checks that it holds a mapping;
 * returns the parsed document, or the one problem that stops it, naming the file: missing, a
 * folder, empty, only comments, not YAML, or a list or a scalar where a mapping belongs.
 */
export function readSpecDocument(path: string, kind: SpecKind): { raw: Record<string, unknown> } | { problem: string } {
  const file = `${kind.what} file ${path}`;
  if (!existsSync(path)) return { problem: `${file} does not exist` };
  if (statSync(path).isDirectory()) return { problem: `${file} is a folder; give the spec file itself` };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { problem: `${file} cannot be read: ${(err as Error).message}` };
  }
  if (text.trim() === '') return { problem: `${file} is empty; ${kind.needs}` };
  const json = extname(path).toLowerCase() === '.json';
  let raw: unknown;
  try {
    raw = json ? JSON.parse(text) : parse(text);
  } catch (err) {
    return { problem: `${file} is not valid ${json ? 'JSON' : 'YAML'}: ${(err as Error).message}` };
  }
  if (raw === null || raw === undefined)
    return { problem: `${file} is empty (it holds only comments or null); ${kind.needs}` };
  if (typeof raw !== 'object' || Array.isArray(raw))
    return {
      problem: `${file} holds ${describeValue(raw)}, not a ${kind.what} spec: a ${kind.what} spec is a mapping of fields; ${kind.needs}`,
    };
  return { raw: raw as Record<string, unknown> };
}
