import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { ArtifactStore } from '@airlock/artifact-store';
import { Database } from '@airlock/persistence';
import type { FastifyReply } from 'fastify';
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
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const check = async (probe: () => Promise<void>) => {
      try {
        await probe();
        return { ok: true };
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
    };
    const [database, artifactStore] = await Promise.all([check(() => this.db.ping()), check(() => this.store.ping())]);
    const ready = database.ok && artifactStore.ok;
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not-ready', checks: { database, artifactStore } };
  }

  @Get('metrics')
  async metricsText(@Res() reply: FastifyReply) {
    void reply.header('content-type', this.metrics.contentType).send(await this.metrics.metrics());
  }
}
