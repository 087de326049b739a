import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadApiConfig } from './api-config.js';

describe('loadApiConfig', () => {
  it('runs on embedded defaults with no variables set', () => {
    const config = loadApiConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: undefined, migrateOnStart: true, maxArtifactBytes: 256 * 1024 * 1024 });
    expect(config.artifactStoreUri).toMatch(/^file:\/\/\/.*\/\.airlock\/artifacts$/);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadApiConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', AIRLOCK_ARTIFACT_STORE: 'ftp://x', AIRLOCK_BOOTSTRAP_ADMIN_KEY: 'short', AIRLOCK_MIGRATE_ON_START: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const fields = (error as ConfigError).problems.map((p) => p.split(':')[0]).sort();
    expect(fields).toEqual(['AIRLOCK_ARTIFACT_STORE', 'AIRLOCK_BOOTSTRAP_ADMIN_KEY', 'AIRLOCK_MIGRATE_ON_START', 'DATABASE_URL', 'PORT']);
  });

  it('takes S3 and PostgreSQL when configured, and treats empty variables as unset', () => {
    const config = loadApiConfig({ DATABASE_URL: 'postgres://u@h/db', AIRLOCK_ARTIFACT_STORE: 's3://bucket/prefix', PORT: '' });
    expect(config).toMatchObject({ databaseUrl: 'postgres://u@h/db', artifactStoreUri: 's3://bucket/prefix', port: 8080 });
  });
});
