import { type RawBuilder, sql } from "kysely";

// A JS array passed as one parameter and cast explicitly works the same on pg and PGlite
// (a bare array in .where(col, "=", arr) would become a row constructor).
export const bigintArray = (values: readonly string[]): RawBuilder<string[]> =>
  sql<string[]>`cast(${sql.val([...values])} as bigint[])`;

export const textArray = (values: readonly string[]): RawBuilder<string[]> =>
  sql<string[]>`cast(${sql.val([...values])} as text[])`;

export const integerArray = (values: readonly number[]): RawBuilder<number[]> =>
  sql<number[]>`cast(${sql.val([...values])} as integer[])`;

/**
 * A statement whose text starts with this comment is prepared once per connection (parsed and
 * planned once) instead of on every call: named statements on PostgreSQL (connection.ts),
 * PREPARE/EXECUTE on PGlite (pglite-dialect.ts). Only texts that do not vary from call to call
 * opt in, which keeps the statements per connection few.
 */
export const PREPARED = "/* prepared */ ";
