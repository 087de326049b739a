import { loadApiConfig } from '@airlock/api';
import { createDataSource, pendingSchemaChanges, migrationSource } from '@airlock/persistence';
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { ExitCode } from '../run-cli.js';

/** Opens the configured database (DATABASE_URL, or the embedded one) for a schema command. */
async function withDataSource<T>(work: (ds: ReturnType<typeof createDataSource>) => Promise<T>): Promise<T> {
  const config = loadApiConfig(process.env);
  const dataSource = createDataSource({ databaseUrl: config.databaseUrl, embeddedDir: `${config.dataDir}/db` });
  await dataSource.initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

export function registerMigrateCommands(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending migrations to the configured database')
    .option('--revert', 'revert the last applied migration instead')
    .action(async (options: { revert?: boolean }) => {
      await withDataSource(async (ds) => {
        if (options.revert) {
          await ds.undoLastMigration();
          console.log('reverted the last migration');
          return;
        }
        const applied = await ds.runMigrations();
        console.log(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'schema is up to date');
      });
    });
  program
    .command('db-drift')
    .description('Exit 1 if the entities would generate a new migration (CI gate); --write NAME writes it to migrations/src')
    .option('--write <className>', 'write the pending changes as a new migration class')
    .action(async (options: { write?: string }) => {
      await withDataSource(async (ds) => {
        await ds.runMigrations();
        const diff = await pendingSchemaChanges(ds);
        if (diff.up.length === 0) {
          console.log('no drift: the entities match the migrations');
          return;
        }
        if (options.write) {
          const timestamp = Date.now();
          const file = `migrations/src/${timestamp}-${options.write.replace(/[A-Z]/g, (c, i: number) => (i ? '-' : '') + c.toLowerCase())}.ts`;
          writeFileSync(file, migrationSource(`${options.write}${timestamp}`, diff));
          console.log(`wrote ${file}; add it to migrations/src/index.ts`);
          return;
        }
        console.log(`drift: the entities need a new migration:\n${diff.up.join(';\n')}`);
        process.exitCode = ExitCode.Finding;
      });
    });
}
