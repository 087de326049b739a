export * from './data-source.js';
export * from './database.js';
export { withEmbeddedSession, type EmbeddedPGlite } from './embedded-session.js';
export * from './entities/index.js';
export * from './schema-drift.js';
export type { AuditAppend, AuditQuery } from './repositories/audit.repository.js';
export type { IdempotencyClaim } from './repositories/idempotency.repository.js';
export type { ModelAlias } from './repositories/model-alias.repository.js';
export * from './repositories/validation.repository.js';
