import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { DomainError } from '@airlock/core';
import { verifyLobster } from './book.verifier.js';
import { loadLobster, parseLobster, parseLobsterName } from './lobster.loader.js';
import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS } from './market-day.js';

/**
 * A hand-written two-level LOBSTER day touching every event type. Prices in LOBSTER units ($1e-4; tick = 100).
 * Before message 0 the book is: asks 10100×100, 10200×200, (10300×100 out of view); bids 10000×300, 9900×100,
 * (9800×50 out of view). Row k is the book after message k.
 */
const MESSAGES = [
  '34200.000000001,1,11,50,10100,-1', // 0 submit sell 50 @ 101 ticks
  '34200.5,3,11,50,10100,-1', // 1 delete it
  '34201,4,5,100,10100,-1', // 2 execute a seeded (unknown) order: level 101 empties, 103 comes into view
  '34201.25,5,0,30,10100,1', // 3 hidden execution
  '34202,2,7,100,10000,1', // 4 partial cancel of a seeded bid
  '34203,7,0,0,-1,-1', // 5 halt
  '34204,7,0,0,0,-1', // 6 quoting
  '34205,7,0,0,1,-1', // 7 resume
  '34206,1,13,100,10000,1', // 8 submit buy 100 @ 100 ticks
  '34206,6,-1,500,10100,-1', // 9 cross print
  '34207,3,99,100,9900,1', // 10 delete seeded bid: 99 empties, 98 comes into view
  '34208.123456789,3,98,50,9800,1', // 11 delete it: no bid behind level 1 (dummy)
];
const BOOK = [
  '10100,150,10200,200,10000,300,9900,100',
  '10100,100,10200,200,10000,300,9900,100',
  '10200,200,10300,100,10000,300,9900,100',
  '10200,200,10300,100,10000,300,9900,100',
  '10200,200,10300,100,10000,200,9900,100',
  '10200,200,10300,100,10000,200,9900,100',
  '10200,200,10300,100,10000,200,9900,100',
  '10200,200,10300,100,10000,200,9900,100',
  '10200,200,10300,100,10000,300,9900,100',
  '10200,200,10300,100,10000,300,9900,100',
  '10200,200,10300,100,10000,300,9800,50',
  '10200,200,10300,100,10000,300,-9999999999,0',
];
// LOBSTER's orderbook columns are per level Ask, AskSize, Bid, BidSize: rewrite the readable rows above into it.
const toLobsterRow = (row: string): string => {
  const [a1, as1, a2, as2, b1, bs1, b2, bs2] = row.split(',');
  return [a1, as1, b1, bs1, a2, as2, b2, bs2].join(',');
};
const ORDERBOOK = BOOK.map(toLobsterRow);
const NAME = 'TEST_2012-06-21_34200000_57600000';
const csv = (lines: readonly string[]): Uint8Array => strToU8(`${lines.join('\n')}\n`);

const files = (messages: readonly string[], orderbook?: readonly string[], levels = 2) => ({
  messageFile: `${NAME}_message_${levels}.csv`,
  messageBytes: csv(messages),
  ...(orderbook === undefined ? {} : { orderbookFile: `${NAME}_orderbook_${levels}.csv`, orderbookBytes: csv(orderbook) }),
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-loader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseLobster on a hand-written day with every event type', () => {
  const { day, problems } = parseLobster(files(MESSAGES, ORDERBOOK));

  it('reads all messages, instrument and date from the file name, without problems', () => {
    expect(problems).toEqual([]);
    expect(day.instrument).toBe('TEST');
    expect(day.date).toBe('2012-06-21');
    expect(day.levels).toBe(2);
    expect(day.tickSize).toBe(100);
    expect(day.length).toBe(12);
    expect(Array.from(day.type)).toEqual([1, 3, 4, 5, 2, 7, 7, 7, 1, 6, 3, 3]);
  });

  it('parses time text into exact integer ns', () => {
    expect(day.timeNs[0]).toBe(34_200_000_000_001);
    expect(day.timeNs[1]).toBe(34_200_500_000_000);
    expect(day.timeNs[11]).toBe(34_208_123_456_789);
  });

  it('converts prices to ticks and keeps halt codes raw', () => {
    expect(day.price[0]).toBe(101);
    expect(Array.from(day.price.subarray(5, 8))).toEqual([-1, 0, 1]);
    expect(day.orderId[9]).toBe(-1);
    expect(day.size[9]).toBe(500);
    expect(day.direction[0]).toBe(-1);
    expect(day.direction[8]).toBe(1);
  });

  it('lays the book out as row k × levels, and maps dummy levels to sentinels with size 0', () => {
    expect(Array.from(day.askPrice.subarray(0, 2))).toEqual([101, 102]);
    expect(Array.from(day.askSize.subarray(0, 2))).toEqual([150, 200]);
    expect(Array.from(day.bidPrice.subarray(22, 24))).toEqual([100, EMPTY_BID_TICKS]);
    expect(day.bidSize[23]).toBe(0);
  });

  it('rebuilds this book exactly from the messages (seeded volume, depth coming into view)', () => {
    const report = verifyLobster(day);
    expect(report.firstMismatches).toEqual([]);
    expect(report.mismatches).toBe(0);
    expect(report.checkedRows).toBe(11);
    expect(report.learnedLevels).toBe(3);
    expect(report.eventCounts).toEqual({ 1: 2, 2: 1, 3: 3, 4: 1, 5: 1, 6: 1, 7: 3 });
  });

  it('maps the ask dummy too', () => {
    const rows = [...ORDERBOOK];
    rows[11] = '10200,200,10000,300,9999999999,0,-9999999999,0';
    const loaded = parseLobster(files(MESSAGES, rows));
    expect(loaded.problems).toEqual([]);
    expect(loaded.day.askPrice[23]).toBe(EMPTY_ASK_TICKS);
    expect(loaded.day.askSize[23]).toBe(0);
  });
});

