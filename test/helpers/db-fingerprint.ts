// A digest of every table, to prove that a refused request changed nothing at all.
import { type Kysely, sql } from "kysely";
import type { Database } from "../../db/schema.ts";

export type Fingerprint = Record<string, { rows: number; digest: string }>;

/** Row count and a digest of the contents of each table of the schema (migration bookkeeping aside). */
export async function fingerprint(db: Kysely<Database>): Promise<Fingerprint> {
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'kysely\\_%'
    ORDER BY table_name
  `.execute(db);
  const result: Fingerprint = {};
  for (const { name } of tables.rows) {
    const { rows } = await sql<{ rows: number; digest: string }>`
      SELECT count(*)::int AS rows, coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') AS digest
      FROM ${sql.table(name)} t
    `.execute(db);
    result[name] = rows[0]!;
  }
  return result;
}
