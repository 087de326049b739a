import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { FieldProblem } from '@airlock/core';
import type { Page } from './api-types.js';
import { CliError, usageError } from './cli-error.js';
import { ExitCode } from './run-cli.js';

/**
 * A small typed client for the Airlock HTTP API over fetch: bearer auth, JSON and streamed multipart bodies, and
 * every failure turned into a CliError with the exit code run-cli.ts documents:
 *   401/403 → 2 (with a hint about the key or the role), other 4xx → 2, 5xx and no answer at all → 3.
 */
export interface ApiClientOptions {
  /** Base URL without the trailing slash, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly key?: string;
  /** Where the key came from (`--key`, `AIRLOCK_API_KEY`, `profile "prod" in …`): named when it is rejected. */
  readonly keyOrigin?: string;
  /** Bound on each JSON call; uploads are not bounded (a large artifact on a slow link takes what it takes). */
  readonly timeoutMs?: number;
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export type MultipartPart =
  | { readonly name: string; readonly value: string }
  | {
      readonly name: string;
      readonly file: string;
      readonly filename?: string;
      readonly contentType?: string;
      /** The option that named the file (`--artifact`): used when the file cannot be read. */
      readonly option?: string;
    };

/** Bytes of the file parts sent so far, of `total`. */
export type UploadProgress = (sent: number, total: number) => void;

interface ProblemBody {
  readonly code?: unknown;
  readonly detail?: unknown;
  readonly title?: unknown;
  readonly errors?: unknown;
  readonly requiredRoles?: unknown;
  readonly limitBytes?: unknown;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const CRLF = '\r\n';

export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  get url(): string {
    return this.options.url;
  }

  async get<T>(path: string, query: Readonly<Record<string, string | number | undefined>> = {}): Promise<T> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
    const suffix = search.size > 0 ? `?${search}` : '';
    return (await this.request<T>('GET', `${path}${suffix}`, {})).body;
  }

