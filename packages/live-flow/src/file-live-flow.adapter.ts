/**
 * The live-flow transport on local files (the embedded default; DESIGN.md principle 9). docs/live-flow.md,
 * "File replay", describes the layout:
 *
 *   <dir>/<stream>.jsonl                     the stream: one canonical JSON event per line, append-only
 *   <dir>/<stream>.jsonl.lock                held by the one publisher (pid inside)
 *   <dir>/<stream>.<durable>.position.json   a consumer's durable position, replaced atomically
 *
 * The range reader only reads the stream file (it creates nothing, not even the directory).
 * A position is a line number (1-based). Publishing appends whole lines with one write and fdatasyncs before
 * acknowledging; a line cut short by a crash was never acknowledged, and the next publisher truncates it.
 * Consumers read lines as they appear (polling at the end), so one process can replay what another appends.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '@airlock/core';
import { AckCommitter } from './ack-committer.util.js';
import { decodeLiveEvent, MAX_EVENT_BYTES, type DecodeResult } from './live-event.decoder.js';
import { eventTimeDeltaNs, type LiveEvent } from './live-event.schema.js';
import { assertLiveName, staleAck } from './live-flow-names.util.js';
import type {
  ConsumeOptions,
  ConsumeSummary,
  LiveFlowConsumer,
  LiveFlowHandler,
  LiveFlowLag,
  LiveFlowPublisher,
  LiveFlowReader,
  LiveFlowReadHandler,
  LiveFlowReadSummary,
  PublishAck,
  PublishReceipt,
} from './live-flow.port.js';
import { validatePublishBatch } from './publish-batch.util.js';
import { checkReadRange, RangeReads } from './range-read.util.js';
import { systemReplayClock, type ReplayClock } from './replay-clock.js';
import { ConsumePass } from './consume-pass.util.js';

export const streamFilePath = (dir: string, stream: string): string => join(dir, `${stream}.jsonl`);
export const positionFilePath = (dir: string, stream: string, durable: string): string => join(dir, `${stream}.${durable}.position.json`);

const NEWLINE = 0x0a;
/** Bytes read per file read while scanning or consuming. */
const DEFAULT_CHUNK_BYTES = 1_048_576;
/** A line longer than this is skipped unread and delivered as a decode failure (a broken foreign writer). */
const MAX_LINE_BYTES = MAX_EVENT_BYTES + 1;

type EventTime = Pick<LiveEvent, 'session' | 'tsNs'>;

const isErrno = (error: unknown, code: string): boolean => (error as NodeJS.ErrnoException | undefined)?.code === code;

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------- publisher

export interface FilePublisherOptions {
  /** fdatasync the stream file before acknowledging a publish (default true): an ack survives a power cut. */
  readonly fsync?: boolean;
  /**
   * How many of the most recent event ids the publisher remembers to refuse re-sends (default 100,000) —
   * including ids read back from the file when it opens, so a producer that crashed before its ack can re-send.
   * (JetStream's window is time-based, 2 minutes; a count keeps the file adapter deterministic.)
   */
  readonly dedupeWindow?: number;
}

/**
 * The last `capacity` event ids and their positions. A ring of ids beside a Map: evicting the oldest is a
 * keyed delete (iterating a Map from its front after many deletes walks their tombstones, which made this
 * quadratic).
 */
class RecentIds {
  private readonly positions = new Map<string, number>();
  private readonly ring: (string | undefined)[];
  private next = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<string | undefined>(capacity);
  }

  get(id: string): number | undefined {
    return this.positions.get(id);
  }

  add(id: string, position: number): void {
    if (this.capacity === 0 || this.positions.has(id)) return;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.positions.delete(evicted);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.capacity;
    this.positions.set(id, position);
  }

  /** Undoes the most recent add() calls, newest first (a failed append). */
  removeNewest(ids: readonly string[]): void {
    for (let i = ids.length - 1; i >= 0; i -= 1) {
      const id = ids[i]!;
      if (!this.positions.delete(id)) continue;
      this.next = (this.next - 1 + this.capacity) % this.capacity;
      this.ring[this.next] = undefined;
    }
  }
}

