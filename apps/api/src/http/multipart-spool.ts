import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '@airlock/core';
import type { FastifyRequest } from 'fastify';

/** Largest text field accepted (bytes): manifests and names are a few KB. */
export const MAX_FIELD_BYTES = 1024 * 1024;

export interface SpooledFile {
  readonly path: string;
  /** Hex sha256 of the bytes, computed while they streamed in. */
  readonly sha256: string;
  readonly sizeBytes: number;
}

export interface SpooledMultipart {
  /** The file part named `fileField`, if sent. */
  readonly file?: SpooledFile;
  /** Text fields (and small file parts named in `textFields`), as UTF-8. */
  readonly fields: Readonly<Record<string, string>>;
  /** Removes the spooled file; call in finally. */
  dispose(): Promise<void>;
}

export const tooLarge = (maxBytes: number) =>
  new DomainError('PAYLOAD_TOO_LARGE', `the upload exceeds the limit of ${maxBytes} bytes`, { limitBytes: maxBytes });

/**
 * Reads a multipart body: the file part `fileField` is streamed to a spool file (never held in memory) while its
 * sha256 and size are computed, and the limit is enforced while streaming (the first byte over it → 413). Text
 * parts listed in `textFields` are read whether sent as fields or as small files; other parts are drained.
 */
export async function spoolMultipart(
  request: FastifyRequest,
  options: { spoolDir: string; fileField: string; textFields: readonly string[]; maxBytes: number; extension: string },
): Promise<SpooledMultipart> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBytes + MAX_FIELD_BYTES + 64 * 1024) throw tooLarge(options.maxBytes);
  if (!request.isMultipart()) {
    throw new DomainError('VALIDATION_FAILED', `send multipart/form-data with the parts ${[options.fileField, ...options.textFields].join(', ')}`, {
      errors: [{ field: 'content-type', message: 'must be multipart/form-data' }],
    });
  }
  await mkdir(options.spoolDir, { recursive: true });
  const path = join(options.spoolDir, `${randomUUID()}${options.extension}`);
  const dispose = () => rm(path, { force: true });
  let file: SpooledFile | undefined;
  const fields: Record<string, string> = {};
  try {
    const limits = { fileSize: options.maxBytes, fieldSize: MAX_FIELD_BYTES, files: 1 + options.textFields.length, fields: 8 };
    for await (const part of request.parts({ limits })) {
      if (part.type === 'file' && part.fieldname === options.fileField && !file) {
        const hash = createHash('sha256');
        let size = 0;
        const measure = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            hash.update(chunk);
            size += chunk.length;
            done(null, chunk);
          },
        });
        await pipeline(part.file, measure, createWriteStream(path));
        if (part.file.truncated) throw tooLarge(options.maxBytes);
        file = { path, sha256: hash.digest('hex'), sizeBytes: size };
      } else if (options.textFields.includes(part.fieldname) && fields[part.fieldname] === undefined) {
        if (part.type === 'file') {
          // Read with a bound: the upload limit is for the artifact, not for a manifest sent as a file.
          const chunks: Buffer[] = [];
          let size = 0;
          for await (const chunk of part.file as AsyncIterable<Buffer>) {
            size += chunk.length;
            if (size > MAX_FIELD_BYTES) throw new DomainError('VALIDATION_FAILED', `the ${part.fieldname} part exceeds ${MAX_FIELD_BYTES} bytes`);
            chunks.push(chunk);
          }
          fields[part.fieldname] = Buffer.concat(chunks).toString('utf8');
        }
        else {
          if (part.valueTruncated) throw new DomainError('VALIDATION_FAILED', `the ${part.fieldname} part exceeds ${MAX_FIELD_BYTES} bytes`);
          fields[part.fieldname] = String(part.value);
        }
      } else if (part.type === 'file') {
        part.file.resume(); // drain parts we do not use
      }
    }
  } catch (error) {
    await dispose();
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(options.maxBytes);
    if (code?.startsWith('FST_')) throw new DomainError('VALIDATION_FAILED', `malformed multipart body: ${(error as Error).message}`);
    throw error;
  }
  return { file, fields, dispose };
}
