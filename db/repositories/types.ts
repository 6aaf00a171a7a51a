import type { Kysely, Transaction } from "kysely";
import type { Database } from "../schema.ts";

/** Repository functions run on the database or inside a caller's transaction alike. */
export type Db = Kysely<Database> | Transaction<Database>;
