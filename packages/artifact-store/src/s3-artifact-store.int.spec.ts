import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createArtifactStore } from './artifact-store.factory.js';
import { chunked, collect, describeArtifactStoreContract, testBytes, type ArtifactStoreHarness } from './artifact-store.contract.js';
import { S3ArtifactStore } from './s3-artifact-store.adapter.js';
import { s3ClientConfigFromEnv, s3ClientConfigWithDefaults } from './s3-client.config.js';
import { startS3rver, type RunningS3rver } from './s3rver.testkit.js';

const MIB = 1024 * 1024;
// S3's minimum, so the contract's 11 MiB body becomes a three-part multipart upload.
const PART_SIZE = 5 * MIB;

let server: RunningS3rver;
/** Reads and writes behind the stores' backs. */
let raw: S3Client;

beforeAll(async () => {
  server = await startS3rver();
  raw = new S3Client(s3ClientConfigWithDefaults(server.clientConfig));
});

afterAll(async () => {
  raw?.destroy();
  await server?.stop();
});

async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await raw.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!.slice(prefix.length)).sort();
}

/** A store on its own prefix, so each test starts empty on the shared server. */
function makeStore(options: { client?: S3Client } = {}): S3ArtifactStore {
  return new S3ArtifactStore({
    bucket: server.bucket,
    prefix: `contract/${randomUUID()}`,
    ...(options.client ? { client: options.client } : { clientConfig: server.clientConfig }),
    partSize: PART_SIZE,
  });
}

async function makeHarness(): Promise<ArtifactStoreHarness> {
  const store = makeStore();
  const write = async (key: string, bytes: Uint8Array) => {
    await raw.send(new PutObjectCommand({ Bucket: server.bucket, Key: store.objectKey(key), Body: bytes }));
  };
  return { store, tamper: write, writeRaw: write, rawKeys: () => keysUnder(store.prefix), dispose: () => store.close() };
}

describeArtifactStoreContract('S3ArtifactStore (s3rver)', makeHarness);

describe('S3ArtifactStore specifics', () => {
  /** A client that records the name of every command it sends. */
  function recordingClient(): { client: S3Client; commands: string[] } {
    const commands: string[] = [];
    const client = new S3Client(s3ClientConfigWithDefaults(server.clientConfig));
    client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    return { client, commands };
  }

  it('uploads a large body as multipart to a temporary key, then copies it into place', async () => {
    const { client, commands } = recordingClient();
    const store = makeStore({ client });
    try {
      const body = testBytes(11 * MIB + 5, 21);
      const stored = await store.put(chunked(body));
      expect(commands.filter((c) => c === 'UploadPartCommand')).toHaveLength(3);
      expect(commands).toContain('CompleteMultipartUploadCommand');
      expect(commands).toContain('CopyObjectCommand');
      expect(await keysUnder(store.prefix)).toEqual([stored.key]);
      expect(Buffer.from(await store.get(stored.sha256)).equals(body)).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it('uploads straight to the final key when the digest is known (no copy)', async () => {
    const { client, commands } = recordingClient();
    const store = makeStore({ client });
    try {
      const body = testBytes(11 * MIB, 22);
      const stored = await store.put(chunked(body), { expectedSha256: (await import('./sha256.util.js')).sha256Hex(body) });
      expect(commands).toContain('UploadPartCommand');
      expect(commands).not.toContain('CopyObjectCommand');
      expect(await keysUnder(store.prefix)).toEqual([stored.key]);
    } finally {
      client.destroy();
    }
  });

  it('stores streamed bytes exactly (no checksum trailer inside the object)', async () => {
    const store = makeStore();
    try {
      const stored = await store.put(chunked(testBytes(1024, 5)));
      const head = await raw.send(new HeadObjectCommand({ Bucket: server.bucket, Key: store.objectKey(stored.key) }));
      expect(head.ContentLength).toBe(1024);
    } finally {
      await store.close();
    }
  });

  it('is built by the factory from an s3:// URI and the SDK’s standard variables', async () => {
    const clientConfig = {
      ...s3ClientConfigFromEnv({ AWS_ENDPOINT_URL_S3: server.endpoint }),
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    };
    const prefix = `factory/${randomUUID()}`;
    const store = createArtifactStore(`s3://${server.bucket}/${prefix}/`, { s3: { clientConfig } });
    try {
      expect(store.kind).toBe('s3');
      await store.ping();
      const body = testBytes(3000, 6);
      const stored = await store.put(body);
      expect(await keysUnder(`${prefix}/`)).toEqual([stored.key]);
      expect(Buffer.from(await collect(await store.stream(stored.sha256))).equals(body)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('ping rejects, naming the bucket, when the bucket does not exist', async () => {
    const store = new S3ArtifactStore({ bucket: 'no-such-bucket', clientConfig: server.clientConfig });
    try {
      await expect(store.ping()).rejects.toThrow(/S3 bucket "no-such-bucket" is not reachable/);
    } finally {
      await store.close();
    }
  });

  it('does not report a missing bucket as a missing artifact', async () => {
    const store = new S3ArtifactStore({ bucket: 'no-such-bucket', clientConfig: server.clientConfig });
    try {
      const error = await store.get('a'.repeat(64)).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'NoSuchBucket' });
    } finally {
      await store.close();
    }
  });
});
