import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { unzipSync } from 'fflate';
import { DomainError } from '@airlock/core';
import type { MarketDay } from './market-day.js';
import {
  type DataProblem,
  type ParsedBook,
  type ParsedMessages,
  ProblemLog,
  parseMessageFile,
  parseOrderbookFile,
} from './lobster-csv.parser.js';

/**
 * Loads LOBSTER data into a MarketDay: a .zip as LOBSTER ships it (unzipped in memory), a directory holding one
 * message (+ orderbook) pair, or a message CSV path with its orderbook file beside it by name.
 *
 * Bad rows never stop the load: each is reported in `problems` with its file and line, and dropped together with
 * its partner row in the other file (row k of the orderbook is the book after message k, so they live and die
 * together). Decisions, all reported:
 * - a message time earlier than the one before is kept in sequence (the book rows depend on the order) with its
 *   time raised to the previous time, so `timeNs` stays non-decreasing for every consumer;
 * - a size ≤ 0 on event types 1–6, a price that is not a whole number of ticks, a bad type or direction, a
 *   truncated or over-long row: the row is dropped;
 * - orderbook rows whose column count is not 4 × L (L fixed by the file's first good row) are dropped;
 * - message and orderbook files of different lengths: the extra rows are dropped.
 * Throws DomainError('DATA_INVALID') only when nothing usable remains, the source cannot be read, or a
 * 6-column message file has no orderbook file (the book cannot be seeded). A 7-column file (participant MPID
 * column) may come without its orderbook file: the day then has `levels = 0` and empty book columns: a trade
 * tape and order-flow sample, not a book replay (rebuilding the book from the messages alone would miss every
 * order resting before the file starts).
 */

/** Options of loadLobster / parseLobster. */
export interface LoadOptions {
  /** Overrides the instrument taken from the file name. */
  readonly instrument?: string;
  /** Overrides the date (YYYY-MM-DD) taken from the file name. */
  readonly date?: string;
  /** LOBSTER price units per tick; default 100 (one cent). */
  readonly tickSize?: number;
}

export interface LoadResult {
  readonly day: MarketDay;
  readonly problems: DataProblem[];
}

/** The raw bytes of one LOBSTER pair, as found at a source. */
export interface LobsterFiles {
  /** Label used in problems, e.g. `x.zip:GOOG_…_message_10.csv`. */
  readonly messageFile: string;
  readonly messageBytes: Uint8Array;
  readonly orderbookFile?: string;
  readonly orderbookBytes?: Uint8Array;
}

const DEFAULT_TICK_SIZE = 100;
const NAME_PATTERN = /([A-Za-z0-9.^-]+)_(\d{4}-\d{2}-\d{2})_(\d+)_(\d+)_(message|orderbook)_(\d+)\.csv$/;
const MESSAGE_FILE = /message[^/\\]*\.csv$/i;

function invalid(message: string, field = 'source'): DomainError {
  return new DomainError('DATA_INVALID', message, { errors: [{ field, message }] });
}

/** `…_message_10.csv` → `…_orderbook_10.csv`; undefined when the name does not say `message`. */
export function orderbookNameFor(messageName: string): string | undefined {
  const base = basename(messageName);
  const at = base.toLowerCase().lastIndexOf('message');
  if (at < 0) return undefined;
  const swapped = `${base.slice(0, at)}orderbook${base.slice(at + 'message'.length)}`;
  return messageName.slice(0, messageName.length - base.length) + swapped;
}

