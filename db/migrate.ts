import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Kysely } from "kysely";
import { type Migration, type MigrationResultSet, Migrator } from "kysely/migration";

const MIGRATIONS_DIR = join(import.meta.dirname, "migrations");

/** Loads the migrations in this folder; each file is frozen once it has shipped. */
const provider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(MIGRATIONS_DIR)).filter((file) => file.endsWith(".ts")).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      migrations[basename(file, ".ts")] = (await import(join(MIGRATIONS_DIR, file))) as Migration;
    }
    return migrations;
  },
};

export async function migrateToLatest(
  db: Kysely<any>,
  onProgress: (message: string) => void = () => {},
): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider, migrationTableName: "schema_migrations" });
  const result = await migrator.migrateToLatest();
  for (const step of result.results ?? []) {
    onProgress(`${step.status === "Success" ? "applied" : step.status}: ${step.migrationName}`);
  }
  if (result.error) throw result.error;
  return result;
}
