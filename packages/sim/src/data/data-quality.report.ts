import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, type LobsterEventType, type MarketDay } from './market-day.js';

/**
 * A data-quality report over one MarketDay: what a validator must know before trusting a backtest on it.
 * Book checks look at the day's book columns (row k = book after message k); message checks at the messages.
 * Counts are per row (a crossed book lasting 40 messages counts 40); each count keeps its first examples.
 */
export interface QualityExample {
  /** Message index (0-based). */
  readonly index: number;
  /** ns after midnight. */
  readonly timeNs: number;
  readonly detail: string;
}

export interface QualityCount {
  readonly count: number;
  readonly first: readonly QualityExample[];
}

export interface DataQualityReport {
  readonly instrument: string;
  readonly date: string;
  readonly messages: number;
  readonly levels: number;
  /** ns after midnight of the first and last message (0 when empty). */
  readonly firstTimeNs: number;
  readonly lastTimeNs: number;
  readonly eventsByType: Readonly<Record<LobsterEventType, number>>;
  /** Rows whose best bid is above the best ask. */
  readonly crossedBooks: QualityCount;
  /** Rows whose best bid equals the best ask. */
  readonly lockedBooks: QualityCount;
  /** Rows with one side (or both) empty at level 1. */
  readonly emptySides: QualityCount;
  /** Rows whose levels are out of price order, or have an empty level above an occupied one. */
  readonly unorderedLevels: QualityCount;
  /** Gaps between consecutive messages longer than the threshold. */
  readonly timeGaps: QualityCount & { readonly thresholdNs: number; readonly maxGapNs: number };
  /** Type 7 messages, by LOBSTER's code: -1 halt, 0 quoting, 1 resume. */
  readonly halts: QualityCount & { readonly halted: number; readonly quoting: number; readonly resumed: number };
  /** Messages earlier than the one before (the loader clamps these, so a loaded day has none). */
  readonly outOfOrderTimes: QualityCount;
  /** Messages of types 1–6 with size ≤ 0 (the loader drops these, so a loaded day has none). */
  readonly nonPositiveSizes: QualityCount;
  /** Executed shares: visible (type 4), hidden (type 5), in crosses (type 6). */
  readonly volume: {
    readonly visible: number;
    readonly hidden: number;
    readonly cross: number;
    /** hidden / (visible + hidden), 0–1; null when nothing executed. */
    readonly hiddenShare: number | null;
  };
}

export interface DataQualityOptions {
  /** A gap longer than this is reported; ns, default 5 s. */
  readonly gapThresholdNs?: number;
  /** Examples kept per count; default 5. */
  readonly maxExamples?: number;
}

class Counter {
  count = 0;
  readonly first: QualityExample[] = [];
  constructor(private readonly max: number) {}

  add(index: number, timeNs: number, detail: () => string): void {
    this.count++;
    if (this.first.length < this.max) this.first.push({ index, timeNs, detail: detail() });
  }

  result(): QualityCount {
    return { count: this.count, first: this.first };
  }
}

export function dataQuality(day: MarketDay, options: DataQualityOptions = {}): DataQualityReport {
  const thresholdNs = options.gapThresholdNs ?? 5e9;
  const max = options.maxExamples ?? 5;
  const L = day.levels;
  const n = day.length;
  const eventsByType: Record<LobsterEventType, number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0 };
  const crossed = new Counter(max);
  const locked = new Counter(max);
  const emptySides = new Counter(max);
  const unordered = new Counter(max);
  const gaps = new Counter(max);
  const halts = new Counter(max);
  const outOfOrder = new Counter(max);
  const nonPositive = new Counter(max);
  let maxGapNs = 0;
  let halted = 0;
  let quoting = 0;
  let resumed = 0;
  let visible = 0;
  let hidden = 0;
  let cross = 0;

  for (let k = 0; k < n; k++) {
    const t = day.timeNs[k]!;
    const type = day.type[k]!;
    const size = day.size[k]!;
    if (type >= 1 && type <= 7) eventsByType[type as LobsterEventType]++;
    if (k > 0) {
      const gap = t - day.timeNs[k - 1]!;
      if (gap < 0) outOfOrder.add(k, t, () => `time ${t} ns after ${day.timeNs[k - 1]} ns`);
      else {
        if (gap > maxGapNs) maxGapNs = gap;
        if (gap > thresholdNs) gaps.add(k, t, () => `${(gap / 1e9).toFixed(3)} s since the previous message`);
      }
    }
    if (type === 7) {
      const code = day.price[k]!;
      if (code === -1) halted++;
      else if (code === 0) quoting++;
      else if (code === 1) resumed++;
      halts.add(k, t, () => (code === -1 ? 'trading halted' : code === 0 ? 'quoting resumed' : 'trading resumed'));
    } else if (size <= 0) {
      nonPositive.add(k, t, () => `type ${type} with size ${size}`);
    } else if (type === 4) visible += size;
    else if (type === 5) hidden += size;
    else if (type === 6) cross += size;

    if (L === 0) continue;
    const base = k * L;
    const ask = day.askPrice[base]!;
    const bid = day.bidPrice[base]!;
    if (ask === EMPTY_ASK_TICKS || bid === EMPTY_BID_TICKS) {
      emptySides.add(k, t, () => (ask === EMPTY_ASK_TICKS && bid === EMPTY_BID_TICKS ? 'both sides empty' : ask === EMPTY_ASK_TICKS ? 'no asks' : 'no bids'));
    } else if (bid > ask) crossed.add(k, t, () => `best bid ${bid} > best ask ${ask} (ticks)`);
    else if (bid === ask) locked.add(k, t, () => `best bid = best ask = ${bid} (ticks)`);
    for (let i = 1; i < L; i++) {
      const askAbove = day.askPrice[base + i - 1]!;
      const askHere = day.askPrice[base + i]!;
      const bidAbove = day.bidPrice[base + i - 1]!;
      const bidHere = day.bidPrice[base + i]!;
      const askBad = askHere !== EMPTY_ASK_TICKS && !(askHere > askAbove);
      const bidBad = bidHere !== EMPTY_BID_TICKS && !(bidHere < bidAbove);
      if (askBad || bidBad) {
        unordered.add(k, t, () => `${askBad ? 'ask' : 'bid'} level ${i + 1} not behind level ${i}`);
        break;
      }
    }
  }

  const executed = visible + hidden;
  return {
    instrument: day.instrument,
    date: day.date,
    messages: n,
    levels: L,
    firstTimeNs: n > 0 ? day.timeNs[0]! : 0,
    lastTimeNs: n > 0 ? day.timeNs[n - 1]! : 0,
    eventsByType,
    crossedBooks: crossed.result(),
    lockedBooks: locked.result(),
    emptySides: emptySides.result(),
    unorderedLevels: unordered.result(),
    timeGaps: { ...gaps.result(), thresholdNs, maxGapNs },
    halts: { ...halts.result(), halted, quoting, resumed },
    outOfOrderTimes: outOfOrder.result(),
    nonPositiveSizes: nonPositive.result(),
    volume: { visible, hidden, cross, hiddenShare: executed > 0 ? hidden / executed : null },
  };
}
