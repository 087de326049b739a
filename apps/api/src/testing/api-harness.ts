import { pathToFileURL } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@airlock/persistence/testing';
import { pino } from 'pino';
import { startApi, type ApiOverrides, type RunningApi } from '../bootstrap.js';
import { loadApiConfig, type ApiConfig } from '../config/api-config.js';

export const TEST_ADMIN_KEY = 'ak_test-admin-key-0123456789abcdef';

export interface CallOptions {
  readonly key?: string | null;
  readonly json?: unknown;
  readonly form?: FormData;
  readonly headers?: Record<string, string>;
}

// Response bodies are JSON of many shapes; tests assert on them field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ApiResponse<T = Json> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly bytes: Uint8Array;
}

/**
 * A real API on a free loopback port, over a fresh database on the machine's PostgreSQL and a file artifact
 * store in a temporary folder. Calls go over HTTP with fetch, as a client's would.
 */
export interface TestApi {
  readonly api: RunningApi;
  readonly config: ApiConfig;
  /** The environment the API was configured from (to start another on the same database and folders). */
  readonly env: Record<string, string>;
  readonly dataDir: string;
  readonly artifactDir: string;
  call<T = Json>(method: string, path: string, options?: CallOptions): Promise<ApiResponse<T>>;
  /** Creates a key with these roles (as the admin) and returns the secret. */
  keyWith(...roles: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startTestApi(env: Record<string, string> = {}, overrides: ApiOverrides = {}): Promise<TestApi> {
  const database: TestDatabase = await createTestDatabase('airlock_api');
  const dataDir = mkdtempSync(join(tmpdir(), 'airlock-api-'));
  const artifactDir = join(dataDir, 'artifacts');
  const fullEnv: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    AIRLOCK_DATA_DIR: dataDir,
    AIRLOCK_ARTIFACT_STORE: pathToFileURL(artifactDir).href,
    AIRLOCK_BOOTSTRAP_ADMIN_KEY: TEST_ADMIN_KEY,
    LOG_LEVEL: 'silent',
    ...env,
  };
  const config = loadApiConfig(fullEnv);
  const api = await startApi(config, { logger: pino({ level: 'silent' }), ...overrides });
  const call = async <T = Json,>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const key = options.key === undefined ? TEST_ADMIN_KEY : options.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let body: RequestInit['body'];
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      body = options.form;
    }
    const response = await fetch(`${api.url}${path}`, { method, headers, body });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? '';
    const text = new TextDecoder().decode(bytes);
    const isJson = /application\/(problem\+)?json/.test(type);
    const parsed = isJson && text.length > 0 ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, body: parsed as T, bytes };
  };
  return {
    api,
    config,
    env: fullEnv,
    dataDir,
    artifactDir,
    call,
    async keyWith(...roles: string[]) {
      const created = await call('POST', '/v1/api-keys', { json: { name: `test-${roles.join('-')}`, roles } });
      if (created.status !== 201) throw new Error(`key creation failed: ${JSON.stringify(created.body)}`);
      return created.body.key as string;
    },
    async close() {
      await api.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A multipart registration body: the artifact bytes and the manifest (as given: object → JSON, string → as is). */
export function registrationForm(artifact: Uint8Array, manifest: unknown): FormData {
  const form = new FormData();
  form.append('manifest', typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  form.append('artifact', new Blob([artifact]), 'model.onnx');
  return form;
}
