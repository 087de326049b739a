import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { DomainError } from '@airlock/core';
import type { MarketDay } from './market-day.js';
import { type LoadOptions, extractLobsterFiles, parseLobster, readRawLobsterSource } from './lobster.loader.js';

/**
 * The columnar cache: a MarketDay on disk as its typed-array bytes behind a small JSON header, so a later run
 * loads it with one file read and typed-array views: no text, no per-row work.
 *
 * File layout (all integers little-endian):
 *   0   8 bytes  magic "AIRLMDAY"
 *   8   uint32   format version (CACHE_FORMAT_VERSION)
 *   12  uint32   header length H in bytes
 *   16  H bytes  header JSON (UTF-8), space-padded so the first column starts on an 8-byte boundary
 *   …            the columns, each at the 8-aligned byte offset the header gives, in native typed-array layout
 * The header holds the MarketDay's scalar fields, the participant names, and for each column its name, element
 * type, element count and offset; plus `source`, free-form provenance (the cache key for loadMarketDay).
 */
export const CACHE_FORMAT_VERSION = 1;
/**
 * Bumped whenever the LOBSTER loader's output for the same bytes changes (a parsing rule, a default): part of
 * the cache key, so old entries are never served for new rules.
 */
export const LOADER_VERSION = 1;

const MAGIC = 'AIRLMDAY';
const PREAMBLE = 16;

type ColumnType = 'f64' | 'i32' | 'u16' | 'u8' | 'i8';
type Column = Float64Array | Int32Array | Uint16Array | Uint8Array | Int8Array;

interface ColumnEntry {
  readonly name: string;
  readonly type: ColumnType;
  readonly count: number;
  readonly offset: number;
}

interface CacheHeader {
  readonly instrument: string;
  readonly date: string;
  readonly levels: number;
  readonly tickSize: number;
  readonly length: number;
  readonly participants?: readonly string[];
  readonly columns: readonly ColumnEntry[];
  readonly source?: Readonly<Record<string, unknown>>;
}

const COLUMN_NAMES = [
  'timeNs',
  'type',
  'orderId',
  'size',
  'price',
  'direction',
  'participant',
  'askPrice',
  'askSize',
  'bidPrice',
  'bidSize',
] as const;
type ColumnName = (typeof COLUMN_NAMES)[number];

const EXPECTED_TYPE: Record<ColumnName, ColumnType> = {
  timeNs: 'f64',
  type: 'u8',
  orderId: 'f64',
  size: 'i32',
  price: 'i32',
  direction: 'i8',
  participant: 'u16',
  askPrice: 'i32',
  askSize: 'i32',
  bidPrice: 'i32',
  bidSize: 'i32',
};

const BYTES: Record<ColumnType, number> = { f64: 8, i32: 4, u16: 2, u8: 1, i8: 1 };

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

function invalid(file: string, message: string): DomainError {
  return new DomainError('DATA_INVALID', `${file}: ${message}`, { errors: [{ field: 'cache', message }] });
}

/** Writes a MarketDay to a cache file (atomically: a temporary file renamed into place). */
export async function saveMarketDay(
  day: MarketDay,
  file: string,
  source?: Readonly<Record<string, unknown>>,
): Promise<void> {
  if (!isLittleEndian) throw invalid(file, 'the columnar cache is little-endian; this host is not');
  const columns: { entry: { name: string; type: ColumnType; count: number; offset: number }; data: Column }[] = [];
  for (const name of COLUMN_NAMES) {
    const data = day[name];
    if (data === undefined) continue;
    columns.push({ entry: { name, type: EXPECTED_TYPE[name], count: data.length, offset: 0 }, data });
  }
  const headerOf = (): CacheHeader => ({
    instrument: day.instrument,
    date: day.date,
    levels: day.levels,
    tickSize: day.tickSize,
    length: day.length,
    ...(day.participants === undefined ? {} : { participants: day.participants }),
    columns: columns.map((column) => column.entry),
    ...(source === undefined ? {} : { source }),
  });
  // The header holds the column offsets and the offsets depend on the header's length: lay out, re-encode, and
  // repeat until the header fits before the first column (the slack makes the second pass fit).
  let headerBytes = new TextEncoder().encode(JSON.stringify(headerOf()));
  let start: number;
  for (let pass = 0; ; pass++) {
    start = align8(PREAMBLE + headerBytes.length + 128);
    let offset = start;
    for (const column of columns) {
      column.entry.offset = offset;
      offset = align8(offset + column.entry.count * BYTES[column.entry.type]);
    }
    headerBytes = new TextEncoder().encode(JSON.stringify(headerOf()));
    if (PREAMBLE + headerBytes.length <= start) break;
    if (pass === 4) throw invalid(file, 'cache header layout did not converge');
  }
  const last = columns.at(-1);
  const total = last === undefined ? start : last.entry.offset + last.entry.count * BYTES[last.entry.type];
  const out = new Uint8Array(total);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, CACHE_FORMAT_VERSION, true);
  view.setUint32(12, start - PREAMBLE, true);
  out.fill(0x20, PREAMBLE, start);
  out.set(headerBytes, PREAMBLE);
  for (const { entry, data } of columns) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), entry.offset);
  }
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, out);
  await rename(temporary, file);
}

