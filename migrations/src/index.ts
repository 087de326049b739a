import type { MigrationInterface } from 'typeorm';
import { Initial1764028800000 } from './1764028800000-initial.js';
import { Validation1795564936565 } from './1795564936565-validation.js';
import { Promotion1795567383349 } from './1795567383349-promotion.js';
import { RunAffectsStatus1795569322093 } from './1795569322093-run-affects-status.js';
import { Rollout1795569969762 } from './1795569969762-rollout.js';
import { Shadow1795572496565 } from './1795572496565-shadow.js';
import { ShadowPendingOrders1795574351051 } from './1795574351051-shadow-pending-orders.js';
import { RolloutLiveAnalysis1795574775079 } from './1795574775079-rollout-live-analysis.js';

/** Every migration, oldest first. Append only: a landed migration is never edited or removed. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [Initial1764028800000, Validation1795564936565, Promotion1795567383349, RunAffectsStatus1795569322093, Rollout1795569969762, Shadow1795572496565, ShadowPendingOrders1795574351051, RolloutLiveAnalysis1795574775079];
