import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { zipSync } from 'fflate';
import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, type MarketDay } from './market-day.js';
import { LOBSTER_DUMMY_ASK, LOBSTER_DUMMY_BID, formatTimeNs } from './lobster-csv.parser.js';

/**
 * Writes a MarketDay as LOBSTER CSV files named as LOBSTER names them
 * (`<TICKER>_<YYYY-MM-DD>_<startMs>_<endMs>_message_<L>.csv` and `…_orderbook_<L>.csv`), so a synthetic day can
 * stand in for real data anywhere a LOBSTER source is read. No header lines; prices back in $1e-4 units;
 * empty levels as LOBSTER's ±9999999999 dummies; halt rows keep their raw -1/0/1 code; a day with participants
 * gets the 7th column (`null` for none). The window in the name is 09:30–16:00 widened to cover the messages.
 * A day without book columns (levels = 0) gets no orderbook file and `orderbookFile` is ''.
 */
export async function writeLobster(day: MarketDay, dir: string): Promise<{ messageFile: string; orderbookFile: string }> {
  await mkdir(dir, { recursive: true });
  const L = day.levels;
  const n = day.length;
  const startMs = Math.min(34_200_000, n > 0 ? Math.floor(day.timeNs[0]! / 1e6) : 34_200_000);
  const endMs = Math.max(57_600_000, n > 0 ? Math.ceil(day.timeNs[n - 1]! / 1e6) : 57_600_000);
  const stem = `${day.instrument}_${day.date}_${startMs}_${endMs}`;
  const messageFile = join(dir, `${stem}_message_${L}.csv`);
  const orderbookFile = L > 0 ? join(dir, `${stem}_orderbook_${L}.csv`) : '';
  const tick = day.tickSize;
  const participants = day.participant !== undefined ? day.participants ?? [''] : undefined;

  await writeInChunks(messageFile, n, (k) => {
    const type = day.type[k]!;
    const price = type === 7 ? day.price[k]! : day.price[k]! * tick;
    let line = `${formatTimeNs(day.timeNs[k]!)},${type},${day.orderId[k]},${day.size[k]},${price},${day.direction[k]}`;
    if (participants !== undefined) line += `,${participants[day.participant![k]!] || 'null'}`;
    return line;
  });
  if (L > 0) {
    await writeInChunks(orderbookFile, n, (k) => {
      const fields: (number | string)[] = [];
      for (let i = 0; i < L; i++) {
        const at = k * L + i;
        const ask = day.askPrice[at]!;
        const bid = day.bidPrice[at]!;
        fields.push(
          ask === EMPTY_ASK_TICKS ? LOBSTER_DUMMY_ASK : ask * tick,
          day.askSize[at]!,
          bid === EMPTY_BID_TICKS ? LOBSTER_DUMMY_BID : bid * tick,
          day.bidSize[at]!,
        );
      }
      return fields.join(',');
    });
  }
  return { messageFile, orderbookFile };
}

/** Streams rows to a file in blocks, so a day of millions of rows never becomes one giant string. */
async function writeInChunks(file: string, rows: number, line: (k: number) => string): Promise<void> {
  const handle = await open(file, 'w');
  try {
    const block = 20_000;
    for (let start = 0; start < rows; start += block) {
      const lines: string[] = [];
      for (let k = start; k < Math.min(rows, start + block); k++) lines.push(line(k));
      await handle.write(`${lines.join('\n')}\n`);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Writes a MarketDay as one LOBSTER sample-style zip (the message and orderbook CSVs side by side), the form
 * `POST /v1/datasets` takes: a synthetic day registered as a dataset where real data is absent. Returns the path.
 */
export async function writeLobsterZip(day: MarketDay, dir: string, name = `${day.instrument}_${day.date}.zip`): Promise<string> {
  const files = await writeLobster(day, join(dir, 'lobster'));
  const entries: Record<string, Uint8Array> = { [basename(files.messageFile)]: await readFile(files.messageFile) };
  if (files.orderbookFile !== '') entries[basename(files.orderbookFile)] = await readFile(files.orderbookFile);
  const archive = join(dir, name);
  await writeFile(archive, zipSync(entries));
  return archive;
}
