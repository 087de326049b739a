/**
 * The one switch between live-flow transports (DESIGN.md: ports with one factory switch), by URI:
 *
 *   nats://[user:pass@]host:port[/<stream>]     JetStream; stream default "live"
 *   file:///abs/dir[?stream=<name>]              JSON-lines files in a directory; stream default "live"
 *   file:relative/dir[?stream=<name>]            … relative to baseDir (default: the working directory)
 *   ./relative/dir, relative/dir, /abs/dir       … the same, without the scheme
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError } from '@airlock/core';
import { FileLiveFlowConsumer, FileLiveFlowPublisher, FileLiveFlowReader, type FileConsumerOptions, type FilePublisherOptions, type FileReaderOptions } from './file-live-flow.adapter.js';
import { DEFAULT_LIVE_STREAM, LIVE_NAME_PATTERN } from './live-flow-names.util.js';
import type { LiveFlowConsumer, LiveFlowPublisher, LiveFlowReader } from './live-flow.port.js';
import { NatsLiveFlowConsumer, NatsLiveFlowPublisher, NatsLiveFlowReader, type NatsConsumerOptions, type NatsPublisherOptions, type NatsReaderOptions } from './nats-live-flow.adapter.js';

/** What the apps use when nothing is configured: files beside the working directory. */
export const DEFAULT_LIVE_FLOW_URI = 'file:./.airlock/live';

/** A parsed live-flow URI: the discriminated union the factory switches on. */
export type LiveFlowLocation =
  | { readonly kind: 'nats'; readonly servers: string; readonly stream: string; readonly user?: string; readonly pass?: string }
  | { readonly kind: 'file'; readonly dir: string; readonly stream: string };

const EXPECTED = 'expected nats://host:port/<stream>, file:///abs/dir, file:relative/dir or a directory path';

const invalid = (uri: string, message: string): DomainError =>
  new DomainError('VALIDATION_FAILED', `invalid live-flow URI "${redact(uri)}": ${message}`, { errors: [{ field: 'uri', message }] });

/** Never echo a password back into logs. */
const redact = (uri: string): string => uri.replace(/^(nats:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');

function checkStream(uri: string, stream: string): string {
  if (!LIVE_NAME_PATTERN.test(stream)) throw invalid(uri, `stream "${stream}" must be 1–64 characters of [A-Za-z0-9_-] starting alphanumeric`);
  return stream;
}

/** Splits `?stream=name` off a file location (the only query a file URI takes). */
function fileStream(uri: string, query: string): string {
  if (query === '') return DEFAULT_LIVE_STREAM;
  const params = new URLSearchParams(query);
  const keys = [...params.keys()];
  if (keys.some((key) => key !== 'stream') || params.getAll('stream').length !== 1) throw invalid(uri, 'a file URI takes only ?stream=<name>');
  return checkStream(uri, params.get('stream') ?? '');
}

/** Parses a live-flow URI without touching the network or the filesystem (config validation can call it). */
export function parseLiveFlowUri(uri: string, baseDir: string = process.cwd()): LiveFlowLocation {
  if (typeof uri !== 'string' || uri.trim() === '') throw invalid(String(uri), `empty; ${EXPECTED}`);
  if (/^nats:/i.test(uri)) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw invalid(uri, `not a valid URL; ${EXPECTED}`);
    }
    if (url.hostname === '') throw invalid(uri, 'no host');
    if (url.search !== '' || url.hash !== '') throw invalid(uri, 'a nats URI takes no query or fragment');
    const path = url.pathname.replace(/^\/+|\/+$/g, '');
    if (path.includes('/')) throw invalid(uri, 'the path is the stream name, one segment');
    return {
      kind: 'nats',
      servers: `${url.hostname}:${url.port || '4222'}`,
      stream: path === '' ? DEFAULT_LIVE_STREAM : checkStream(uri, decodeURIComponent(path)),
      ...(url.username !== '' && { user: decodeURIComponent(url.username) }),
      ...(url.password !== '' && { pass: decodeURIComponent(url.password) }),
    };
  }
  if (/^file:\/\//i.test(uri)) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw invalid(uri, `not a valid file URL; ${EXPECTED}`);
    }
    if (url.host !== '') throw invalid(uri, `"${url.host}" would be a host: write file:///abs/dir, or file:relative/dir for a relative one`);
    if (url.hash !== '') throw invalid(uri, 'a file URI takes no fragment');
    return { kind: 'file', dir: fileURLToPath(new URL(`file://${url.pathname}`)), stream: fileStream(uri, url.search.slice(1)) };
  }
  if (/^[a-z][a-z0-9+.-]+:/i.test(uri) && !/^file:/i.test(uri)) throw invalid(uri, `unsupported scheme; ${EXPECTED}`);
  const withoutScheme = uri.replace(/^file:/i, '');
  const q = withoutScheme.indexOf('?');
  const path = q === -1 ? withoutScheme : withoutScheme.slice(0, q);
  if (path === '') throw invalid(uri, `no path; ${EXPECTED}`);
  return { kind: 'file', dir: isAbsolute(path) ? resolve(path) : resolve(baseDir, path), stream: fileStream(uri, q === -1 ? '' : withoutScheme.slice(q + 1)) };
}

export interface CreateLiveFlowOptions {
  /** Base of relative file paths; default: the working directory. */
  readonly baseDir?: string;
}

export interface CreatePublisherOptions extends CreateLiveFlowOptions {
  readonly nats?: NatsPublisherOptions;
  readonly file?: FilePublisherOptions;
}

export interface CreateConsumerOptions extends CreateLiveFlowOptions {
  /** Durable name: the consumer's position is kept under it (e.g. "shadow-runner"). */
  readonly durable: string;
  readonly nats?: NatsConsumerOptions;
  /** Includes the replay speed (file only: a NATS stream is live). */
  readonly file?: FileConsumerOptions;
}

export interface CreateReaderOptions extends CreateLiveFlowOptions {
  readonly nats?: NatsReaderOptions;
  readonly file?: FileReaderOptions;
}

/** Connects (NATS) or opens (file) a publisher; creates the stream when it does not exist yet. */
export async function createLiveFlowPublisher(uri: string, options: CreatePublisherOptions = {}): Promise<LiveFlowPublisher> {
  const location = parseLiveFlowUri(uri, options.baseDir);
  switch (location.kind) {
    case 'nats':
      return NatsLiveFlowPublisher.connect(location, options.nats);
    case 'file':
      return FileLiveFlowPublisher.open(location.dir, location.stream, options.file);
  }
}

/** Connects (NATS) or opens (file) a consumer on its durable position; creates stream and durable when missing. */
export async function createLiveFlowConsumer(uri: string, options: CreateConsumerOptions): Promise<LiveFlowConsumer> {
  const location = parseLiveFlowUri(uri, options.baseDir);
  switch (location.kind) {
    case 'nats':
      return NatsLiveFlowConsumer.connect(location, options.durable, options.nats);
    case 'file':
      return FileLiveFlowConsumer.open(location.dir, location.stream, options.durable, options.file);
  }
}

/**
 * A read-only range reader on the stream (same URI rules as the consumer). It creates nothing — no stream, no
 * directory, no durable — and never moves any durable position: see LiveFlowReader.
 */
export async function createLiveFlowReader(uri: string, options: CreateReaderOptions = {}): Promise<LiveFlowReader> {
  const location = parseLiveFlowUri(uri, options.baseDir);
  switch (location.kind) {
    case 'nats':
      return NatsLiveFlowReader.connect(location, options.nats);
    case 'file':
      return FileLiveFlowReader.open(location.dir, location.stream, options.file);
  }
}
