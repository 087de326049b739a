import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS } from './market-day.js';

/**
 * Byte-level parsers for LOBSTER's message and orderbook CSV files. They scan the raw bytes (no string splitting,
 * no per-field allocation) into typed arrays indexed by data row, flag rows that cannot be used and say why in
 * `problems`, and never throw on bad rows: the loader decides what is left.
 *
 * Units out: time in integer ns after midnight, prices in integer ticks, sizes in shares.
 */

/** One problem found in the input, named by file and 1-based line (0 = the file as a whole). */
export interface DataProblem {
  readonly file: string;
  readonly line: number;
  readonly field?: string;
  readonly message: string;
}

/** LOBSTER's dummy prices for unoccupied levels, in LOBSTER price units ($1e-4). */
export const LOBSTER_DUMMY_ASK = 9_999_999_999;
export const LOBSTER_DUMMY_BID = -9_999_999_999;

/** Largest magnitude of a tick price that is not a sentinel. */
const MAX_TICKS = 2_147_483_646;
/** Seconds after midnight above this would overflow exact integer ns in a float64 (2^53 ns ≈ 104 days). */
const MAX_SECONDS = 9_000_000;

/** Collects problems up to a cap, counting the rest, so a wholly broken file cannot exhaust memory. */
export class ProblemLog {
  readonly list: DataProblem[] = [];
  total = 0;
  constructor(readonly max = 1000) {}

  add(file: string, line: number, message: string, field?: string): void {
    this.total++;
    if (this.list.length < this.max) {
      this.list.push(field === undefined ? { file, line, message } : { file, line, field, message });
    }
  }

  /** The collected problems, with a closing note when some were left out. */
  result(): DataProblem[] {
    if (this.total <= this.list.length) return this.list;
    const first = this.list[0];
    return [
      ...this.list,
      { file: first?.file ?? '', line: 0, message: `${this.total - this.list.length} more problems not listed` },
    ];
  }
}

const COMMA = 44;
const NEWLINE = 10;
const CR = 13;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/** Splits a file into lines; the trailing newline does not start a row. Returns [start, end) pairs. */
function lineBounds(bytes: Uint8Array): { starts: Int32Array; ends: Int32Array; count: number } {
  let count = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === NEWLINE) count++;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== NEWLINE) count++;
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  let line = 0;
  let start = 0;
  for (let i = 0; i <= bytes.length && line < count; i++) {
    if (i === bytes.length || bytes[i] === NEWLINE) {
      let end = i;
      if (end > start && bytes[end - 1] === CR) end--;
      starts[line] = start;
      ends[line] = end;
      line++;
      start = i + 1;
    }
  }
  return { starts, ends, count };
}

/** A header line (some tools add one) starts with a letter; LOBSTER's own files have none. */
function isHeader(bytes: Uint8Array, start: number, end: number): boolean {
  if (end <= start) return false;
  const c = bytes[start]! | 0x20;
  return c >= 97 && c <= 122;
}

/**
 * Field scanner over one line. `int()` and `time()` read one field and step past its comma; they return NaN on
 * anything but a well-formed number (then `pos` is left at the next field anyway, so the caller can name it).
 */
class Scanner {
  pos = 0;
  end = 0;
  /** Set by timeNs(): the last time had more than 9 decimals and was rounded to the nearest ns. */
  rounded = false;
  constructor(readonly bytes: Uint8Array) {}

  line(start: number, end: number): void {
    this.pos = start;
    this.end = end;
  }

  atEnd(): boolean {
    return this.pos > this.end;
  }

  private skipField(): void {
    const b = this.bytes;
    while (this.pos < this.end && b[this.pos] !== COMMA) this.pos++;
    this.pos++;
  }

  int(): number {
    const b = this.bytes;
    let p = this.pos;
    if (p > this.end) return Number.NaN;
    let negative = false;
    if (p < this.end && (b[p] === MINUS || b[p] === PLUS)) {
      negative = b[p] === MINUS;
      p++;
    }
    let value = 0;
    let digits = 0;
    while (p < this.end) {
      const c = b[p]!;
      if (c < ZERO || c > NINE) break;
      value = value * 10 + (c - ZERO);
      digits++;
      p++;
    }
    if (digits === 0 || digits > 15 || (p < this.end && b[p] !== COMMA)) {
      this.skipField();
      return Number.NaN;
    }
    this.pos = p + 1;
    return negative ? -value : value;
  }

