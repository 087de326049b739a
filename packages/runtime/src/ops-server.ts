import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { registerHttpMetrics } from './metrics.js';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface OpsServer {
  readonly fastify: FastifyInstance;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * /healthz, /readyz and /metrics for the processes that are not the API (worker, shadow runner), so probes and
 * Prometheus treat every app alike.
 */
export async function startOpsServer(options: {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly checks: readonly ReadinessCheck[];
}): Promise<OpsServer> {
  const fastify: FastifyInstance = Fastify({ loggerInstance: options.logger as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) });
  registerHttpMetrics(fastify, options.metrics);
  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(
      options.checks.map(async ({ name, check }) => {
        try {
          await check();
          return [name, { ok: true }] as const;
        } catch (error) {
          return [name, { ok: false, error: (error as Error).message }] as const;
        }
      }),
    );
    const ready = results.every(([, r]) => r.ok);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks: Object.fromEntries(results) });
  });
  fastify.get('/metrics', async (_request, reply) => reply.header('content-type', options.metrics.contentType).send(await options.metrics.metrics()));
  await fastify.listen({ host: options.host, port: options.port });
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { fastify, url: `http://${options.host}:${port}`, close: () => fastify.close() };
}