/** An exclusive lock file: one publisher per stream file, or appended lines could interleave. */
async function acquireLock(path: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isSafeInteger(holder) && holder > 0 && (holder === process.pid || isAlive(holder))) {
      throw new DomainError('CONFLICT', `the stream file is held by another publisher (pid ${holder}, lock ${path})`);
    }
    await rm(path, { force: true }); // left by a process that died: take it over
  }
  throw new DomainError('CONFLICT', `could not take the publisher lock ${path}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrno(error, 'EPERM');
  }
}

/** Line count, the size up to the last newline, and the ids of the last `window` lines. */
async function scanStreamFile(handle: FileHandle, window: number): Promise<{ lines: number; size: number; fileSize: number; recent: RecentIds }> {
  const recent = new RecentIds(window);
  const idKey = Buffer.from('"id":"');
  let lines = 0;
  let size = 0; // end of the last complete line
  let fileSize = 0;
  let carry: Buffer | undefined;
  for (;;) {
    const chunk = Buffer.allocUnsafe(DEFAULT_CHUNK_BYTES * 4);
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, fileSize);
    if (bytesRead === 0) break;
    fileSize += bytesRead;
    const data = carry === undefined ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
    let start = 0;
    for (let nl = data.indexOf(NEWLINE, start); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
      lines += 1;
      // The id without parsing the line: canonical ids never need JSON escaping (EVENT_ID_PATTERN).
      const key = data.indexOf(idKey, start);
      if (key !== -1 && key < nl) {
        const from = key + idKey.length;
        const to = data.indexOf(0x22, from);
        if (to !== -1 && to < nl) {
          recent.add(data.toString('latin1', from, to), lines);
        }
      }
      size += nl + 1 - start;
      start = nl + 1;
    }
    carry = start < data.length ? Buffer.from(data.subarray(start)) : undefined;
  }
  return { lines, size, fileSize, recent };
}

export class FileLiveFlowPublisher implements LiveFlowPublisher {
  readonly kind = 'file' as const;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly stream: string,
    /** The stream file. */
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly unlock: () => Promise<void>,
    /** Bytes in the file (always whole lines). */
    private size: number,
    /** Lines in the file = position of the last event. */
    private lines: number,
    private readonly recent: RecentIds,
    private readonly fsync: boolean,
    /** Bytes of a torn last line removed when opening (0 normally): for diagnostics. */
    readonly repairedBytes: number,
  ) {}

  static async open(dir: string, stream: string, options: FilePublisherOptions = {}): Promise<FileLiveFlowPublisher> {
    assertLiveName('stream', stream);
    const window = options.dedupeWindow ?? 100_000;
    if (!Number.isSafeInteger(window) || window < 0) throw new DomainError('VALIDATION_FAILED', 'dedupeWindow must be a non-negative integer', { errors: [{ field: 'dedupeWindow', message: 'must be a non-negative integer' }] });
    await mkdir(dir, { recursive: true });
    const path = streamFilePath(dir, stream);
    const unlock = await acquireLock(`${path}.lock`);
    try {
      // 'a+': every write appends (O_APPEND), and the file can be read back to rebuild the dedupe window.
      const handle = await open(path, 'a+');
      try {
        const scan = await scanStreamFile(handle, window);
        const fsync = options.fsync ?? true;
        if (scan.fileSize > scan.size) {
          await handle.truncate(scan.size);
          if (fsync) await handle.datasync();
        }
        return new FileLiveFlowPublisher(stream, path, handle, unlock, scan.size, scan.lines, scan.recent, fsync, scan.fileSize - scan.size);
      } catch (error) {
        await handle.close();
        throw error;
      }
    } catch (error) {
      await unlock();
      throw error;
    }
  }

  publish(events: readonly LiveEvent[]): Promise<PublishReceipt> {
    if (this.closed) return Promise.reject(new DomainError('CONFLICT', 'the live-flow publisher is closed'));
    let canonical: LiveEvent[];
    try {
      canonical = validatePublishBatch(events);
    } catch (error) {
      return Promise.reject(error);
    }
    // One append at a time, in call order.
    const run = this.queue.then(() => this.append(canonical));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async append(events: readonly LiveEvent[]): Promise<PublishReceipt> {
    const acks: PublishAck[] = new Array<PublishAck>(events.length);
    const added: string[] = [];
    let text = '';
    for (let i = 0; i < events.length; i += 1) {
      const event = events[i]!;
      const seen = this.recent.get(event.id);
      if (seen !== undefined) {
        acks[i] = { id: event.id, position: seen, duplicate: true };
        continue;
      }
      const position = this.lines + added.length + 1;
      this.recent.add(event.id, position); // also catches a repeat later in this same batch
      added.push(event.id);
      text += `${JSON.stringify(event)}\n`;
      acks[i] = { id: event.id, position, duplicate: false };
    }
    if (added.length > 0) {
      const bytes = Buffer.from(text, 'utf8');
      try {
        let written = 0;
        while (written < bytes.length) written += (await this.handle.write(bytes, written, bytes.length - written, null)).bytesWritten;
        if (this.fsync) await this.handle.datasync();
      } catch (error) {
        // Nothing of this batch counts as stored: forget its ids and cut any part that reached the file.
        this.recent.removeNewest(added);
        await this.handle.truncate(this.size).catch(() => undefined);
        throw error;
      }
      this.size += bytes.length;
      this.lines += added.length;
    }
    return { acks, stored: added.length, duplicates: events.length - added.length };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.handle.close();
    await this.unlock();
  }
}

// ---------------------------------------------------------------------------------------------- consumer

export interface FileConsumerOptions {
  /**
   * Replay pace by event time: N = N× real time (1 = as recorded, 10 = ten times faster), 'max' (default) = as
   * fast as the handler takes them. The pace restarts at each new session and never waits for an event whose
   * time goes backwards.
   */
  readonly speed?: number | 'max';
  /** ms between looks for new lines at the end of the file when following (default 20). */
  readonly pollMs?: number;
  /** Replay pacing and polling clock (default: the system clock). */
  readonly clock?: ReplayClock;
  /** fsync position files and their directory (default true): an ack survives a power cut. */
  readonly fsync?: boolean;
  /** Bytes per read (default 1 MiB). */
  readonly readChunkBytes?: number;
}

/** What a position file holds (and an ack asks to write). */
interface FilePosition {
  readonly position: number;
  /** Byte offset just after line `position`. */
  readonly offset: number;
  /** Event time of the last decodable event at or before `position`. */
  readonly time: EventTime | undefined;
}

const POSITION_FILE_VERSION = 1;

export class FileLiveFlowConsumer implements LiveFlowConsumer {
  readonly kind = 'file' as const;
  private readonly committer: AckCommitter<FilePosition>;
  private readonly clock: ReplayClock;
  private readonly speed: number | 'max';
  private readonly pollMs: number;
  private readonly fsync: boolean;
  private readonly chunkBytes: number;
  private readonly passes = new ConsumePass();
  private inHandler = false;
  private closed = false;
  /** Counts consume() passes: an ack from an earlier pass is refused (its delivery is being delivered again). */
  private pass = 0;

  private constructor(
    readonly stream: string,
    readonly durable: string,
    private readonly dir: string,
    /** The durable position as last written (or read at open). */
    private committed: FilePosition,
    options: FileConsumerOptions,
  ) {
    this.clock = options.clock ?? systemReplayClock;
    this.speed = options.speed ?? 'max';
    this.pollMs = options.pollMs ?? 20;
    this.fsync = options.fsync ?? true;
    this.chunkBytes = options.readChunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.committer = new AckCommitter((record) => this.writePosition(record), committed.position);
  }

  static async open(dir: string, stream: string, durable: string, options: FileConsumerOptions = {}): Promise<FileLiveFlowConsumer> {
    assertLiveName('stream', stream);
    assertLiveName('durable', durable);
    if (options.speed !== undefined && options.speed !== 'max' && !(typeof options.speed === 'number' && Number.isFinite(options.speed) && options.speed > 0)) {
      throw new DomainError('VALIDATION_FAILED', `replay speed must be a positive number or "max" (got ${String(options.speed)})`, { errors: [{ field: 'speed', message: 'must be a positive number or "max"' }] });
    }
    await mkdir(dir, { recursive: true });
    const committed = await readPositionFile(positionFilePath(dir, stream, durable));
    return new FileLiveFlowConsumer(stream, durable, dir, committed, options);
  }

  get path(): string {
    return streamFilePath(this.dir, this.stream);
  }

  get positionPath(): string {
    return positionFilePath(this.dir, this.stream, this.durable);
  }

  async ackedPosition(): Promise<number> {
    return this.committed.position;
  }

  /** Writes the position file atomically: a temporary file, fsynced, renamed over the old one. */
  private async writePosition(record: FilePosition): Promise<void> {
    const body = {
      v: POSITION_FILE_VERSION,
      stream: this.stream,
      durable: this.durable,
      position: record.position,
      offset: record.offset,
      ...(record.time !== undefined && { session: record.time.session, tsNs: record.time.tsNs }),
    };
    const temporary = `${this.positionPath}.${randomUUID()}.tmp`;
    try {
      const handle = await open(temporary, 'w');
      try {
        await handle.writeFile(`${JSON.stringify(body)}\n`);
        if (this.fsync) await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.positionPath);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    if (this.fsync) await fsyncDirectory(this.dir);
    this.committed = record;
  }

  consume(handler: LiveFlowHandler, options: ConsumeOptions = {}): Promise<ConsumeSummary> {
    if (this.closed) return Promise.reject(new DomainError('CONFLICT', 'the live-flow consumer is closed'));
    return this.passes.start(this.durable, options.signal, (signal) => this.run(handler, options.follow ?? true, signal));
  }

  private async openStream(follow: boolean, signal: AbortSignal): Promise<FileHandle | undefined> {
    for (;;) {
      try {
        return await open(this.path, 'r');
      } catch (error) {
        if (!isErrno(error, 'ENOENT')) throw error;
      }
      // No publisher has created the stream yet.
      if (!follow || signal.aborted) return undefined;
      await this.clock.sleep(this.pollMs, signal);
    }
  }

  private async run(handler: LiveFlowHandler, follow: boolean, signal: AbortSignal): Promise<ConsumeSummary> {
    // Acks still being written from a previous pass must land before the start position is read.
    await this.committer.idle();
    this.pass += 1;
    const pass = this.pass;
    const start = this.committed;
    this.committer.reset(start.position);
    let delivered = 0;
    let decodeFailures = 0;
    let position = start.position;
    let offset = start.offset;
    let lastTime = start.time;
    const summary = (): ConsumeSummary => ({ delivered, decodeFailures, lastPosition: delivered > 0 ? position : 0 });

    const handle = await this.openStream(follow, signal);
    if (handle === undefined) return summary();
    try {
      await this.checkStartOffset(handle, start);
      let pace: { session: string; tsNs: number; wallMs: number } | undefined;
      let carry: Buffer | undefined;
      let skipping = 0; // > 0 while inside an over-long line: bytes skipped so far
      let readOffset = offset;

      const deliver = async (raw: Uint8Array, decoded: DecodeResult, lineBytes: number): Promise<void> => {
        position += 1;
        offset += lineBytes;
        if (decoded.ok) {
          const { session, tsNs } = decoded.event;
          if (this.speed !== 'max') {
            if (pace === undefined || pace.session !== session) pace = { session, tsNs, wallMs: this.clock.nowMs() };
            else {
              const waitMs = pace.wallMs + (tsNs - pace.tsNs) / 1e6 / this.speed - this.clock.nowMs();
              if (waitMs >= 1) await this.clock.sleep(waitMs, signal);
            }
          }
          lastTime = { session, tsNs };
        } else decodeFailures += 1;
        delivered += 1;
        const record: FilePosition = { position, offset, time: lastTime };
        this.inHandler = true;
        try {
          await handler({ position, decoded, raw, ack: () => (pass === this.pass ? this.committer.request(record) : Promise.reject(staleAck(position))) });
        } finally {
          this.inHandler = false;
        }
      };

      reading: while (!signal.aborted) {
        const chunk = Buffer.allocUnsafe(this.chunkBytes);
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, readOffset);
        if (bytesRead === 0) {
          if (!follow) break; // caught up; a torn last line is not an event yet
          await this.clock.sleep(this.pollMs, signal);
          continue;
        }
        readOffset += bytesRead;
        const data = carry === undefined ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
        carry = undefined;
        let lineStart = 0;
        for (let nl = data.indexOf(NEWLINE, lineStart); nl !== -1; nl = data.indexOf(NEWLINE, lineStart)) {
          if (skipping > 0) {
            const length = skipping + nl + 1;
            skipping = 0;
            await deliver(new Uint8Array(0), { ok: false, reason: `too large: a line of ${length - 1} bytes (limit ${MAX_EVENT_BYTES})` }, length);
          } else {
            const raw = data.subarray(lineStart, nl);
            await deliver(raw, decodeLiveEvent(raw), raw.length + 1);
          }
          lineStart = nl + 1;
          if (signal.aborted) break reading;
        }
        if (skipping > 0) skipping += data.length - lineStart;
        else if (data.length - lineStart > MAX_LINE_BYTES) skipping = data.length - lineStart;
        else if (lineStart < data.length) carry = Buffer.from(data.subarray(lineStart));
      }
    } finally {
      await handle.close();
      // Acks the handler asked for are written before consume() settles (their failures reach the ack callers).
      await this.committer.idle();
    }
    return summary();
  }

  /** A position file must point at a line boundary inside the stream file, or the file was replaced. */
  private async checkStartOffset(handle: FileHandle, start: FilePosition): Promise<void> {
    const { size } = await handle.stat();
    let ok = start.offset <= size;
    if (ok && start.offset > 0) {
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, start.offset - 1);
      ok = byte[0] === NEWLINE;
    }
    if (!ok) {
      throw new DomainError('CONFLICT', `the position file ${this.positionPath} (line ${start.position}, byte ${start.offset}) does not match ${this.path} (${size} bytes): the stream file was truncated or replaced; delete the position file to read from the start`);
    }
  }

  async lag(): Promise<LiveFlowLag> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return { events: 0, ns: 0 };
      throw error;
    }
    try {
      const { committed } = this;
      let events = 0;
      let firstLine: Buffer | undefined;
      let lastLine: Buffer | undefined;
      let carry: Buffer | undefined;
      for (let readOffset = committed.offset; ; ) {
        const chunk = Buffer.allocUnsafe(this.chunkBytes);
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, readOffset);
        if (bytesRead === 0) break;
        readOffset += bytesRead;
        const data = carry === undefined ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
        let lineStart = 0;
        let lastStart = -1;
        let lastEnd = -1;
        for (let nl = data.indexOf(NEWLINE, lineStart); nl !== -1; nl = data.indexOf(NEWLINE, lineStart)) {
          events += 1;
          if (firstLine === undefined && committed.position === 0) firstLine = Buffer.from(data.subarray(lineStart, nl));
          lastStart = lineStart;
          lastEnd = nl;
          lineStart = nl + 1;
        }
        if (lastStart >= 0) lastLine = Buffer.from(data.subarray(lastStart, lastEnd));
        // Only the tail after the last newline is needed again (bounded: over-long lines are not events).
        carry = lineStart < data.length && data.length - lineStart <= MAX_LINE_BYTES ? Buffer.from(data.subarray(lineStart)) : undefined;
      }
      if (events === 0) return { events, ns: 0 };
      const reference = committed.position > 0 ? committed.time : timeOf(firstLine);
      const newest = timeOf(lastLine);
      return { events, ns: reference !== undefined && newest !== undefined ? eventTimeDeltaNs(reference, newest) : null };
    } finally {
      await handle.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.passes.stop();
    // Inside the handler the loop cannot end until we return; it closes its file and flushes acks on the way out.
    if (this.passes.running !== undefined && !this.inHandler) await this.passes.running.catch(() => undefined);
    if (!this.inHandler) await this.committer.idle().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------- reader

export interface FileReaderOptions {
  /** Bytes per read (default 1 MiB). */
  readonly readChunkBytes?: number;
}

/**
 * Reads a range of lines of the stream file again (LiveFlowReader): counts lines from the start of the file,
 * delivers those in the range — decoded like the consumer does, over-long lines as decode failures — and stops
 * after toPosition or at the last complete line of the file as it was when the read started.
 */
export class FileLiveFlowReader implements LiveFlowReader {
  readonly kind = 'file' as const;
  private readonly reads = new RangeReads();
  private readonly chunkBytes: number;

  private constructor(
    readonly stream: string,
    private readonly dir: string,
    options: FileReaderOptions,
  ) {
    this.chunkBytes = options.readChunkBytes ?? DEFAULT_CHUNK_BYTES;
  }

  /** Touches nothing: a missing directory or stream file reads as an empty stream. */
  static open(dir: string, stream: string, options: FileReaderOptions = {}): Promise<FileLiveFlowReader> {
    try {
      assertLiveName('stream', stream);
      return Promise.resolve(new FileLiveFlowReader(stream, dir, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  get path(): string {
    return streamFilePath(this.dir, this.stream);
  }

  read(fromPosition: number, toPosition: number, handler: LiveFlowReadHandler): Promise<LiveFlowReadSummary> {
    try {
      checkReadRange(fromPosition, toPosition);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.reads.start(this.stream, (signal) => this.run(fromPosition, toPosition, handler, signal));
  }

  private async run(fromPosition: number, toPosition: number, handler: LiveFlowReadHandler, signal: AbortSignal): Promise<LiveFlowReadSummary> {
    let delivered = 0;
    let lastPosition = 0;
    if (fromPosition > toPosition) return { delivered, lastPosition };
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return { delivered, lastPosition }; // no publisher has created the stream yet
      throw error;
    }
    try {
      // The stored end when the read starts: lines appended meanwhile are not read (a bounded read).
      const { size } = await handle.stat();
      let position = 0;
      let readOffset = 0;
      let carry: Buffer | undefined;
      let skipping = 0; // > 0 while inside an over-long line: bytes skipped so far
      const deliver = async (raw: Uint8Array, decoded: () => DecodeResult): Promise<boolean> => {
        position += 1;
        if (position < fromPosition) return true;
        delivered += 1;
        lastPosition = position;
        const delivery = { position, decoded: decoded(), raw };
        await this.reads.handle(() => handler(delivery));
        return position < toPosition && !signal.aborted;
      };
      reading: while (readOffset < size && !signal.aborted) {
        const chunk = Buffer.allocUnsafe(Math.min(this.chunkBytes, size - readOffset));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, readOffset);
        if (bytesRead === 0) break; // truncated meanwhile
        readOffset += bytesRead;
        const data = carry === undefined ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
        carry = undefined;
        let lineStart = 0;
        for (let nl = data.indexOf(NEWLINE, lineStart); nl !== -1; nl = data.indexOf(NEWLINE, lineStart)) {
          let more: boolean;
          if (skipping > 0) {
            const length = skipping + nl;
            skipping = 0;
            more = await deliver(new Uint8Array(0), () => ({ ok: false, reason: `too large: a line of ${length} bytes (limit ${MAX_EVENT_BYTES})` }));
          } else {
            const raw = data.subarray(lineStart, nl);
            more = await deliver(raw, () => decodeLiveEvent(raw));
          }
          lineStart = nl + 1;
          if (!more) break reading;
        }
        // A trailing line without its newline is not an event (yet): it is never delivered.
        if (skipping > 0) skipping += data.length - lineStart;
        else if (data.length - lineStart > MAX_LINE_BYTES) skipping = data.length - lineStart;
        else if (lineStart < data.length) carry = Buffer.from(data.subarray(lineStart));
      }
    } finally {
      await handle.close();
    }
    return { delivered, lastPosition };
  }

  async close(): Promise<void> {
    await this.reads.close();
  }
}

function timeOf(line: Buffer | undefined): EventTime | undefined {
  if (line === undefined) return undefined;
  const decoded = decodeLiveEvent(line);
  return decoded.ok ? { session: decoded.event.session, tsNs: decoded.event.tsNs } : undefined;
}

async function readPositionFile(path: string): Promise<FilePosition> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return { position: 0, offset: 0, time: undefined };
    throw error;
  }
  let value: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) value = parsed as Record<string, unknown>;
  } catch {
    value = undefined;
  }
  const { position, offset, session, tsNs } = value ?? {};
  if (value === undefined || value.v !== POSITION_FILE_VERSION || !Number.isSafeInteger(position) || !Number.isSafeInteger(offset) || (position as number) < 0 || (offset as number) < 0) {
    throw new DomainError('CONFLICT', `unreadable position file ${path}: expected {"v":1,"position":…,"offset":…}`);
  }
  const time = typeof session === 'string' && Number.isSafeInteger(tsNs) ? { session, tsNs: tsNs as number } : undefined;
  return { position: position as number, offset: offset as number, time };
}