  /** Seconds after midnight with up to 9 decimals, read as a string straight into integer ns. */
  timeNs(): number {
    const b = this.bytes;
    let p = this.pos;
    if (p > this.end) return Number.NaN;
    let seconds = 0;
    let digits = 0;
    while (p < this.end && b[p]! >= ZERO && b[p]! <= NINE) {
      seconds = seconds * 10 + (b[p]! - ZERO);
      digits++;
      p++;
    }
    let fraction = 0;
    let fractionDigits = 0;
    // Digits past the 9th (LOBSTER sometimes prints float noise: `43002.632812672004`) round to the nearest ns,
    // decided on the 10th digit, in integer arithmetic.
    let roundUp = 0;
    this.rounded = false;
    if (p < this.end && b[p] === DOT) {
      p++;
      while (p < this.end && b[p]! >= ZERO && b[p]! <= NINE) {
        if (fractionDigits < 9) fraction = fraction * 10 + (b[p]! - ZERO);
        else if (fractionDigits === 9) roundUp = b[p]! - ZERO >= 5 ? 1 : 0;
        fractionDigits++;
        p++;
      }
    }
    if (digits === 0 || fractionDigits > 18 || seconds > MAX_SECONDS || (p < this.end && b[p] !== COMMA)) {
      this.skipField();
      return Number.NaN;
    }
    this.pos = p + 1;
    if (fractionDigits > 9) {
      this.rounded = true;
      return seconds * 1e9 + fraction + roundUp;
    }
    return seconds * 1e9 + fraction * POW10[9 - fractionDigits]!;
  }

  /** The rest of the line as text (the 7th column). */
  rest(): string {
    const start = Math.min(this.pos, this.end);
    let text = '';
    for (let p = start; p < this.end; p++) text += String.fromCharCode(this.bytes[p]!);
    this.pos = this.end + 1;
    return text;
  }
}

const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

/**
 * Parses LOBSTER's time text (`34200.015105074`) into integer ns after midnight, never through float seconds;
 * more than 9 decimals round to the nearest ns. NaN if malformed.
 */
export function parseTimeNs(text: string): number {
  const bytes = new TextEncoder().encode(text);
  const scanner = new Scanner(bytes);
  scanner.line(0, bytes.length);
  const value = scanner.timeNs();
  return scanner.atEnd() ? value : Number.NaN;
}

/** Formats integer ns after midnight as LOBSTER time text: seconds, then up to 9 decimals without trailing zeros. */
export function formatTimeNs(ns: number): string {
  let seconds = Math.floor(ns / 1e9);
  let fraction = ns - seconds * 1e9;
  // Guard the float division's rounding at a second's edge: fraction must end in [0, 1e9).
  if (fraction < 0) {
    seconds--;
    fraction += 1e9;
  } else if (fraction >= 1e9) {
    seconds++;
    fraction -= 1e9;
  }
  if (fraction === 0) return String(seconds);
  return `${seconds}.${String(fraction).padStart(9, '0').replace(/0+$/, '')}`;
}

/** Message rows by data-row index; `ok[i]` = 0 marks a row that cannot be used (reported). */
export interface ParsedMessages {
  readonly rows: number;
  /** 1-based file line of each data row. */
  readonly line: Int32Array;
  readonly ok: Uint8Array;
  /** 6 or 7 (participant column). */
  readonly columns: 6 | 7;
  readonly timeNs: Float64Array;
  readonly type: Uint8Array;
  readonly orderId: Float64Array;
  readonly size: Int32Array;
  readonly price: Int32Array;
  readonly direction: Int8Array;
  readonly participant?: Uint16Array;
  readonly participants?: string[];
}

function countFields(bytes: Uint8Array, start: number, end: number): number {
  if (end <= start) return 0;
  let fields = 1;
  for (let p = start; p < end; p++) if (bytes[p] === COMMA) fields++;
  return fields;
}

/** Converts a LOBSTER price to ticks, or returns NaN when not a whole number of ticks in range. */
function toTicks(price: number, tickSize: number): number {
  const ticks = price / tickSize;
  if (!Number.isInteger(ticks) || ticks > MAX_TICKS || ticks < -MAX_TICKS) return Number.NaN;
  return ticks;
}

