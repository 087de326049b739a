import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { actorRecord, DomainError, ROLES, type ActorRecord, type ApiKey, type Principal, type Role } from '@airlock/core';
import type { Database } from '@airlock/persistence';

/** Keys look like `ak_<43 base64url chars>` (256 random bits); only their sha256 is stored. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');
const newKeySecret = (): string => `ak_${randomBytes(32).toString('base64url')}`;

export interface CreatedApiKey extends ApiKey {
  /** Shown once, at creation. */
  readonly key: string;
}

/** How long an authenticated key is remembered, ms: every request would otherwise start with a database read. */
export const PRINCIPAL_CACHE_MS = 5_000;
const PRINCIPAL_CACHE_ENTRIES = 10_000;

export class ApiKeysService {
  /** key hash → principal (or null for an unknown key) and when the entry stops being trusted (ms). */
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(
    private readonly db: Database,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * The principal behind a bearer key, or null (unknown or revoked). Remembered for PRINCIPAL_CACHE_MS, so a key
   * revoked in the database stops working within that time (docs/decisions/0006).
   */
  async authenticate(key: string): Promise<Principal | null> {
    const hash = hashApiKey(key);
    const cached = this.cache.get(hash);
    if (cached && cached.until > this.now()) return cached.principal;
    const found = await this.db.read.apiKeys.findActiveByHash(hash);
    const principal = found ? { keyId: found.id, name: found.name, roles: found.roles } : null;
    if (this.cache.size >= PRINCIPAL_CACHE_ENTRIES) this.cache.clear(); // bounded: a flood of random keys cannot grow it
    this.cache.set(hash, { principal, until: this.now() + PRINCIPAL_CACHE_MS });
    return principal;
  }

  /**
   * On start: if AIRLOCK_BOOTSTRAP_ADMIN_KEY is set and no admin key exists yet, that key becomes the first admin
   * key. Safe to run on every start and on many replicas at once (the check and insert share a transaction lock).
   */
  /**
   * Who each actor string (`key:<id>`, as written in requestedBy, createdBy, approvals and the audit chain) is: its
   * key's name and roles, and whether it was revoked. Never a key or its hash. For people reading the record.
   */
  async actors(): Promise<ActorRecord[]> {
    return (await this.db.read.apiKeys.list()).map(actorRecord);
  }

  async bootstrapAdmin(key: string | undefined): Promise<ApiKey | null> {
    if (!key) return null;
    if (key.length < 16) {
      throw new DomainError('VALIDATION_FAILED', 'AIRLOCK_BOOTSTRAP_ADMIN_KEY must be at least 16 characters', {
        errors: [{ field: 'AIRLOCK_BOOTSTRAP_ADMIN_KEY', message: 'at least 16 characters' }],
      });
    }
    return this.db.transaction(async (uow) => {
      await uow.manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', ['airlock:bootstrap-admin']);
      if (await uow.apiKeys.existsWithRole('admin')) return null;
      const created = await uow.apiKeys.insert({
        id: randomUUID(),
        name: 'bootstrap-admin',
        roles: ['admin'],
        keyHash: hashApiKey(key),
        createdAt: uow.at,
        createdBy: 'bootstrap',
      });
      await uow.audit('system', 'api-key.bootstrapped', `api-key:${created.id}`, { name: created.name, roles: created.roles });
      return created;
    });
  }

  async create(actor: Principal, input: { name: string; roles: readonly string[] }): Promise<CreatedApiKey> {
    const problems = [
      ...(input.name.trim().length === 0 || input.name.length > 100 ? [{ field: 'name', message: '1 to 100 characters' }] : []),
      ...(input.roles.length === 0 ? [{ field: 'roles', message: 'at least one role' }] : []),
      ...input.roles.flatMap((role, i) =>
        (ROLES as readonly string[]).includes(role) ? [] : [{ field: `roles[${i}]`, message: `unknown role "${role}"; one of ${ROLES.join(', ')}` }],
      ),
    ];
    if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'invalid API key request', { errors: problems });
    const key = newKeySecret();
    const roles = [...new Set(input.roles)] as Role[];
    const created = await this.db.transaction(async (uow) => {
      const row = await uow.apiKeys.insert({
        id: randomUUID(),
        name: input.name.trim(),
        roles,
        keyHash: hashApiKey(key),
        createdAt: uow.at,
        createdBy: `key:${actor.keyId}`,
      });
      await uow.audit(actor, 'api-key.created', `api-key:${row.id}`, { name: row.name, roles: row.roles });
      return row;
    });
    return { ...created, key };
  }

  list(): Promise<ApiKey[]> {
    return this.db.read.apiKeys.list();
  }
}
