import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Principal } from '@airlock/core';
import { RegistryService, type NewModel } from '@airlock/registry';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { API_CONFIG } from '../tokens.js';
import type { ApiConfig } from '../config/api-config.js';
import { CurrentPrincipal, Roles } from '../http/auth.guard.js';
import { parseBody, parseLimit, parsePositiveInt } from '../http/parse.js';
import { pageOf, presentAlias, presentModel, presentVersion } from './presenters.js';
import { spoolRegistrationUpload } from './upload-spool.js';
import { join } from 'node:path';

/** Only the shape is checked here: the registry validates every field and lists all problems at once. */
const newModelBody = z.record(z.string(), z.unknown());

const aliasBody = z.object({ version: z.number().int().positive() });

@Controller('v1/models')
export class ModelsController {
  constructor(
    private readonly registry: RegistryService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('quant', 'admin')
  async create(@CurrentPrincipal() actor: Principal, @Body() body: unknown) {
    const input = parseBody(newModelBody, body) as unknown as NewModel;
    return presentModel(await this.registry.createModel(actor, input));
  }

  @Get()
  async list(@Query('limit') limit?: string, @Query('after') after?: string) {
    const size = parseLimit(limit);
    const models = await this.registry.listModels({ limit: size, after });
    return pageOf(models.map(presentModel), size, (m) => m.name);
  }

  @Get(':name')
  async get(@Param('name') name: string) {
    const model = await this.registry.getModel(name);
    const aliases = await this.registry.listAliases(name);
    return { ...presentModel(model), aliases: aliases.map(presentAlias) };
  }

  /** 201 with a new version, or 200 with the existing one when these bytes were registered for the model before. */
  @Post(':name/versions')
  @Roles('quant', 'admin')
  async register(
    @CurrentPrincipal() actor: Principal,
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.registry.getModel(name); // 404 before reading a large body
    const upload = await spoolRegistrationUpload(request, join(this.config.dataDir, 'uploads'), this.config.maxArtifactBytes);
    try {
      const { version, created } = await this.registry.registerVersion(actor, name, upload.artifact, upload.manifestText);
      void reply.status(created ? 201 : 200);
      return presentVersion(version);
    } finally {
      await upload.dispose();
    }
  }

  @Get(':name/versions')
  async versions(@Param('name') name: string, @Query('limit') limit?: string, @Query('after') after?: string) {
    const size = parseLimit(limit);
    const afterVersion = after === undefined ? undefined : parsePositiveInt(after, 'after');
    const versions = await this.registry.listVersions(name, { limit: size, afterVersion });
    return pageOf(versions.map(presentVersion), size, (v) => String(v.version));
  }

  @Get(':name/versions/:version')
  async version(@Param('name') name: string, @Param('version') version: string) {
    return presentVersion(await this.registry.getVersion(name, parsePositiveInt(version, 'version')));
  }

  /** The artifact's bytes, verified against the version's sha256 before the first byte is sent. */
  @Get(':name/versions/:version/artifact')
  async artifact(@Param('name') name: string, @Param('version') version: string, @Res() reply: FastifyReply) {
    const found = await this.registry.getVersion(name, parsePositiveInt(version, 'version'));
    const bytes = await this.registry.readVerifiedArtifact(found);
    void reply
      .status(200)
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${found.modelName}-${found.version}.onnx"`)
      .header('etag', `"${found.sha256}"`)
      .header('x-artifact-sha256', found.sha256)
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  @Get(':name/aliases')
  async aliases(@Param('name') name: string) {
    return { items: (await this.registry.listAliases(name)).map(presentAlias) };
  }

  @Put(':name/aliases/:alias')
  @Roles('quant', 'admin')
  async setAlias(@CurrentPrincipal() actor: Principal, @Param('name') name: string, @Param('alias') alias: string, @Body() body: unknown) {
    const { version } = parseBody(aliasBody, body);
    return presentAlias(await this.registry.setAlias(actor, name, alias, version));
  }
}
