import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import type { Principal } from '@airlock/core';
import { ApiKeysService } from '@airlock/registry';
import { z } from 'zod';
import { CurrentPrincipal, Roles } from '../http/auth.guard.js';
import { parseBody } from '../http/parse.js';
import { presentApiKey } from '../registry/presenters.js';

const newKeyBody = z.object({ name: z.string(), roles: z.array(z.string()) });

@Controller('v1/api-keys')
@Roles('admin')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** The key itself is in this response only: it is stored hashed. */
  @Post()
  @HttpCode(201)
  async create(@CurrentPrincipal() actor: Principal, @Body() body: unknown) {
    const created = await this.keys.create(actor, parseBody(newKeyBody, body));
    return { ...presentApiKey(created), key: created.key };
  }

  @Get()
  async list() {
    return { items: (await this.keys.list()).map(presentApiKey) };
  }
}
