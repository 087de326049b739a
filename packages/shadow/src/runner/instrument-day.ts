import { FeatureEngine, FlowDayBuilder, MarketTracker } from '@airlock/sim';
import type { BookUpdateEvent, TradeEvent } from '@airlock/live-flow';
import { appendFlowMarketEvent, lobsterTickSize } from '../live-execution.js';

/** Book levels per side the runner keeps (the deepest the catalog's features read is 5; fills walk the visible book). */
export const RUNNER_BOOK_LEVELS = 10;

/**
 * One instrument's trading day as the runner sees it: the FlowDay rebuilt from the flow's book and trade events
 * (the very rows the live-flow simulator replayed) and a MarketTracker following it as it grows, so features
 * at a decision read exactly what the backtest's FeatureEngine would (DESIGN.md principle 1).
 */
export class InstrumentDay {
  readonly builder: FlowDayBuilder;
  readonly tracker: MarketTracker;
  private readonly engines = new Map<string, FeatureEngine>();

  constructor(
    readonly instrument: string,
    readonly session: string,
    /** Currency per tick, as the flow states it. */
    readonly tickSize: number,
    /** Stream position of the day's first event: where a restart must re-read from to rebuild it. */
    readonly firstPosition: number,
  ) {
    this.builder = new FlowDayBuilder(instrument, session, RUNNER_BOOK_LEVELS, lobsterTickSize(tickSize));
    this.tracker = new MarketTracker(this.builder);
  }

  /** ns of the last market row, −1 before any. */
  get lastTimeNs(): number {
    return this.builder.lastTimeNs;
  }

  /** Appends a book snapshot or trade (in time order) and lets the tracker consume it. */
  append(event: BookUpdateEvent | TradeEvent): void {
    this.tracker.consume(appendFlowMarketEvent(this.builder, event));
  }

  /** The catalog features `names` (one model's input columns) over this day; one engine per column list. */
  features(names: readonly string[]): FeatureEngine {
    const key = names.join(',');
    let engine = this.engines.get(key);
    if (!engine) {
      engine = new FeatureEngine(this.tracker, names);
      this.engines.set(key, engine);
    }
    return engine;
  }
}
