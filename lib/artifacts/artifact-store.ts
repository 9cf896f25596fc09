import type { ArtifactRef } from '../../common/artifact.js';

export interface PutOptions {
  /** Refuse a symbolic link at `path` instead of following it (for what a step wrote). */
  noFollow?: boolean;
}

/**
 * Content-addressed storage of step inputs and outputs. Bytes stream through; only small
 * `ArtifactRef`s ever reach a workflow.
 */
export interface ArtifactStore {
  /**
   * Stores a file (or a directory, as a deterministic tar) and returns its ref. Same bytes, same
   * ref, one copy. Links inside a directory are stored as links, never followed; `path` itself is
   * followed unless `noFollow` (then a link there is refused, and the file is read through one
   * handle opened without following links: what a step wrote is read as it was checked).
   */
  put(path: string, name: string, opts?: PutOptions): Promise<ArtifactRef>;
  /** Stores a small in-memory value. */
  putBytes(bytes: Uint8Array | string, name: string): Promise<ArtifactRef>;
  /** Downloads to `dest` (a file, or a folder for a `dir` ref), verifying the hash; nothing is left at `dest` on a mismatch. */
  get(ref: ArtifactRef, dest: string): Promise<void>;
  /** Reads a small artifact into memory (refuses anything larger than `maxBytes`). */
  getBytes(ref: ArtifactRef, maxBytes?: number): Promise<Buffer>;
  exists(ref: ArtifactRef): Promise<boolean>;
  /** A time-limited URL that anyone can GET (served as `contentType` when given, so a browser shows an image rather than downloading it). */
  presign(ref: ArtifactRef, seconds?: number, contentType?: string): Promise<string>;
  /** Copies the bytes to another s3:// location on the same server, server-side (no bytes pass through the worker). */
  copyTo(ref: ArtifactRef, uri: string): Promise<void>;
  /** Small JSON documents by key (cache entries, step records), outside the content-addressed area. */
  readIndex<T>(key: string): Promise<T | undefined>;
  writeIndex(key: string, value: unknown): Promise<void>;
  /** Removes partial downloads and uploads that killed processes left (optional: a store without scratch has none). */
  sweepAbandoned?(): Promise<{ files: number; bytes: number; uploads: number }>;
}
