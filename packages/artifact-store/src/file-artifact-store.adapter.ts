import { randomUUID } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { access, chmod, mkdir, open, readFile, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { TEMPORARY_PREFIX, artifactKey, normalizeSha256, sha256FromKey } from './artifact-key.util.js';
import { artifactNotFound } from './artifact-store.errors.js';
import type { ArtifactBody, ArtifactStore, ListedArtifact, PutOptions, StoredArtifact } from './artifact-store.port.js';
import { meterBody, validatePutOptions } from './metered-body.util.js';
import { verifiedChunks, verifyBytes } from './verified-read.util.js';

const errorCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;

/** ENOTDIR too: a file where a shard directory should be means the artifact is not there. */
const isMissing = (error: unknown): boolean => errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR';

const READ_CHUNK_BYTES = 1024 * 1024;

async function writeFully(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  // FileHandle.write may write less than asked (signals, quotas); loop until the chunk is down.
  for (let offset = 0; offset < chunk.byteLength; ) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

/** Makes a rename durable: the new directory entry survives a power cut only once the directory is synced. */
async function syncDirectory(path: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch {
    // Some platforms and filesystems cannot open or fsync a directory; the rename itself is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Artifacts as files under `rootDir`: `sha256/ab/cd/<hex>` (read-only, mode 0444), in-flight uploads under
 * `tmp/<uuid>.partial` on the same filesystem. A put writes and fsyncs the temporary file, then renames it into
 * place — rename(2) is atomic, so a reader or a crash sees the whole file or none — and fsyncs the directory.
 */
export class FileArtifactStore implements ArtifactStore {
  readonly kind = 'file' as const;
  /** Absolute root (a relative one is resolved against the working directory once, here). */
  readonly rootDir: string;

  constructor(rootDir: string) {
    this.rootDir = resolve(rootDir);
  }

  async put(body: ArtifactBody, options?: PutOptions): Promise<StoredArtifact> {
    const limits = validatePutOptions(options);
    const metered = meterBody(body, limits);
    const tempDir = join(this.rootDir, TEMPORARY_PREFIX);
    await mkdir(tempDir, { recursive: true });
    const tempPath = join(tempDir, `${randomUUID()}.partial`);
    // 'wx': never share a temporary file with another writer, however unlikely a UUID collision is.
    const handle = await open(tempPath, 'wx', 0o600);
    let handleOpen = true;
    let renamed = false;
    try {
      for await (const chunk of metered.chunks) await writeFully(handle, chunk);
      await handle.sync();
      await handle.close();
      handleOpen = false;

      const { sha256, sizeBytes } = metered.result();
      const key = artifactKey(sha256);
      const finalPath = this.pathOf(key);
      // Content-addressed: an existing file holds these bytes already (or is corrupt, which get() reports and
      // delete()+put() repairs); never rewrite it. Two concurrent puts of the same bytes may both rename —
      // harmless, the content is identical and each rename is atomic.
      if (await this.isFile(finalPath)) return { sha256, sizeBytes, key, created: false };
      await mkdir(dirname(finalPath), { recursive: true });
      await chmod(tempPath, 0o444);
      await rename(tempPath, finalPath);
      renamed = true;
      await syncDirectory(dirname(finalPath));
      return { sha256, sizeBytes, key, created: true };
    } catch (error) {
      throw metered.failure ?? error;
    } finally {
      if (handleOpen) await handle.close().catch(() => undefined);
      if (!renamed) await rm(tempPath, { force: true });
    }
  }

  async get(sha256: string): Promise<Uint8Array> {
    const digest = normalizeSha256(sha256);
    let buffer: Buffer;
    try {
      buffer = await readFile(this.pathOf(artifactKey(digest)));
    } catch (error) {
      if (isMissing(error)) throw artifactNotFound(digest);
      throw error;
    }
    // A plain Uint8Array view (no copy), the same type the S3 adapter returns.
    return verifyBytes(digest, new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  }

  async stream(sha256: string): Promise<AsyncIterable<Uint8Array>> {
    const digest = normalizeSha256(sha256);
    const path = this.pathOf(artifactKey(digest));
    // Existence is checked now so NOT_FOUND rejects this promise; the file is opened only when iterated, so an
    // iterable that is never consumed holds no descriptor.
    if (!(await this.isFile(path))) throw artifactNotFound(digest);
    async function* read(): AsyncGenerator<Uint8Array> {
      try {
        yield* createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
      } catch (error) {
        if (isMissing(error)) throw artifactNotFound(digest); // deleted between stream() and the first read
        throw error;
      }
    }
    return { [Symbol.asyncIterator]: () => verifiedChunks(digest, read()) };
  }

  async has(sha256: string): Promise<boolean> {
    return this.isFile(this.pathOf(artifactKey(normalizeSha256(sha256))));
  }

  async delete(sha256: string): Promise<void> {
    // Shard directories stay: removing one could race a put() that has just created it for its rename.
    await rm(this.pathOf(artifactKey(normalizeSha256(sha256))), { force: true });
  }

  async *list(): AsyncGenerator<ListedArtifact> {
    const base = join(this.rootDir, 'sha256');
    for (const first of await this.entries(base)) {
      for (const second of await this.entries(join(base, first))) {
        for (const name of await this.entries(join(base, first, second))) {
          const sha256 = sha256FromKey(`sha256/${first}/${second}/${name}`);
          if (sha256 === undefined) continue; // not ours (editor backups, stray files): never report or delete it
          try {
            const stats = await stat(join(base, first, second, name));
            // A fresh Date: fs.Stats builds its own in Node's realm, which fails `instanceof Date` in another
            // realm (each Jest test file is one), and the S3 adapter returns plain Dates too.
            if (stats.isFile()) yield { sha256, sizeBytes: stats.size, modifiedAt: new Date(stats.mtimeMs) };
          } catch (error) {
            if (!isMissing(error)) throw error; // deleted while listing
          }
        }
      }
    }
  }

  async purgeTemporary(olderThan: Date): Promise<number> {
    const tempDir = join(this.rootDir, TEMPORARY_PREFIX);
    let removed = 0;
    for (const name of await this.entries(tempDir)) {
      const path = join(tempDir, name);
      try {
        const stats = await stat(path);
        if (stats.isFile() && stats.mtime < olderThan) {
          await rm(path, { force: true });
          removed += 1;
        }
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    return removed;
  }

  async ping(): Promise<void> {
    // Ready means usable: the root exists (created on first use) and this process may write to it.
    await mkdir(this.rootDir, { recursive: true });
    await access(this.rootDir, constants.R_OK | constants.W_OK);
  }

  async close(): Promise<void> {
    // Nothing held between calls.
  }

  /** Absolute path of a store-relative key. */
  pathOf(key: string): string {
    return join(this.rootDir, ...key.split('/'));
  }

  private async isFile(path: string): Promise<boolean> {
    try {
      return (await stat(path)).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  private async entries(dir: string): Promise<string[]> {
    try {
      return (await readdir(dir)).sort();
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }
}
