import type { Kysely } from "kysely";
import { runScript } from "../sql-script.ts";

// Polls attached to posts, local and from sibling campuses, and the votes cast in them.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    -- One poll per post. votes_counts holds one tally per option, in the order of options: for
    -- a local poll they count poll_votes; for a sibling's poll they are the totals its campus
    -- last sent (plus the votes cast here since). voters_count is NULL when a sibling's poll
    -- does not say how many people voted.
    CREATE TABLE polls (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      status_id bigint NOT NULL UNIQUE REFERENCES statuses (id) ON DELETE CASCADE,
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      options text[] NOT NULL,
      votes_counts integer[] NOT NULL,
      multiple boolean NOT NULL DEFAULT false,
      hide_totals boolean NOT NULL DEFAULT false,
      votes_count integer NOT NULL DEFAULT 0,
      voters_count integer,
      -- NULL: a sibling's poll that never ends.
      expires_at timestamptz,
      -- Set once the poll's end has been handled (notifications, final results sent), by
      -- whichever process claimed it first; a poll past expires_at without it is still due.
      ended_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX polls_due ON polls (expires_at) WHERE ended_at IS NULL AND expires_at IS NOT NULL;

    -- A status names its poll, so that a page of statuses without polls costs no extra query.
    ALTER TABLE statuses ADD COLUMN poll_id bigint;

    -- One row per chosen option. uri: the id of a sibling's vote (its Create(Note)), which
    -- makes a redelivered vote count once.
    CREATE TABLE poll_votes (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      poll_id bigint NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      choice integer NOT NULL CHECK (choice >= 0),
      uri text UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (poll_id, account_id, choice)
    );
    CREATE INDEX poll_votes_account ON poll_votes (account_id);
  `,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE poll_votes, polls;
    ALTER TABLE statuses DROP COLUMN poll_id;
  `,
  );
}
