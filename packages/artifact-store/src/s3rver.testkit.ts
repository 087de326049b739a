/**
 * Starts a real S3-compatible server (s3rver) in-process on a free loopback port, with its own temp directory
 * and bucket, for tests of the S3 adapter over real HTTP (DESIGN.md principle 9: real parts, no mocks).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';

interface S3rverOptions {
  readonly address: string;
  readonly port: number;
  readonly silent: boolean;
  readonly directory: string;
  readonly configureBuckets: readonly { readonly name: string }[];
}
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

// s3rver is CommonJS and ships no types: importing it with `import S3rver from 's3rver'` works under Jest ESM
// (the CJS module.exports becomes the default export), but type-checking that import would need @types/s3rver
// and its Koa types. createRequire loads the same module and lets us type the small surface used here.
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: S3rverOptions) => S3rverInstance;

export interface RunningS3rver {
  readonly endpoint: string;
  readonly bucket: string;
  /** Client settings for this server; s3rver accepts the fixed credentials S3RVER / S3RVER. */
  readonly clientConfig: S3ClientConfig;
  stop(): Promise<void>;
}

export async function startS3rver(bucket = 'airlock-test'): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), 'airlock-s3rver-'));
  // Port 0: the OS picks a free port, so parallel test files never collide.
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    clientConfig: { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } },
    async stop() {
      // http.Server.close() waits for keep-alive sockets: destroy every S3Client (store.close()) before this.
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