/** Reads a cache file into a MarketDay whose columns are views on the file's bytes. */
export async function readMarketDay(file: string): Promise<MarketDay> {
  if (!isLittleEndian) throw invalid(file, 'the columnar cache is little-endian; this host is not');
  const buffer = await readFile(file);
  let bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  // Typed-array views need their element alignment: copy in the rare case Node handed us an unaligned slice.
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
  if (bytes.length < PREAMBLE || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw invalid(file, 'not an Airlock MarketDay cache file');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CACHE_FORMAT_VERSION) {
    throw invalid(file, `cache format version ${version}, this code reads ${CACHE_FORMAT_VERSION}`);
  }
  const headerLength = view.getUint32(12, true);
  if (PREAMBLE + headerLength > bytes.length) throw invalid(file, 'truncated header');
  let header: CacheHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLength))) as CacheHeader;
  } catch {
    throw invalid(file, 'header is not JSON');
  }
  const found: Partial<Record<ColumnName, Column>> = {};
  for (const entry of header.columns ?? []) {
    const name = entry.name as ColumnName;
    if (!(name in EXPECTED_TYPE) || EXPECTED_TYPE[name] !== entry.type) {
      throw invalid(file, `unexpected column ${entry.name}:${entry.type}`);
    }
    const end = entry.offset + entry.count * BYTES[entry.type];
    if (entry.offset % 8 !== 0 || end > bytes.length) throw invalid(file, `column ${name} lies outside the file (truncated?)`);
    const at = bytes.byteOffset + entry.offset;
    const ab = bytes.buffer;
    found[name] =
      entry.type === 'f64'
        ? new Float64Array(ab, at, entry.count)
        : entry.type === 'i32'
          ? new Int32Array(ab, at, entry.count)
          : entry.type === 'u16'
            ? new Uint16Array(ab, at, entry.count)
            : entry.type === 'u8'
              ? new Uint8Array(ab, at, entry.count)
              : new Int8Array(ab, at, entry.count);
  }
  const n = header.length;
  const bookLength = n * header.levels;
  const need = (name: ColumnName, count: number): Column => {
    const column = found[name];
    if (column === undefined || column.length !== count) throw invalid(file, `column ${name} missing or of the wrong length`);
    return column;
  };
  const participant = found.participant;
  if (participant !== undefined && participant.length !== n) throw invalid(file, 'column participant of the wrong length');
  return {
    instrument: header.instrument,
    date: header.date,
    levels: header.levels,
    tickSize: header.tickSize,
    length: n,
    timeNs: need('timeNs', n) as Float64Array,
    type: need('type', n) as Uint8Array,
    orderId: need('orderId', n) as Float64Array,
    size: need('size', n) as Int32Array,
    price: need('price', n) as Int32Array,
    direction: need('direction', n) as Int8Array,
    ...(participant === undefined
      ? {}
      : { participant: participant as Uint16Array, participants: header.participants ?? [''] }),
    askPrice: need('askPrice', bookLength) as Int32Array,
    askSize: need('askSize', bookLength) as Int32Array,
    bidPrice: need('bidPrice', bookLength) as Int32Array,
    bidSize: need('bidSize', bookLength) as Int32Array,
  };
}

export interface MarketDayCacheOptions extends LoadOptions {
  /** Cache folder; default `.airlock/cache` under the current working directory. */
  readonly cacheDir?: string;
}

/**
 * The cache key of a source: sha256 over the cache format and loader versions, the load options, and each file's
 * name and bytes as read from disk (the zip itself, or the CSVs).
 */
export function cacheKey(parts: readonly { path: string; bytes: Uint8Array }[], options: LoadOptions = {}): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      format: CACHE_FORMAT_VERSION,
      loader: LOADER_VERSION,
      instrument: options.instrument ?? null,
      date: options.date ?? null,
      tickSize: options.tickSize ?? null,
    }),
  );
  for (const part of parts) {
    hash.update(`\0${basename(part.path)}\0${part.bytes.length}\0`);
    hash.update(part.bytes);
  }
  return hash.digest('hex');
}

/**
 * Loads a LOBSTER source through the columnar cache: a hit costs one read of the source (to hash it) and one of
 * the cache file; a miss parses (loadLobster's rules; its problems are not returned here: use loadLobster or
 * `airlock data quality` to see them) and writes the cache. A corrupt or outdated cache file is replaced.
 */
export async function loadMarketDay(source: string, options: MarketDayCacheOptions = {}): Promise<MarketDay> {
  const cacheDir = resolve(options.cacheDir ?? join('.airlock', 'cache'));
  const raw = await readRawLobsterSource(source);
  const loadOptions: LoadOptions = {
    ...(options.instrument === undefined ? {} : { instrument: options.instrument }),
    ...(options.date === undefined ? {} : { date: options.date }),
    ...(options.tickSize === undefined ? {} : { tickSize: options.tickSize }),
  };
  const key = cacheKey(raw.parts, loadOptions);
  const file = join(cacheDir, `${key}.mday`);
  try {
    return await readMarketDay(file);
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ENOENT';
    if (!missing) await rm(file, { force: true });
  }
  const { day, problems } = parseLobster(extractLobsterFiles(raw), loadOptions);
  await mkdir(cacheDir, { recursive: true });
  await saveMarketDay(day, file, {
    key,
    files: raw.parts.map((part) => basename(part.path)),
    problems: problems.length,
  });
  return day;
}
