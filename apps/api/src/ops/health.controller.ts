import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { ArtifactStore } from '@airlock/artifact-store';
import { Database } from '@airlock/persistence';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { Public } from '../http/auth.guard.js';
import { ARTIFACT_STORE, METRICS_REGISTRY } from '../tokens.js';

@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly db: Database,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
  ) {}

  /** The process is up. */
  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  /** The database and the artifact store answer; 503 with the failing checks otherwise. */
  @Get('readyz')
  async ready(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    // Public: say which dependency is down, not why (driver messages can name hosts and users); the log has it.
    const check = async (name: string, probe: () => Promise<void>) => {
      try {
        await probe();
        return { ok: true };
      } catch (error) {
        request.log.warn({ err: error, check: name }, 'readiness check failed');
        return { ok: false, error: 'unreachable' };
      }
    };
    const [database, artifactStore] = await Promise.all([check('database', () => this.db.ping()), check('artifactStore', () => this.store.ping())]);
    const ready = database.ok && artifactStore.ok;
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not-ready', checks: { database, artifactStore } };
  }

  @Get('metrics')
  async metricsText(@Res() reply: FastifyReply) {
    void reply.header('content-type', this.metrics.contentType).send(await this.metrics.metrics());
  }
}
