import { type RawBuilder, sql } from "kysely";

// A JS array passed as one parameter and cast explicitly works the same on pg and PGlite
// (a bare array in .where(col, "=", arr) would become a row constructor).
export const bigintArray = (values: readonly string[]): RawBuilder<string[]> =>
  sql<string[]>`cast(${sql.val([...values])} as bigint[])`;

export const textArray = (values: readonly string[]): RawBuilder<string[]> =>
  sql<string[]>`cast(${sql.val([...values])} as text[])`;
