import type { Suite } from './suite.js';

/** One unit of work: a dataset × scenario × chunk of the suite's parent orders. */
export interface ShardSpec {
  readonly datasetIndex: number;
  readonly scenario: string;
  /** Half-open range of indices into the suite's generated parent orders of that dataset. */
  readonly orderFrom: number;
  readonly orderTo: number;
}

/** Every shard of a suite, in a fixed order (their indices are stable: results are stored by index). */
export function planShards(suite: Suite): ShardSpec[] {
  const shards: ShardSpec[] = [];
  suite.datasets.forEach((_, datasetIndex) => {
    for (const scenario of suite.scenarios) {
      for (let from = 0; from < suite.orders.count; from += suite.ordersPerShard) {
        shards.push({ datasetIndex, scenario: scenario.name, orderFrom: from, orderTo: Math.min(from + suite.ordersPerShard, suite.orders.count) });
      }
    }
  });
  return shards;
}
