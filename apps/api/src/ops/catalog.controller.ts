import { Controller, Get } from '@nestjs/common';
import { ACTIONS, CATALOG_VERSION, FEATURES } from '@airlock/core';
import { Public } from '../http/auth.guard.js';

/** The execution-model contract: the features a model may read and the actions it may write (docs/model-contract.md). */
@Controller('v1/catalog')
@Public()
export class CatalogController {
  @Get()
  catalog() {
    return { version: CATALOG_VERSION, features: FEATURES, actions: ACTIONS };
  }
}
