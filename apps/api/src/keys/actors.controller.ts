import { Controller, Get } from '@nestjs/common';
import { ApiKeysService } from '@airlock/registry';

/**
 * Who is who in the record: every key as an actor (`key:<id>`) with its name, roles and whether it was revoked —
 * never a secret. Any valid key may read it: a risk officer must see who asked for a promotion and an auditor who
 * approved it, not only key ids.
 */
@Controller('v1/actors')
export class ActorsController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  async list() {
    return { items: await this.keys.actors() };
  }
}
