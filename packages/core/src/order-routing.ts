import type { RoutingTable, VersionRef } from './promotion.js';

/** FNV-1a over the UTF-16 code units of `text`: a stable 32-bit hash, the same in every process and release. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A parent order's routing bucket, 0–9,999 (hundredths of a percent): stable for its id. */
export const routingBucket = (orderId: string): number => fnv1a32(orderId) % 10_000;

export type RouteDecision = { readonly slot: 'stable' | 'canary'; readonly version: VersionRef } | { readonly slot: 'halted'; readonly version: null };

/**
 * Which version trades a parent order under a deployment's routing table: the canary when the order's stable
 * bucket is below canaryWeight (percent, to a hundredth), else the stable. The same order id always lands on
 * the same side at a given weight, and raising the weight only moves orders from stable to canary. A halted
 * table, or one without the version it would pick, routes nowhere.
 */
export function routeParentOrder(orderId: string, table: Pick<RoutingTable, 'stable' | 'canary' | 'canaryWeight' | 'halted'>): RouteDecision {
  if (table.halted) return { slot: 'halted', version: null };
  if (table.canary !== null && routingBucket(orderId) < Math.round(table.canaryWeight * 100)) return { slot: 'canary', version: table.canary };
  if (table.stable !== null) return { slot: 'stable', version: table.stable };
  return { slot: 'halted', version: null };
}
