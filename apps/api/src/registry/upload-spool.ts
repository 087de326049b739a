import { DomainError } from '@airlock/core';
import type { SpooledArtifact } from '@airlock/registry';
import type { FastifyRequest } from 'fastify';
import { spoolMultipart } from '../http/multipart-spool.js';

export interface SpooledUpload {
  readonly artifact: SpooledArtifact;
  readonly manifestText: string;
  /** Removes the spooled file; call in finally. */
  dispose(): Promise<void>;
}

/** A registration's multipart body: the `artifact` file part (spooled) and the `manifest` part (JSON text). */
export async function spoolRegistrationUpload(request: FastifyRequest, spoolDir: string, maxBytes: number): Promise<SpooledUpload> {
  const body = await spoolMultipart(request, { spoolDir, fileField: 'artifact', textFields: ['manifest'], maxBytes, extension: '.onnx' });
  const manifestText = body.fields.manifest;
  if (!body.file || manifestText === undefined) {
    await body.dispose();
    const errors = [
      ...(body.file ? [] : [{ field: 'artifact', message: 'the ONNX file part is required' }]),
      ...(manifestText !== undefined ? [] : [{ field: 'manifest', message: 'the manifest part (JSON) is required' }]),
    ];
    throw new DomainError(body.file ? 'MANIFEST_INVALID' : 'VALIDATION_FAILED', 'missing parts', { errors });
  }
  return { artifact: body.file, manifestText, dispose: body.dispose };
}
