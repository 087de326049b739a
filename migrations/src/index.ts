import type { MigrationInterface } from 'typeorm';
import { Initial1764028800000 } from './1764028800000-initial.js';

/** Every migration, oldest first. Append only: a landed migration is never edited or removed. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [Initial1764028800000];
