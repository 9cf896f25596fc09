import { createHash, randomUUID } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client } from 'minio';
import * as tar from 'tar';
import { casKey, parseS3Uri, type ArtifactRef } from '../../common/artifact.js';
import { ArtifactIntegrityError, ArtifactMissingError } from './errors.js';
import type { ArtifactStore, PutOptions } from './artifact-store.js';
import { processAlive } from '../processes/process-alive.js';

/** Reads one open file from its start, without closing it (the hash and the upload read the same file). */
function readFrom(file: FileHandle) {
  return file.createReadStream({ start: 0, autoClose: false });
}

async function sha256OfFile(file: FileHandle): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of readFrom(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Every file and folder below `root`, relative and sorted, so a tar of them is the same for the same content. */
async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      const full = join(dir, e.name);
      out.push(relative(root, full));
      if (e.isDirectory()) await walk(full);
    }
  };
  await walk(root);
  return out;
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'NotFound' || code === 'NoSuchKey';
}

/**
 * A scratch file's name: the writing process's pid first, so a later sweep can tell the files of a
 * process that died (a worker killed mid-download) from those of one still writing them.
 */
function scratchName(ext: 'part' | 'tar'): string {
  return `${process.pid}-${randomUUID()}.${ext}`;
}

/** What sweepAbandoned removed. */
export interface SweptScratch {
  files: number;
  bytes: number;
  uploads: number;
}

/** The ArtifactStore on MinIO (or any S3): objects live at `cas/sha256/<xx>/<hash>` in one bucket. */
export class MinioArtifactStore implements ArtifactStore {
  constructor(
    private readonly client: Client,
    private readonly bucket: string,
    /** Scratch space for tars and downloads in flight. */
    private readonly scratchDir: string,
  ) {}

  /**
   * Clears what killed processes left: scratch files of processes that are gone (and unnamed ones
   * older than `olderThanMs`), and multipart uploads begun more than `olderThanMs` ago that never
   * completed (a worker killed mid-upload; a live upload is younger), below `uploadPrefix`. Run
   * at a worker's start.
   */
  async sweepAbandoned(olderThanMs = 3_600_000, uploadPrefix = ''): Promise<SweptScratch> {
    const swept: SweptScratch = { files: 0, bytes: 0, uploads: 0 };
    const cutoff = Date.now() - olderThanMs;
    const names = await readdir(this.scratchDir).catch(() => [] as string[]);
    for (const name of names) {
      if (!/\.(part|tar)$/.test(name)) continue;
      const file = join(this.scratchDir, name);
      const info = await lstat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      const pid = /^(\d+)-/.exec(name)?.[1];
      const abandoned = pid ? Number(pid) !== process.pid && !processAlive(Number(pid)) : info.mtimeMs < cutoff;
      if (!abandoned) continue;
      await rm(file, { force: true });
      swept.files += 1;
      swept.bytes += info.size;
    }
    let keyMarker = '';
    let uploadIdMarker = '';
    for (;;) {
      const page = await this.client.listIncompleteUploadsQuery(
        this.bucket,
        uploadPrefix,
        keyMarker,
        uploadIdMarker,
        '',
      );
      for (const upload of page.uploads)
        if (upload.initiated && new Date(upload.initiated).getTime() < cutoff) {
          await this.client.removeIncompleteUpload(this.bucket, upload.key);
          swept.uploads += 1;
        }
      if (!page.isTruncated) break;
      keyMarker = page.nextKeyMarker;
      uploadIdMarker = page.nextUploadIdMarker;
    }
    return swept;
  }

  private ref(sha256: string, size: number, name: string, kind: 'file' | 'dir'): ArtifactRef {
    return { uri: `s3://${this.bucket}/${casKey(sha256)}`, sha256, size, name, kind };
  }

  private async upload(file: FileHandle, sha256: string, size: number): Promise<void> {
    const key = casKey(sha256);
    try {
      const existing = await this.client.statObject(this.bucket, key);
      if (existing.size === size) return; // same content already stored
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    // A PUT becomes visible only once complete, so a crash mid-upload leaves no partial object.
    await this.client.putObject(this.bucket, key, readFrom(file), size, { 'x-amz-meta-sha256': sha256 });
  }

  /** Hashes and uploads one file through a single handle, so both read the same bytes. */
  private async putFile(path: string, flags: number): Promise<{ sha256: string; size: number }> {
    const file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | flags);
    try {
      if (!(await file.stat()).isFile())
        throw new TypeError(`${path} is not a regular file (a FIFO, socket or device cannot be stored)`);
      const { sha256, size } = await sha256OfFile(file);
      await this.upload(file, sha256, size);
      return { sha256, size };
    } finally {
      await file.close();
    }
  }

