import type { Kysely } from "kysely";
import { runScript } from "../sql-script.ts";

// Help requests (posts that ask the organization for help), who was asked to answer them, and
// the per-user "Open asks" list that shows the open ones.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    -- One row per post recognized as a request, local or received from a sibling. solved_at is
    -- set when the asker marks it solved; answer_status_id names the reply that helped, if any.
    CREATE TABLE help_requests (
      status_id bigint PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      solved_at timestamptz,
      solved_by_status_id bigint REFERENCES statuses (id) ON DELETE SET NULL,
      answer_status_id bigint REFERENCES statuses (id) ON DELETE SET NULL,
      -- How many routing rounds have run (the first at posting, then one per resurfacing).
      rounds integer NOT NULL DEFAULT 0
    );
    CREATE INDEX help_requests_open ON help_requests (status_id DESC) WHERE solved_at IS NULL;
    CREATE INDEX help_requests_answer ON help_requests (answer_status_id) WHERE answer_status_id IS NOT NULL;

    -- The people a request was routed to, so that a resurfacing asks others.
    CREATE TABLE help_routings (
      status_id bigint NOT NULL REFERENCES help_requests (status_id) ON DELETE CASCADE,
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      round integer NOT NULL,
      score double precision NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (status_id, account_id)
    );

    -- Lists the server keeps itself ('open_asks'); NULL for the ones people make. Each account
    -- has at most one of each kind.
    ALTER TABLE lists ADD COLUMN kind text CHECK (kind IN ('open_asks'));
    CREATE UNIQUE INDEX lists_kind ON lists (account_id, kind) WHERE kind IS NOT NULL;
    `,
  );
}
