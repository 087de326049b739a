import {
  type DataProblem,
  type DataQualityReport,
  type SyntheticRegime,
  type VerifyReport,
  dataQuality,
  generateSyntheticDay,
  loadLobster,
  verifyLobster,
  writeLobster,
} from '@airlock/sim';
import { type Command, Option } from 'commander';
import { ExitCode } from '../run-cli.js';
import { integer, positiveInteger, positiveNumber } from '../cli-arguments.js';

/**
 * `airlock data …`: market-data tools. Thin: parse options, call @airlock/sim, print.
 *   verify  --lobster <zip|dir|message.csv> [--json] [--tick-size U]   rebuild the book from the messages and compare it with the
 *                                                       orderbook file after every message; exit 1 on a mismatch
 *   quality --lobster <zip|dir|message.csv> [--json] [--gap-seconds S] [--tick-size U]
 *   synth   --seed S --regime R --events N --out DIR [--levels L] [--instrument T] [--date D] [--json]
 */
const TICK_HELP = 'LOBSTER price units ($1e-4) per tick; 50 keeps sub-penny midpoint executions';

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('Market data: verify LOBSTER books, data quality, synthetic days');

  data
    .command('verify')
    .description('Rebuild the book from the messages and compare it with the orderbook file after every message')
    .requiredOption('--lobster <path>', 'LOBSTER .zip, directory, or message .csv')
    .option('--tick-size <units>', TICK_HELP, positiveInteger, 100)
    .option('--json', 'print the report as JSON')
    .action(async (options: { lobster: string; tickSize: number; json?: boolean }) => {
      const { day, problems } = await loadLobster(options.lobster, { tickSize: options.tickSize });
      if (day.levels === 0) {
        const message = 'no orderbook file: nothing to verify (a message-only file is a trade tape, not a book replay)';
        if (options.json) console.log(JSON.stringify({ source: options.lobster, messages: day.length, levels: 0, error: message }));
        else console.error(message);
        process.exitCode = ExitCode.BadInput;
        return;
      }
      const report = verifyLobster(day);
      if (options.json) console.log(JSON.stringify({ source: options.lobster, ...report, ...problemSummary(problems) }, null, 2));
      else console.log(formatVerify(options.lobster, report, problems));
      if (report.mismatches > 0) process.exitCode = ExitCode.Finding;
    });

  data
    .command('quality')
    .description('Data-quality report: crossed/locked books, time gaps, halts, events by type, hidden volume')
    .requiredOption('--lobster <path>', 'LOBSTER .zip, directory, or message .csv')
    .option('--gap-seconds <s>', 'report gaps between messages longer than this', positiveNumber, 5)
    .option('--tick-size <units>', TICK_HELP, positiveInteger, 100)
    .option('--json', 'print the report as JSON')
    .action(async (options: { lobster: string; gapSeconds: number; tickSize: number; json?: boolean }) => {
      const { day, problems } = await loadLobster(options.lobster, { tickSize: options.tickSize });
      const report = dataQuality(day, { gapThresholdNs: Math.round(options.gapSeconds * 1e9) });
      if (options.json) console.log(JSON.stringify({ source: options.lobster, ...report, ...problemSummary(problems) }, null, 2));
      else console.log(formatQuality(options.lobster, report, problems));
    });

  data
    .command('synth')
    .description('Write a seeded synthetic day as LOBSTER message + orderbook files')
    .requiredOption('--seed <n>', 'PRNG seed (integer)', integer)
    .addOption(
      new Option('--regime <regime>', 'market regime').choices(['calm', 'volatile', 'illiquid']).makeOptionMandatory(),
    )
    .requiredOption('--events <n>', 'messages in the day', positiveInteger)
    .requiredOption('--out <dir>', 'output directory')
    .option('--levels <n>', 'book levels per side', positiveInteger, 10)
    .option('--instrument <ticker>', 'instrument name', 'SYNTH')
    .option('--date <yyyy-mm-dd>', 'trading date', '2024-01-02')
    .option('--json', 'print the written files as JSON')
    .action(
      async (options: {
        seed: number;
        regime: SyntheticRegime;
        events: number;
        out: string;
        levels: number;
        instrument: string;
        date: string;
        json?: boolean;
      }) => {
        const day = generateSyntheticDay({
          seed: options.seed,
          regime: options.regime,
          events: options.events,
          levels: options.levels,
          instrument: options.instrument,
          date: options.date,
        });
        const files = await writeLobster(day, options.out);
        if (options.json) console.log(JSON.stringify({ messages: day.length, levels: day.levels, ...files }, null, 2));
        else console.log(`wrote ${day.length} messages (${day.levels} levels)\n  ${files.messageFile}\n  ${files.orderbookFile}`);
      },
    );
}