describe('the 7-column variant (participant MPID)', () => {
  const seven = MESSAGES.map((line, k) => `${line},${k % 3 === 1 ? 'UBSS' : k % 5 === 2 ? 'GSCO' : 'null'}`);

  it('reads participants as indices into a name table, 0 = none', () => {
    const { day, problems } = parseLobster(files(seven, ORDERBOOK));
    expect(problems).toEqual([]);
    expect(day.participants).toEqual(['', 'UBSS', 'GSCO']);
    expect(Array.from(day.participant!.subarray(0, 5))).toEqual([0, 1, 2, 0, 1]);
    expect(verifyLobster(day).mismatches).toBe(0);
  });

  it('loads without an orderbook file: levels 0 and empty book columns', () => {
    const { day, problems } = parseLobster(files(seven));
    expect(problems).toEqual([]);
    expect(day.levels).toBe(0);
    expect(day.length).toBe(12);
    expect(day.askPrice.length).toBe(0);
    expect(verifyLobster(day).checkedRows).toBe(0);
  });

  it('6-column data without its orderbook file is a DATA_INVALID error naming the missing file', () => {
    let error: unknown;
    try {
      parseLobster(files(MESSAGES));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('DATA_INVALID');
    expect((error as DomainError).message).toContain(`${NAME}_message_2.csv: no orderbook file`);
    expect((error as DomainError).message).toContain(`${NAME}_orderbook_2.csv`);
    expect((error as DomainError).details.errors?.[0]?.field).toBe('orderbook');
  });
});

describe('sources: zip, directory, message CSV path', () => {
  it('reads LOBSTER zip archives in memory', async () => {
    const zip = zipSync({
      [`${NAME}_message_2.csv`]: csv(MESSAGES),
      [`${NAME}_orderbook_2.csv`]: csv(ORDERBOOK),
    });
    const path = join(dir, 'LOBSTER_SampleFile_TEST_2012-06-21_2.zip');
    await writeFile(path, zip);
    const { day, problems } = await loadLobster(path);
    expect(problems).toEqual([]);
    expect(day.instrument).toBe('TEST');
    expect(day.length).toBe(12);
    expect(verifyLobster(day).mismatches).toBe(0);
  });

  it('reads a directory with one pair, and a message CSV with its orderbook beside it', async () => {
    const pair = join(dir, 'pair');
    await mkdir(pair);
    await writeFile(join(pair, `${NAME}_message_2.csv`), csv(MESSAGES));
    await writeFile(join(pair, `${NAME}_orderbook_2.csv`), csv(ORDERBOOK));
    const fromDir = await loadLobster(pair);
    const fromCsv = await loadLobster(join(pair, `${NAME}_message_2.csv`), { instrument: 'XYZ', date: '2020-01-02' });
    expect(fromDir.day.length).toBe(12);
    expect(fromCsv.day.instrument).toBe('XYZ');
    expect(fromCsv.day.date).toBe('2020-01-02');
    expect(Array.from(fromCsv.day.bidSize)).toEqual(Array.from(fromDir.day.bidSize));
  });

  it('names what is wrong with a source', async () => {
    await expect(loadLobster(join(dir, 'nope.zip'))).rejects.toThrow('no such file or directory');
    const bad = join(dir, 'bad.zip');
    await writeFile(bad, strToU8('not a zip'));
    await expect(loadLobster(bad)).rejects.toThrow('not a readable zip archive');
    const two = join(dir, 'two');
    await mkdir(two);
    await writeFile(join(two, 'A_2012-06-21_1_2_message_1.csv'), csv(['34200,1,1,1,100,1']));
    await writeFile(join(two, 'B_2012-06-21_1_2_message_1.csv'), csv(['34200,1,1,1,100,1']));
    await expect(loadLobster(two)).rejects.toThrow('2 message files');
    const lonely = join(dir, 'lonely');
    await mkdir(lonely);
    await writeFile(join(lonely, `${NAME}_message_2.csv`), csv(MESSAGES));
    await expect(loadLobster(lonely)).rejects.toThrow(/no orderbook file \(expected TEST_.*_orderbook_2\.csv beside it\)/);
  });
});

describe('bad input: reported with file and line, the rest still loads', () => {
  const messageFile = `${NAME}_message_2.csv`;
  const orderbookFile = `${NAME}_orderbook_2.csv`;
  const withLine = (lines: readonly string[], index: number, replacement: string): string[] =>
    lines.map((line, k) => (k === index ? replacement : line));

  it('drops a truncated message row and its orderbook partner', () => {
    const { day, problems } = parseLobster(files(withLine(MESSAGES, 3, '34201.25,5,0'), ORDERBOOK));
    expect(problems).toEqual([{ file: messageFile, line: 4, message: 'expected 6 fields, found 3 (truncated or malformed row)' }]);
    expect(day.length).toBe(11);
    expect(day.type[3]).toBe(2);
    expect(verifyLobster(day).mismatches).toBe(0); // the hidden execution did not change the book
  });

  it('names the malformed field', () => {
    const cases: [string, string, string][] = [
      ['34x01,4,5,100,10100,-1', 'time', 'time is not seconds'],
      ['34201,9,5,100,10100,-1', 'type', 'event type must be 1..7'],
      ['34201,4,5,1e2,10100,-1', 'size', 'size is not an integer'],
      ['34201,4,5,100,10150,-1', 'price', 'price 10150 is not a whole number of ticks'],
      ['34201,4,5,100,10100,0', 'direction', 'direction must be 1 or -1'],
      ['34201,7,0,0,5,-1', 'price', 'a trading-halt row (type 7) must have price -1, 0 or 1'],
    ];
    for (const [line, field, message] of cases) {
      const { problems, day } = parseLobster(files(withLine(MESSAGES, 2, line), ORDERBOOK));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ file: messageFile, line: 3, field });
      expect(problems[0]!.message).toContain(message);
      expect(day.length).toBe(11);
    }
  });

  it('reports zero and negative sizes and drops those rows', () => {
    const zero = parseLobster(files(withLine(MESSAGES, 4, '34202,2,7,0,10000,1'), ORDERBOOK));
    expect(zero.problems).toEqual([
      { file: messageFile, line: 5, field: 'size', message: 'size must be positive for event type 2, found 0' },
    ]);
    const negative = parseLobster(files(withLine(MESSAGES, 4, '34202,2,7,-100,10000,1'), ORDERBOOK));
    expect(negative.problems[0]).toMatchObject({ line: 5, field: 'size' });
    expect(negative.problems[0]!.message).toContain('found -100');
    expect(negative.day.length).toBe(11);
    // The book still changed at row 4 in the file, so the rebuilt book now disagrees: the check sees it.
    expect(verifyLobster(negative.day).mismatches).toBeGreaterThan(0);
    const book = parseLobster(files(MESSAGES, withLine(ORDERBOOK, 3, '10200,-5,10000,300,10300,100,9900,100')));
    expect(book.problems).toEqual([{ file: orderbookFile, line: 4, field: 'askSize1', message: 'size must be positive at an occupied level, found -5' }]);
  });

  it('keeps a message earlier than the one before in sequence, at the previous time, and reports it', () => {
    const { day, problems } = parseLobster(files(withLine(MESSAGES, 4, '34200.9,2,7,100,10000,1'), ORDERBOOK));
    expect(day.length).toBe(12);
    expect(day.timeNs[4]).toBe(day.timeNs[3]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: messageFile, line: 5, field: 'time' });
    expect(problems[0]!.message).toContain('earlier than the previous');
    for (let k = 1; k < day.length; k++) expect(day.timeNs[k]!).toBeGreaterThanOrEqual(day.timeNs[k - 1]!);
  });

  it('rounds times with more than 9 decimals to the nearest ns (LOBSTER float noise) and says so', () => {
    const { day, problems } = parseLobster(files(withLine(MESSAGES, 4, '34202.632812672504,2,7,100,10000,1'), ORDERBOOK));
    expect(day.timeNs[4]).toBe(34_202_632_812_673);
    expect(problems[0]).toMatchObject({ line: 5, field: 'time' });
    expect(day.length).toBe(12);
  });

  it('drops orderbook rows whose columns are not 4 × L', () => {
    const short = withLine(ORDERBOOK, 5, '10200,200,10000,200,10300,100,9900');
    const long = withLine(ORDERBOOK, 6, `${ORDERBOOK[6]},1,2,3,4`);
    for (const [rows, line, found] of [
      [short, 6, 7],
      [long, 7, 12],
    ] as const) {
      const { day, problems } = parseLobster(files(MESSAGES, rows));
      expect(problems).toEqual([{ file: orderbookFile, line, message: `expected 8 columns (4 × 2 levels), found ${found}` }]);
      expect(day.length).toBe(11);
    }
  });

  it('takes the level count from the data and reports a file name that disagrees', () => {
    const { day, problems } = parseLobster(files(MESSAGES, ORDERBOOK, 3));
    expect(day.levels).toBe(2);
    expect(problems).toEqual([
      { file: `${NAME}_orderbook_3.csv`, line: 0, message: 'the file name says 3 levels but rows have 8 columns (2 levels)' },
    ]);
  });

  it('drops the extra rows when the two files differ in length', () => {
    const { day, problems } = parseLobster(files(MESSAGES, ORDERBOOK.slice(0, 10)));
    expect(day.length).toBe(10);
    expect(problems[0]).toMatchObject({ file: messageFile, line: 11 });
    expect(problems[0]!.message).toContain('message file has 12 rows, orderbook file 10');
  });

  it('throws DATA_INVALID with every problem when nothing usable remains', () => {
    let error: DomainError | undefined;
    try {
      parseLobster(files(MESSAGES.map((line) => line.slice(0, 8)), ORDERBOOK));
    } catch (e) {
      error = e as DomainError;
    }
    expect(error?.code).toBe('DATA_INVALID');
    expect(error?.message).toContain('no usable rows (12 problems)');
    expect(error?.details.errors).toHaveLength(12);
    expect(error?.details.errors?.[0]?.field).toBe(`${messageFile}:1`);
  });

  it('skips a header line and tolerates CRLF line ends', () => {
    const header = 'Time,Type,OrderID,Size,Price,Direction';
    const bytes = strToU8(`${[header, ...MESSAGES].join('\r\n')}\r\n`);
    const { day, problems } = parseLobster({ ...files(MESSAGES, ORDERBOOK), messageBytes: bytes });
    expect(problems).toEqual([]);
    expect(day.length).toBe(12);
    expect(verifyLobster(day).mismatches).toBe(0);
  });

  it('keeps loading past thousands of bad rows, listing the first 1000 and counting the rest', () => {
    const many = Array.from({ length: 1500 }, () => '34200,1,1');
    const { problems, day } = parseLobster(files([...many, ...MESSAGES], [...many.map(() => ORDERBOOK[0]!), ...ORDERBOOK]));
    expect(day.length).toBe(12);
    expect(problems).toHaveLength(1001);
    expect(problems[1000]!.message).toBe('500 more problems not listed');
  });
});

describe('parseLobsterName', () => {
  it('reads LOBSTER file names, inside zip labels too', () => {
    expect(parseLobsterName('x/AMZN_2012-06-21_34200000_57600000_message_10.csv')).toEqual({
      instrument: 'AMZN',
      date: '2012-06-21',
      startMs: 34_200_000,
      endMs: 57_600_000,
      levels: 10,
    });
    expect(parseLobsterName('LOBSTER_SampleFile_GOOG_2012-06-21_5.zip:GOOG_2012-06-21_34200000_57600000_orderbook_5.csv')?.instrument).toBe('GOOG');
    expect(parseLobsterName('prices.csv')).toBeUndefined();
  });
});
