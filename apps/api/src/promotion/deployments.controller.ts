import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { Principal } from '@airlock/core';
import { DeploymentService } from '@airlock/promotion';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { CurrentPrincipal, Roles } from '../http/auth.guard.js';
import { parseBody } from '../http/parse.js';
import { presentRouting } from './presenters.js';

const killBody = z.strictObject({ reason: z.string().trim().min(1).max(2000), mode: z.enum(['stable', 'halt']) });
const resumeBody = z.strictObject({ reason: z.string().max(2000).optional() });

/** `If-None-Match` holds the ETag (`"<revision>"`, weak or strong), a list of them, or `*`. */
const matches = (header: string | undefined, etag: string) =>
  header !== undefined && header.split(',').some((tag) => ['*', etag].includes(tag.trim().replace(/^W\//, '')));

@Controller('v1/deployments')
export class DeploymentsController {
  constructor(private readonly deployments: DeploymentService) {}

  /** The routing table engines poll: ETag = revision; 304 when the caller's copy is current. */
  @Get(':name/routing')
  async routing(@Param('name') name: string, @Headers('if-none-match') ifNoneMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const deployment = await this.deployments.get(name);
    const etag = `"${deployment.revision}"`;
    void reply.header('etag', etag).header('cache-control', 'no-cache');
    if (matches(ifNoneMatch, etag)) {
      void reply.status(304);
      return '';
    }
    return presentRouting(deployment);
  }

  @Post(':name/kill')
  @HttpCode(200)
  @Roles('risk', 'admin')
  async kill(@CurrentPrincipal() actor: Principal, @Param('name') name: string, @Body() body: unknown) {
    return presentRouting(await this.deployments.kill(actor, name, parseBody(killBody, body)));
  }

  @Post(':name/resume')
  @HttpCode(200)
  @Roles('risk', 'admin')
  async resume(@CurrentPrincipal() actor: Principal, @Param('name') name: string, @Body() body: unknown) {
    return presentRouting(await this.deployments.resume(actor, name, parseBody(resumeBody, body ?? {}).reason ?? ''));
  }
}