function problemSummary(problems: readonly DataProblem[]): { loadProblems: number; problems: readonly DataProblem[] } {
  return { loadProblems: problems.length, problems: problems.slice(0, 20) };
}

const count = (n: number): string => n.toLocaleString('en-US');

function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}

function formatProblems(problems: readonly DataProblem[]): string {
  if (problems.length === 0) return '';
  const lines = problems
    .slice(0, 5)
    .map((p) => `    ${p.file}:${p.line}${p.field === undefined ? '' : ` ${p.field}`}: ${p.message}`);
  const more = problems.length > 5 ? `\n    … ${problems.length - 5} more (--json lists 20)` : '';
  return `\n  load problems (rows dropped or fixed):\n${lines.join('\n')}${more}`;
}

function formatVerify(source: string, r: VerifyReport, problems: readonly DataProblem[]): string {
  const events = ([1, 2, 3, 4, 5, 6, 7] as const).map((t) => `${t}:${count(r.eventCounts[t])}`).join('  ');
  const head = `${r.mismatches === 0 ? 'OK' : 'MISMATCH'}  ${r.instrument} ${r.date}  (${source})`;
  const body = table([
    ['messages', count(r.messages)],
    ['levels', String(r.levels)],
    ['rows checked', count(r.checkedRows)],
    ['mismatching rows', count(r.mismatches)],
    ['levels learned', `${count(r.learnedLevels)} (a level entering view at position ${r.levels})`],
    ['anonymous refs', count(r.anonymousRefs)],
    ['inconsistent', count(r.inconsistentMessages)],
    ['events by type', events],
    ['load problems', count(problems.length)],
  ]);
  const mismatches = r.firstMismatches.length
    ? `\n  first mismatches:\n${r.firstMismatches.map((m) => `    ${m.detail}`).join('\n')}`
    : '';
  return `${head}\n${body}${mismatches}${formatProblems(problems)}`;
}

function formatQuality(source: string, r: DataQualityReport, problems: readonly DataProblem[]): string {
  const events = ([1, 2, 3, 4, 5, 6, 7] as const).map((t) => `${t}:${count(r.eventsByType[t])}`).join('  ');
  const example = (c: { count: number; first: readonly { index: number; detail: string }[] }): string =>
    c.count === 0 ? '0' : `${count(c.count)}  (first: message ${c.first[0]!.index}, ${c.first[0]!.detail})`;
  const share = r.volume.hiddenShare === null ? 'n/a' : `${(r.volume.hiddenShare * 100).toFixed(1)}%`;
  const body = table([
    ['messages', count(r.messages)],
    ['levels', String(r.levels)],
    ['time span', `${(r.firstTimeNs / 1e9).toFixed(3)} s – ${(r.lastTimeNs / 1e9).toFixed(3)} s after midnight`],
    ['events by type', events],
    ['crossed books', example(r.crossedBooks)],
    ['locked books', example(r.lockedBooks)],
    ['empty sides', example(r.emptySides)],
    ['unordered levels', example(r.unorderedLevels)],
    [`gaps > ${r.timeGaps.thresholdNs / 1e9} s`, `${example(r.timeGaps)}; longest ${(r.timeGaps.maxGapNs / 1e9).toFixed(3)} s`],
    ['halts', `${example(r.halts)}; halted ${r.halts.halted}, quoting ${r.halts.quoting}, resumed ${r.halts.resumed}`],
    ['out-of-order times', example(r.outOfOrderTimes)],
    ['sizes ≤ 0', example(r.nonPositiveSizes)],
    ['executed shares', `visible ${count(r.volume.visible)}, hidden ${count(r.volume.hidden)}, cross ${count(r.volume.cross)}`],
    ['hidden share', share],
    ['load problems', count(problems.length)],
  ]);
  return `${r.instrument} ${r.date}  (${source})\n${body}${formatProblems(problems)}`;
}