  async post<T>(path: string, json: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { body: JSON.stringify(json), headers: { 'content-type': 'application/json' } });
  }

  /**
   * A conditional GET: with `etag` (the previous answer's ETag) sends If-None-Match, and a 304 comes back as
   * `{ notModified: true }` — how an execution engine polls the routing table cheaply.
   */
  async getConditional<T>(path: string, etag?: string): Promise<{ readonly notModified: true; readonly etag: string } | { readonly notModified: false; readonly etag: string | null; readonly body: T }> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (this.options.key) headers.authorization = `Bearer ${this.options.key}`;
    if (etag !== undefined) headers['if-none-match'] = etag;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let response: Response;
    try {
      response = await fetch(`${this.options.url}${path}`, { method: 'GET', headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw this.unreachable(error, timeoutMs, false);
    }
    if (response.status === 304 && etag !== undefined) {
      await response.body?.cancel();
      return { notModified: true, etag: response.headers.get('etag') ?? etag };
    }
    const text = await response.text().catch((error: unknown) => {
      throw this.unreachable(error, timeoutMs, false);
    });
    const body = parseJsonOr(text);
    if (!response.ok) throw this.failure(response, body, text);
    if (typeof body !== 'object' || body === null) {
      throw new CliError(ExitCode.Unavailable, `GET ${path} answered ${response.status} without a JSON object`, {
        code: 'NOT_AIRLOCK',
        hint: `is ${this.options.url} an Airlock API? (check --url, AIRLOCK_URL or the profile)`,
      });
    }
    return { notModified: false, etag: response.headers.get('etag'), body: body as T };
  }

  /**
   * GETs raw bytes (an artifact, a PDF, a zip), with the same error mapping as the JSON calls; `accept` names the
   * media type asked for (default application/octet-stream).
   */
  async getBytes(path: string, accept = 'application/octet-stream'): Promise<Uint8Array> {
    const headers: Record<string, string> = { accept: `${accept}, application/problem+json` };
    if (this.options.key) headers.authorization = `Bearer ${this.options.key}`;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let response: Response;
    let bytes: Uint8Array;
    try {
      response = await fetch(`${this.options.url}${path}`, { method: 'GET', headers, signal: AbortSignal.timeout(timeoutMs) });
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      throw this.unreachable(error, timeoutMs, false);
    }
    if (!response.ok) {
      const text = new TextDecoder().decode(bytes);
      throw this.failure(response, parseJsonOr(text), text);
    }
    return bytes;
  }

  /** Every item of a paginated list (`{ items, next }`), following `next` until the last page. */
  async listAll<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.get<Page<T>>(path, { limit: 500, after });
      items.push(...page.items);
      if (!page.next) return items;
      after = page.next;
    }
  }

  /**
   * POSTs multipart/form-data with the file parts streamed from disk, never held in memory. The length is
   * computed up front and declared, so the server can refuse an oversized upload before it is sent.
   */
  async upload<T>(path: string, parts: readonly MultipartPart[], onProgress?: UploadProgress): Promise<ApiResponse<T>> {
    const boundary = `----airlock-${randomBytes(12).toString('hex')}`;
    const encoder = new TextEncoder();
    const segments: ({ bytes: Uint8Array } | { file: string; size: number })[] = [];
    let fileBytes = 0;
    for (const part of parts) {
      if ('value' in part) {
        segments.push({ bytes: encoder.encode(`--${boundary}${CRLF}Content-Disposition: form-data; name="${part.name}"${CRLF}${CRLF}${part.value}${CRLF}`) });
        continue;
      }
      const size = await fileSize(part.file, part.option ?? part.name);
      const filename = (part.filename ?? basename(part.file)).replace(/["\r\n]/g, '_');
      segments.push({
        bytes: encoder.encode(
          `--${boundary}${CRLF}Content-Disposition: form-data; name="${part.name}"; filename="${filename}"${CRLF}` +
            `Content-Type: ${part.contentType ?? 'application/octet-stream'}${CRLF}${CRLF}`,
        ),
      });
      segments.push({ file: part.file, size });
      segments.push({ bytes: encoder.encode(CRLF) });
      fileBytes += size;
    }
    segments.push({ bytes: encoder.encode(`--${boundary}--${CRLF}`) });
    const length = segments.reduce((sum, s) => sum + ('bytes' in s ? s.bytes.byteLength : s.size), 0);

    let sent = 0;
    onProgress?.(0, fileBytes);
    async function* body(): AsyncGenerator<Uint8Array> {
      for (const segment of segments) {
        if ('bytes' in segment) {
          yield segment.bytes;
          continue;
        }
        // Pulled by fetch as the socket drains: the count follows what has gone out, not what was read ahead.
        for await (const chunk of createReadStream(segment.file, { highWaterMark: 256 * 1024 })) {
          const bytes = chunk as Buffer;
          yield new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          sent += bytes.byteLength;
          onProgress?.(sent, fileBytes);
        }
      }
    }
    const iterator = body();
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await iterator.return(undefined);
      },
    });
    return this.request<T>(
      'POST',
      path,
      { body: stream, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(length) }, duplex: 'half' },
      { upload: true },
    );
  }

  private async request<T>(method: string, path: string, init: RequestInit & { duplex?: 'half' }, mode: { upload?: boolean } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...(init.headers as Record<string, string> | undefined) };
    if (this.options.key) headers.authorization = `Bearer ${this.options.key}`;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.options.url}${path}`, {
        ...init,
        method,
        headers,
        ...(mode.upload ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
      } as RequestInit);
      text = await response.text();
    } catch (error) {
      throw this.unreachable(error, timeoutMs, mode.upload === true);
    }
    const type = response.headers.get('content-type') ?? '';
    const isJson = /application\/(problem\+)?json/.test(type);
    let body: unknown = text;
    if (isJson && text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (!response.ok) throw this.failure(response, body, text);
    if (!isJson || typeof body !== 'object' || body === null) {
      throw new CliError(ExitCode.Unavailable, `${method} ${path} answered ${response.status} with ${type || 'no content type'}, not JSON`, {
        code: 'NOT_AIRLOCK',
        hint: `is ${this.options.url} an Airlock API? (check --url, AIRLOCK_URL or the profile)`,
      });
    }
    return { status: response.status, headers: response.headers, body: body as T };
  }

  /** No answer: refused, unknown host, reset, or timed out — exit 3, the API could not be reached. */
  private unreachable(error: unknown, timeoutMs: number, upload: boolean): CliError {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new CliError(ExitCode.Unavailable, `the API at ${this.options.url} did not answer within ${timeoutMs / 1000} s`, { code: 'UNREACHABLE' });
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    return new CliError(ExitCode.Unavailable, `cannot reach the API at ${this.options.url}: ${reason}`, {
      code: 'UNREACHABLE',
      hint: upload
        ? 'the connection failed during the upload: is the API up, and is the file within its size limit (AIRLOCK_MAX_ARTIFACT_BYTES)?'
        : 'is the API running (`airlock up`), and is the URL right (--url, AIRLOCK_URL or the profile)?',
    });
  }

  /** A problem+json answer → `error CODE: detail` with every field; the status decides the exit code. */
  private failure(response: Response, body: unknown, text: string): CliError {
    const problem: ProblemBody = typeof body === 'object' && body !== null ? (body as ProblemBody) : {};
    const status = response.status;
    const code = typeof problem.code === 'string' ? problem.code : `HTTP_${status}`;
    const detail =
      typeof problem.detail === 'string' ? problem.detail : typeof problem.title === 'string' ? problem.title : text.trim().slice(0, 200) || response.statusText;
    const errors = Array.isArray(problem.errors) ? (problem.errors as FieldProblem[]).filter((e) => typeof e?.field === 'string') : [];
    let hint: string | undefined;
    if (status === 401) {
      hint = `the API at ${this.options.url} did not accept the key from ${this.options.keyOrigin ?? 'the configuration'}: check it, or ask an admin for a new one and save it with \`airlock login\``;
    } else if (status === 403) {
      const roles = Array.isArray(problem.requiredRoles) ? problem.requiredRoles.join(', ') : undefined;
      hint = `the key is valid but its roles may not do this${roles ? `; it needs one of: ${roles}` : ''} (use a key with that role, e.g. --profile)`;
    } else if (status === 413 && typeof problem.limitBytes === 'number') {
      hint = `the API accepts at most ${problem.limitBytes} bytes (AIRLOCK_MAX_ARTIFACT_BYTES)`;
    } else if (status >= 500) {
      const requestId = response.headers.get('x-request-id');
      hint = `the API failed${requestId ? `; its log has the details under request id ${requestId}` : ''}`;
    }
    return new CliError(status >= 500 ? ExitCode.Unavailable : ExitCode.BadInput, detail, { code, errors, status, ...(hint ? { hint } : {}) });
  }
}

/** The JSON a text holds, or the text itself when it is not JSON. */
function parseJsonOr(text: string): unknown {
  if (text.length === 0) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function fileSize(path: string, field: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw usageError(field, `${path} is not a file`);
    return info.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw usageError(field, `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}
