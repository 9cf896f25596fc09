import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { ArtifactRef } from '../../common/artifact.js';
import type { ArtifactStore } from '../../lib/artifacts/artifact-store.js';

/**
 * An ArtifactStore in memory that records what is put into it, for unit tests of what the client
 * side uploads (and, above all, what it does not). Folders are recorded by path, not tarred.
 */
export class RecordingStore implements ArtifactStore {
  /** Every put, in order: the local path (or `bytes:<name>`) and the name. */
  readonly puts: { path: string; name: string }[] = [];

  async put(path: string, name: string): Promise<ArtifactRef> {
    this.puts.push({ path, name });
    const dir = statSync(path).isDirectory();
    return this.ref(dir ? Buffer.from(path) : readFileSync(path), name, dir ? 'dir' : 'file');
  }

  async putBytes(bytes: Uint8Array | string, name: string): Promise<ArtifactRef> {
    this.puts.push({ path: `bytes:${name}`, name });
    return this.ref(Buffer.from(bytes), name, 'file');
  }

  private ref(bytes: Buffer, name: string, kind: 'file' | 'dir'): ArtifactRef {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return { uri: `s3://memory/cas/sha256/${sha256}`, sha256, size: bytes.length, name, kind };
  }

  private unsupported(): never {
    throw new Error('RecordingStore records uploads only');
  }

  get(): Promise<void> {
    return this.unsupported();
  }
  getBytes(): Promise<Buffer> {
    return this.unsupported();
  }
  exists(): Promise<boolean> {
    return this.unsupported();
  }
  presign(): Promise<string> {
    return this.unsupported();
  }
  copyTo(): Promise<void> {
    return this.unsupported();
  }
  readIndex<T>(): Promise<T | undefined> {
    return this.unsupported();
  }
  writeIndex(): Promise<void> {
    return this.unsupported();
  }
}