/** Instrument, date and level count from a LOBSTER file name, when it follows LOBSTER's pattern. */
export function parseLobsterName(
  name: string,
): { instrument: string; date: string; startMs: number; endMs: number; levels: number } | undefined {
  const match = NAME_PATTERN.exec(basename(name));
  if (match === null) return undefined;
  return {
    instrument: match[1]!,
    date: match[2]!,
    startMs: Number(match[3]),
    endMs: Number(match[4]),
    levels: Number(match[6]),
  };
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    throw invalid(`cannot read ${path}: ${(error as Error).message}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The bytes read from disk for a source, before any unzipping: what the columnar cache's key hashes, so a cache
 * hit costs one read of the (small) source and never a decompression.
 */
export interface RawLobsterSource {
  readonly kind: 'zip' | 'csv';
  /** The zip itself, or the message file then (if present) the orderbook file. */
  readonly parts: readonly { readonly path: string; readonly bytes: Uint8Array }[];
}

/** Finds and reads the files of a LOBSTER source (zip, directory, or message CSV), without parsing them. */
export async function readRawLobsterSource(source: string): Promise<RawLobsterSource> {
  let info;
  try {
    info = await stat(source);
  } catch {
    throw invalid(`${source}: no such file or directory`);
  }
  if (info.isDirectory()) {
    const names = (await readdir(source)).sort();
    const messages = names.filter((name) => MESSAGE_FILE.test(name));
    if (messages.length === 1) return rawCsv(join(source, messages[0]!));
    const zips = names.filter((name) => name.toLowerCase().endsWith('.zip'));
    if (messages.length === 0 && zips.length === 1) {
      const zipPath = join(source, zips[0]!);
      return { kind: 'zip', parts: [{ path: zipPath, bytes: await readBytes(zipPath) }] };
    }
    throw invalid(
      messages.length === 0
        ? `${source}: no LOBSTER message file (*message*.csv) or single .zip in the directory`
        : `${source}: ${messages.length} message files (${messages.join(', ')}); point at one of them`,
    );
  }
  if (source.toLowerCase().endsWith('.zip')) return { kind: 'zip', parts: [{ path: source, bytes: await readBytes(source) }] };
  if (source.toLowerCase().endsWith('.csv')) {
    if (!MESSAGE_FILE.test(basename(source))) {
      throw invalid(`${source}: expected a LOBSTER message file (…_message_<L>.csv), a directory or a .zip`);
    }
    return rawCsv(source);
  }
  throw invalid(`${source}: expected a LOBSTER .zip, a directory, or a message .csv file`);
}

async function rawCsv(messagePath: string): Promise<RawLobsterSource> {
  const parts = [{ path: messagePath, bytes: await readBytes(messagePath) }];
  const orderbookPath = orderbookNameFor(messagePath);
  if (orderbookPath !== undefined && (await exists(orderbookPath))) {
    parts.push({ path: orderbookPath, bytes: await readBytes(orderbookPath) });
  }
  return { kind: 'csv', parts };
}

/** Unzips (in memory) if needed and names the message and orderbook files. */
export function extractLobsterFiles(raw: RawLobsterSource): LobsterFiles {
  if (raw.kind === 'csv') {
    const [message, orderbook] = raw.parts;
    return {
      messageFile: message!.path,
      messageBytes: message!.bytes,
      ...(orderbook === undefined ? {} : { orderbookFile: orderbook.path, orderbookBytes: orderbook.bytes }),
    };
  }
  const zipPath = raw.parts[0]!.path;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(raw.parts[0]!.bytes, {
      filter: (file) => file.name.toLowerCase().endsWith('.csv') && !file.name.startsWith('__MACOSX'),
    });
  } catch (error) {
    throw invalid(`${zipPath}: not a readable zip archive (${(error as Error).message})`);
  }
  const names = Object.keys(entries);
  const messages = names.filter((name) => MESSAGE_FILE.test(name));
  if (messages.length !== 1) {
    throw invalid(
      messages.length === 0
        ? `${zipPath}: no LOBSTER message file (*message*.csv) in the archive (found: ${names.join(', ') || 'nothing'})`
        : `${zipPath}: ${messages.length} message files in the archive (${messages.join(', ')}); expected one`,
    );
  }
  const messageName = messages[0]!;
  const orderbookName = orderbookNameFor(messageName);
  const orderbookBytes = orderbookName === undefined ? undefined : entries[orderbookName];
  const label = basename(zipPath);
  return {
    messageFile: `${label}:${messageName}`,
    messageBytes: entries[messageName]!,
    ...(orderbookBytes === undefined ? {} : { orderbookFile: `${label}:${orderbookName}`, orderbookBytes }),
  };
}

/** Finds, reads and (for a zip) unzips the LOBSTER files at a source. */
export async function readLobsterSource(source: string): Promise<LobsterFiles> {
  return extractLobsterFiles(await readRawLobsterSource(source));
}

/** Parses a LOBSTER source into a MarketDay, reporting every row it had to drop or fix. */
export async function loadLobster(source: string, options: LoadOptions = {}): Promise<LoadResult> {
  return parseLobster(await readLobsterSource(source), options);
}

/** The pure part of loadLobster: bytes in, MarketDay and problems out. */
export function parseLobster(files: LobsterFiles, options: LoadOptions = {}): LoadResult {
  const tickSize = options.tickSize ?? DEFAULT_TICK_SIZE;
  if (!Number.isInteger(tickSize) || tickSize <= 0) throw invalid(`tickSize must be a positive integer`, 'tickSize');
  const log = new ProblemLog();
  const name = parseLobsterName(files.messageFile);
  const instrument = options.instrument ?? name?.instrument;
  const date = options.date ?? name?.date;
  if (instrument === undefined || date === undefined) {
    log.add(
      files.messageFile,
      0,
      'instrument/date not found in the file name (<TICKER>_<YYYY-MM-DD>_<start>_<end>_message_<L>.csv); pass them as options',
      instrument === undefined ? 'instrument' : 'date',
    );
  }
  if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw invalid(`date must be YYYY-MM-DD, got ${date}`, 'date');

  const messages = parseMessageFile(files.messageBytes, files.messageFile, tickSize, log);
  let book: ParsedBook | undefined;
  if (files.orderbookBytes !== undefined) {
    const hint = parseLobsterName(files.orderbookFile ?? '')?.levels ?? name?.levels ?? 0;
    book = parseOrderbookFile(files.orderbookBytes, files.orderbookFile ?? '', tickSize, hint, log);
    if (book.levels === 0) {
      throw invalid(
        `${files.orderbookFile}: cannot tell the number of levels (no row has a multiple of 4 columns and the file name does not say)`,
        'orderbook',
      );
    }
  } else if (messages.columns === 6) {
    const expected = orderbookNameFor(files.messageFile);
    throw invalid(
      `${files.messageFile}: no orderbook file${expected === undefined ? '' : ` (expected ${basename(expected)} beside it)`}; ` +
        '6-column LOBSTER data needs it to seed the book',
      'orderbook',
    );
  }

  const day = assemble(messages, book, files, log, {
    instrument: instrument ?? 'UNKNOWN',
    date: date ?? '1970-01-01',
    tickSize,
  });
  return { day, problems: log.result() };
}

function assemble(
  m: ParsedMessages,
  book: ParsedBook | undefined,
  files: LobsterFiles,
  log: ProblemLog,
  meta: { instrument: string; date: string; tickSize: number },
): MarketDay {
  let rows = m.rows;
  if (book !== undefined && book.rows !== m.rows) {
    rows = Math.min(m.rows, book.rows);
    const longer = book.rows > m.rows ? files.orderbookFile! : files.messageFile;
    log.add(
      longer,
      rows + 1,
      `message file has ${m.rows} rows, orderbook file ${book.rows}: rows from here on have no partner and are dropped`,
    );
  }
  const levels = book?.levels ?? 0;
  let kept = 0;
  const keep = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    if (m.ok[r] === 1 && (book === undefined || book.ok[r] === 1)) {
      keep[r] = 1;
      kept++;
    }
  }
  if (kept === 0) {
    const problems = log.result().slice(0, 20);
    throw new DomainError('DATA_INVALID', `${files.messageFile}: no usable rows (${log.total} problems)`, {
      errors: problems.map((p) => ({
        field: `${p.file}:${p.line}${p.field === undefined ? '' : ` ${p.field}`}`,
        message: p.message,
      })),
    });
  }

  const everyRow = kept === m.rows && (book === undefined || kept === book.rows);
  const pick = <T extends Float64Array | Int32Array | Uint8Array | Int8Array | Uint16Array>(column: T, create: (n: number) => T): T => {
    if (everyRow) return column;
    const out = create(kept);
    for (let r = 0, k = 0; r < rows; r++) if (keep[r] === 1) out[k++] = column[r]!;
    return out;
  };
  const pickBook = (column: Int32Array): Int32Array => {
    if (everyRow) return column;
    const out = new Int32Array(kept * levels);
    for (let r = 0, k = 0; r < rows; r++) {
      if (keep[r] === 1) {
        out.set(column.subarray(r * levels, (r + 1) * levels), k * levels);
        k++;
      }
    }
    return out;
  };

  const timeNs = pick(m.timeNs, (n) => new Float64Array(n));
  const line = pick(m.line, (n) => new Int32Array(n));
  // Non-decreasing time: an earlier time keeps its place in the sequence, raised to the previous time.
  for (let k = 1; k < kept; k++) {
    if (timeNs[k]! < timeNs[k - 1]!) {
      log.add(
        files.messageFile,
        line[k]!,
        `time ${timeNs[k]} ns is earlier than the previous message's ${timeNs[k - 1]} ns; kept in sequence with the previous time`,
        'time',
      );
      timeNs[k] = timeNs[k - 1]!;
    }
  }

  const day: MarketDay = {
    instrument: meta.instrument,
    date: meta.date,
    levels,
    tickSize: meta.tickSize,
    length: kept,
    timeNs,
    type: pick(m.type, (n) => new Uint8Array(n)),
    orderId: pick(m.orderId, (n) => new Float64Array(n)),
    size: pick(m.size, (n) => new Int32Array(n)),
    price: pick(m.price, (n) => new Int32Array(n)),
    direction: pick(m.direction, (n) => new Int8Array(n)),
    ...(m.participant === undefined
      ? {}
      : { participant: pick(m.participant, (n) => new Uint16Array(n)), participants: m.participants ?? [''] }),
    askPrice: book === undefined ? new Int32Array(0) : pickBook(book.askPrice),
    askSize: book === undefined ? new Int32Array(0) : pickBook(book.askSize),
    bidPrice: book === undefined ? new Int32Array(0) : pickBook(book.bidPrice),
    bidSize: book === undefined ? new Int32Array(0) : pickBook(book.bidSize),
  };
  return day;
}