export function parseMessageFile(bytes: Uint8Array, file: string, tickSize: number, log: ProblemLog): ParsedMessages {
  const { starts, ends, count } = lineBounds(bytes);
  const skip = count > 0 && isHeader(bytes, starts[0]!, ends[0]!) ? 1 : 0;
  const rows = count - skip;

  // The file's shape is fixed by its first row with 6 or 7 fields.
  let columns: 6 | 7 = 6;
  for (let i = skip; i < count; i++) {
    const fields = countFields(bytes, starts[i]!, ends[i]!);
    if (fields === 6 || fields === 7) {
      columns = fields;
      break;
    }
  }

  const line = new Int32Array(rows);
  const ok = new Uint8Array(rows);
  const timeNs = new Float64Array(rows);
  const type = new Uint8Array(rows);
  const orderId = new Float64Array(rows);
  const size = new Int32Array(rows);
  const price = new Int32Array(rows);
  const direction = new Int8Array(rows);
  const participant = columns === 7 ? new Uint16Array(rows) : undefined;
  const participants: string[] = [''];
  const participantIndex = new Map<string, number>([
    ['', 0],
    ['null', 0],
  ]);
  const scan = new Scanner(bytes);

  for (let r = 0; r < rows; r++) {
    const lineNo = r + skip + 1;
    line[r] = lineNo;
    const start = starts[r + skip]!;
    const end = ends[r + skip]!;
    const fields = countFields(bytes, start, end);
    if (fields !== columns) {
      log.add(
        file,
        lineNo,
        fields === 0 ? 'empty line' : `expected ${columns} fields, found ${fields} (truncated or malformed row)`,
      );
      continue;
    }
    scan.line(start, end);
    const t = scan.timeNs();
    const ty = scan.int();
    const id = scan.int();
    const sz = scan.int();
    const px = scan.int();
    const dir = scan.int();
    if (Number.isNaN(t)) {
      log.add(file, lineNo, 'time is not seconds after midnight (digits, optional decimals)', 'time');
      continue;
    }
    if (scan.rounded) log.add(file, lineNo, 'time has more than 9 decimals: rounded to the nearest ns, row kept', 'time');
    if (!(ty >= 1 && ty <= 7)) {
      log.add(file, lineNo, `event type must be 1..7`, 'type');
      continue;
    }
    if (Number.isNaN(id)) {
      log.add(file, lineNo, 'order id is not an integer', 'orderId');
      continue;
    }
    if (Number.isNaN(sz) || sz > MAX_TICKS) {
      log.add(file, lineNo, 'size is not an integer', 'size');
      continue;
    }
    if (ty !== 7 && sz <= 0) {
      // A non-positive size cannot be applied to a book: the row is dropped.
      log.add(file, lineNo, `size must be positive for event type ${ty}, found ${sz}`, 'size');
      continue;
    }
    if (dir !== 1 && dir !== -1) {
      log.add(file, lineNo, 'direction must be 1 or -1', 'direction');
      continue;
    }
    let ticks: number;
    if (ty === 7) {
      // Halt rows keep LOBSTER's raw code: -1 halt, 0 quoting, 1 resume.
      if (px !== -1 && px !== 0 && px !== 1) {
        log.add(file, lineNo, 'a trading-halt row (type 7) must have price -1, 0 or 1', 'price');
        continue;
      }
      ticks = px;
    } else {
      ticks = Number.isNaN(px) ? px : toTicks(px, tickSize);
      if (Number.isNaN(ticks)) {
        log.add(
          file,
          lineNo,
          Number.isNaN(px)
            ? 'price is not an integer'
            : `price ${px} is not a whole number of ticks (tick = ${tickSize} LOBSTER units; sub-penny midpoint executions load with tickSize 50)`,
          'price',
        );
        continue;
      }
    }
    if (participant !== undefined) {
      const name = scan.rest();
      let index = participantIndex.get(name);
      if (index === undefined) {
        index = participants.length;
        if (index > 0xffff) {
          log.add(file, lineNo, 'more than 65535 distinct participants', 'participant');
          continue;
        }
        participants.push(name);
        participantIndex.set(name, index);
      }
      participant[r] = index;
    }
    timeNs[r] = t;
    type[r] = ty;
    orderId[r] = id;
    size[r] = ty === 7 ? Math.max(0, sz) : sz;
    price[r] = ticks;
    direction[r] = dir;
    ok[r] = 1;
  }
  const base = { rows, line, ok, columns, timeNs, type, orderId, size, price, direction };
  return participant === undefined ? base : { ...base, participant, participants };
}

/** Orderbook rows by data-row index: `levels` entries per row per column. */
export interface ParsedBook {
  readonly rows: number;
  readonly levels: number;
  readonly line: Int32Array;
  readonly ok: Uint8Array;
  readonly askPrice: Int32Array;
  readonly askSize: Int32Array;
  readonly bidPrice: Int32Array;
  readonly bidSize: Int32Array;
}

/**
 * `levelsHint` is the level count from the file name (0 if unknown). The data decide: the first row with a
 * multiple of 4 fields fixes L; a name that disagrees is reported. Rows with another field count are dropped.
 */
