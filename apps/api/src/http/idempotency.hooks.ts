import { createHash } from 'node:crypto';
import { canonicalJson, type Clock } from '@airlock/core';
import type { Database } from '@airlock/persistence';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerKey } from './auth.guard.js';
import { PROBLEM_CONTENT_TYPE, problemOf } from './problem.js';

const HEADER = 'idempotency-key';
/**
 * Routes whose responses are never stored: creating an API key returns its secret once, and a stored copy would
 * put a live key in plain text in the database (keys are stored hashed only). Retrying such a POST creates a new key.
 */
const NEVER_STORED = new Set(['/v1/api-keys']);
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/; // printable ASCII, no spaces

interface Claim {
  readonly scope: string;
  readonly key: string;
  settled: boolean;
}
const claims = new WeakMap<FastifyRequest, Claim>();

/**
 * POST requests with an `Idempotency-Key` header: the first successful (2xx) response is stored and a replay of
 * the same request with the same key returns it unchanged (header `Idempotent-Replayed: true`). Keys are scoped
 * per API key. Reusing a key for a different request is refused (422 IDEMPOTENCY_KEY_REUSED), a replay while the
 * first is still running gets 409, and a failed first request frees the key so the client may retry with it.
 * The request's fingerprint is method, URL and canonical JSON body; for multipart uploads (streamed, not
 * buffered) it is method, URL and Content-Length.
 */
export function registerIdempotencyHooks(fastify: FastifyInstance, db: Database, clock: Clock): void {
  const refuse = (reply: FastifyReply, problem: ReturnType<typeof problemOf>) =>
    reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);

  fastify.addHook('preHandler', async (request, reply) => {
    const key = request.headers[HEADER];
    if (request.method !== 'POST' || typeof key !== 'string' || NEVER_STORED.has(request.routeOptions.url ?? '')) return;
    if (!KEY_PATTERN.test(key)) {
      return refuse(reply, problemOf('VALIDATION_FAILED', 'Idempotency-Key must be 1–255 printable ASCII characters', {
        errors: [{ field: 'Idempotency-Key', message: '1–255 printable ASCII characters' }],
      }));
    }
    const bearer = bearerKey(request);
    if (!bearer) return; // the auth guard answers 401
    const scope = createHash('sha256').update(bearer).digest('hex');
    const isMultipart = String(request.headers['content-type'] ?? '').startsWith('multipart/');
    const body = isMultipart ? `multipart:${request.headers['content-length'] ?? '?'}` : canonicalJson(request.body ?? null);
    const fingerprint = createHash('sha256').update(`${request.method} ${request.url}\n${body}`).digest('hex');
    const claim = await db.read.idempotency.claim(scope, key, fingerprint, clock.now());
    switch (claim.kind) {
      case 'claimed':
        claims.set(request, { scope, key, settled: false });
        return;
      case 'replay':
        return reply.status(claim.status).header('idempotent-replayed', 'true').send(claim.body);
      case 'in-progress':
        return refuse(reply, problemOf('CONFLICT', 'a request with this Idempotency-Key is still being processed; retry later'));
      case 'mismatch':
        return refuse(reply, problemOf('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request'));
    }
  });

  fastify.addHook('onSend', async (request, reply, payload) => {
    const claim = claims.get(request);
    if (!claim || claim.settled) return payload;
    if (reply.statusCode >= 200 && reply.statusCode < 300 && typeof payload === 'string') {
      await db.read.idempotency.complete(claim.scope, claim.key, reply.statusCode, JSON.parse(payload) as unknown);
    } else {
      await db.read.idempotency.release(claim.scope, claim.key);
    }
    claim.settled = true; // only once stored or released: otherwise onResponse frees the key
    return payload;
  });

  // A request that never reached onSend (client went away, handler crashed hard) must not hold its key forever.
  fastify.addHook('onResponse', async (request) => {
    const claim = claims.get(request);
    if (claim && !claim.settled) {
      claim.settled = true;
      await db.read.idempotency.release(claim.scope, claim.key);
    }
  });
}
