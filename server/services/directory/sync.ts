// What a sibling's directory listing means for the accounts we hold of that campus.
import { sql } from "kysely";
import type { Db } from "../../../db/repositories/types.ts";
import { textArray } from "../../../db/sql-helpers.ts";

/**
 * People of `domain` that the sibling no longer lists (they turned `discoverable` off, or were
 * suspended there) leave our directory too; their accounts stay for follows and posts.
 */
export async function hideUnlistedSiblingAccounts(db: Db, domain: string, listedUris: readonly string[]): Promise<number> {
  const result = await db
    .updateTable("accounts")
    .set({ discoverable: false })
    .where("domain", "=", domain)
    .where("discoverable", "=", true)
    .where("uri", "!=", sql<string>`all(${textArray(listedUris)})`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