  async put(path: string, name: string, opts: PutOptions = {}): Promise<ArtifactRef> {
    const info = opts.noFollow ? await lstat(path) : await stat(path);
    if (info.isSymbolicLink()) throw new TypeError(`${path} is a symbolic link, which this upload does not follow`);
    if (!info.isDirectory()) {
      const { sha256, size } = await this.putFile(path, opts.noFollow ? constants.O_NOFOLLOW : 0);
      return this.ref(sha256, size, name, 'file');
    }
    await mkdir(this.scratchDir, { recursive: true });
    const tarFile = join(this.scratchDir, scratchName('tar'));
    try {
      const entries = await listTree(path);
      // follow: false (tar's default, said here because it matters): a link inside the folder is
      // stored as a link, never as what it points to.
      await tar.create(
        { cwd: path, file: tarFile, portable: true, noMtime: true, noDirRecurse: true, follow: false },
        entries.length ? entries : [],
      );
      const { sha256, size } = await this.putFile(tarFile, constants.O_NOFOLLOW);
      return this.ref(sha256, size, name, 'dir');
    } finally {
      await rm(tarFile, { force: true });
    }
  }

  async putBytes(bytes: Uint8Array | string, name: string): Promise<ArtifactRef> {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes);
    const sha256 = createHash('sha256').update(buf).digest('hex');
    const key = casKey(sha256);
    const present = await this.client.statObject(this.bucket, key).then(
      () => true,
      (err: unknown) => {
        if (isNotFound(err)) return false;
        throw err;
      },
    );
    if (!present) await this.client.putObject(this.bucket, key, buf, buf.length, { 'x-amz-meta-sha256': sha256 });
    return this.ref(sha256, buf.length, name, 'file');
  }

  private async open(ref: ArtifactRef) {
    const { bucket, key } = parseS3Uri(ref.uri);
    try {
      return await this.client.getObject(bucket, key);
    } catch (err) {
      if (isNotFound(err))
        throw new ArtifactMissingError(
          `artifact "${ref.name}" (${ref.uri}) is not in the store; was it deleted, or does the ref come from another MinIO?`,
        );
      throw err;
    }
  }

  async get(ref: ArtifactRef, dest: string): Promise<void> {
    await mkdir(this.scratchDir, { recursive: true });
    const tmp = join(this.scratchDir, scratchName('part'));
    const hash = createHash('sha256');
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(await this.open(ref), hasher, createWriteStream(tmp));
      const actual = hash.digest('hex');
      if (actual !== ref.sha256)
        throw new ArtifactIntegrityError(
          `artifact "${ref.name}" hashes to ${actual}, not ${ref.sha256}: the stored object is corrupt`,
        );
      if (ref.kind === 'dir') {
        await mkdir(dest, { recursive: true });
        await tar.extract({ file: tmp, cwd: dest, strict: true });
      } else {
        await mkdir(dirname(dest), { recursive: true });
        await rename(tmp, dest);
      }
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async getBytes(ref: ArtifactRef, maxBytes = 16 * 1024 * 1024): Promise<Buffer> {
    if (ref.size > maxBytes)
      throw new RangeError(
        `artifact "${ref.name}" is ${ref.size} bytes, more than the ${maxBytes} this call reads into memory; download it with get() instead`,
      );
    const chunks: Buffer[] = [];
    for await (const chunk of await this.open(ref)) chunks.push(chunk as Buffer);
    const buf = Buffer.concat(chunks);
    const actual = createHash('sha256').update(buf).digest('hex');
    if (actual !== ref.sha256)
      throw new ArtifactIntegrityError(`artifact "${ref.name}" hashes to ${actual}, not ${ref.sha256}`);
    return buf;
  }

  async exists(ref: ArtifactRef): Promise<boolean> {
    const { bucket, key } = parseS3Uri(ref.uri);
    try {
      const s = await this.client.statObject(bucket, key);
      return s.size === ref.size;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async copyTo(ref: ArtifactRef, uri: string): Promise<void> {
    const source = parseS3Uri(ref.uri);
    const target = parseS3Uri(uri);
    await this.client.copyObject(target.bucket, target.key, `/${source.bucket}/${source.key}`);
  }

  async readIndex<T>(key: string): Promise<T | undefined> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of await this.client.getObject(this.bucket, `index/${key}`)) chunks.push(chunk as Buffer);
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async writeIndex(key: string, value: unknown): Promise<void> {
    const body = Buffer.from(JSON.stringify(value));
    await this.client.putObject(this.bucket, `index/${key}`, body, body.length, { 'content-type': 'application/json' });
  }

  async presign(ref: ArtifactRef, seconds = 24 * 3600, contentType?: string): Promise<string> {
    const { bucket, key } = parseS3Uri(ref.uri);
    return this.client.presignedGetObject(
      bucket,
      key,
      seconds,
      contentType ? { 'response-content-type': contentType } : {},
    );
  }
}
