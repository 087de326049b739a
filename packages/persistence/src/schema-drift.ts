import type { DataSource } from 'typeorm';

export interface SchemaDiff {
  readonly up: readonly string[];
  readonly down: readonly string[];
}

/**
 * What TypeORM would generate to make the database match the entities. Run on a database migrated to the
 * latest migration, a non-empty `up` means the entities drifted from migrations/ (a new migration is owed).
 */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<SchemaDiff> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return {
    up: sql.upQueries.map((q) => q.query),
    down: sql.downQueries.map((q) => q.query),
  };
}

/** Source text of a new migration class holding `diff` (used by `airlock db generate-migration`). */
export function migrationSource(className: string, diff: SchemaDiff): string {
  const lines = (queries: readonly string[]) =>
    queries.map((q) => `    await queryRunner.query(${JSON.stringify(q)});`).join('\n');
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${lines(diff.up)}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${lines([...diff.down].reverse())}
  }
}
`;
}