export function parseOrderbookFile(
  bytes: Uint8Array,
  file: string,
  tickSize: number,
  levelsHint: number,
  log: ProblemLog,
): ParsedBook {
  const { starts, ends, count } = lineBounds(bytes);
  const skip = count > 0 && isHeader(bytes, starts[0]!, ends[0]!) ? 1 : 0;
  const rows = count - skip;
  let levels = 0;
  for (let i = skip; i < count; i++) {
    const fields = countFields(bytes, starts[i]!, ends[i]!);
    if (fields > 0 && fields % 4 === 0) {
      levels = fields / 4;
      break;
    }
  }
  if (levels === 0) levels = levelsHint;
  if (levelsHint > 0 && levels !== levelsHint) {
    log.add(file, 0, `the file name says ${levelsHint} levels but rows have ${levels * 4} columns (${levels} levels)`);
  }

  const fields = levels * 4;
  const line = new Int32Array(rows);
  const ok = new Uint8Array(rows);
  const askPrice = new Int32Array(rows * levels);
  const askSize = new Int32Array(rows * levels);
  const bidPrice = new Int32Array(rows * levels);
  const bidSize = new Int32Array(rows * levels);
  const row = new Float64Array(fields);
  const scan = new Scanner(bytes);

  rows: for (let r = 0; r < rows; r++) {
    const lineNo = r + skip + 1;
    line[r] = lineNo;
    if (levels === 0) break;
    scan.line(starts[r + skip]!, ends[r + skip]!);
    for (let j = 0; j < fields; j++) {
      const value = scan.int();
      if (Number.isNaN(value)) {
        const found = countFields(bytes, starts[r + skip]!, ends[r + skip]!);
        if (found !== fields) {
          log.add(file, lineNo, `expected ${fields} columns (4 × ${levels} levels), found ${found}`);
        } else {
          log.add(file, lineNo, 'not an integer', columnName(j));
        }
        continue rows;
      }
      row[j] = value;
    }
    if (!scan.atEnd()) {
      const found = countFields(bytes, starts[r + skip]!, ends[r + skip]!);
      log.add(file, lineNo, `expected ${fields} columns (4 × ${levels} levels), found ${found}`);
      continue;
    }
    const base = r * levels;
    for (let i = 0; i < levels; i++) {
      const ap = row[4 * i]!;
      const as = row[4 * i + 1]!;
      const bp = row[4 * i + 2]!;
      const bs = row[4 * i + 3]!;
      if (ap === LOBSTER_DUMMY_ASK) {
        if (as !== 0) {
          log.add(file, lineNo, 'an empty level (dummy price) must have size 0', columnName(4 * i + 1));
          continue rows;
        }
        askPrice[base + i] = EMPTY_ASK_TICKS;
        askSize[base + i] = 0;
      } else {
        const ticks = toTicks(ap, tickSize);
        if (Number.isNaN(ticks)) {
          log.add(file, lineNo, `price ${ap} is not a whole number of ticks (tick = ${tickSize})`, columnName(4 * i));
          continue rows;
        }
        if (!(as > 0) || as > MAX_TICKS) {
          log.add(file, lineNo, `size must be positive at an occupied level, found ${as}`, columnName(4 * i + 1));
          continue rows;
        }
        askPrice[base + i] = ticks;
        askSize[base + i] = as;
      }
      if (bp === LOBSTER_DUMMY_BID) {
        if (bs !== 0) {
          log.add(file, lineNo, 'an empty level (dummy price) must have size 0', columnName(4 * i + 3));
          continue rows;
        }
        bidPrice[base + i] = EMPTY_BID_TICKS;
        bidSize[base + i] = 0;
      } else {
        const ticks = toTicks(bp, tickSize);
        if (Number.isNaN(ticks)) {
          log.add(file, lineNo, `price ${bp} is not a whole number of ticks (tick = ${tickSize})`, columnName(4 * i + 2));
          continue rows;
        }
        if (!(bs > 0) || bs > MAX_TICKS) {
          log.add(file, lineNo, `size must be positive at an occupied level, found ${bs}`, columnName(4 * i + 3));
          continue rows;
        }
        bidPrice[base + i] = ticks;
        bidSize[base + i] = bs;
      }
    }
    ok[r] = 1;
  }
  return { rows, levels, line, ok, askPrice, askSize, bidPrice, bidSize };
}

/** `askPrice3` for column index 8: names the offending orderbook field like LOBSTER's read-me does. */
function columnName(index: number): string {
  const names = ['askPrice', 'askSize', 'bidPrice', 'bidSize'];
  return `${names[index % 4]}${Math.floor(index / 4) + 1}`;
}
