import type { Kysely } from "kysely";
import { runScript } from "../sql-script.ts";

// Media attachments: uploads of local people and the attachments of siblings' posts, and the
// attachments each earlier version of an edited post had.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE media_attachments (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      -- A deleted post leaves its media unattached, so that delete-and-redraft can post them
      -- again (as in Mastodon); unattached media are swept after a day.
      status_id bigint REFERENCES statuses (id) ON DELETE SET NULL,
      -- Order among the post's current attachments; NULL once an edit took it off the post
      -- (the post's history still shows it).
      position smallint,
      type text NOT NULL CHECK (type IN ('image', 'gifv', 'video', 'audio', 'unknown')),
      -- Keys in the media store: the file as served, and its preview (a thumbnail of an image,
      -- or the picture given for a video or audio file). NULL while a sibling's file is not cached.
      file_key text,
      file_content_type text,
      file_size bigint,
      preview_key text,
      -- A sibling's attachment: where the original and its preview live on that campus.
      remote_url text,
      preview_remote_url text,
      description text,
      -- original and small sizes, as Mastodon's meta reports them.
      meta jsonb NOT NULL DEFAULT '{}',
      focus_x double precision NOT NULL DEFAULT 0,
      focus_y double precision NOT NULL DEFAULT 0,
      blurhash text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX media_attachments_status ON media_attachments (status_id, position) WHERE status_id IS NOT NULL;
    CREATE INDEX media_attachments_unattached ON media_attachments (created_at) WHERE status_id IS NULL;
    CREATE INDEX media_attachments_account ON media_attachments (account_id, id);

    -- The attachments of an earlier version, in order, with the descriptions they had then:
    -- [{"id": "…", "description": "…"}].
    ALTER TABLE status_edits ADD COLUMN media jsonb NOT NULL DEFAULT '[]';
    `,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE status_edits DROP COLUMN media;
    DROP TABLE media_attachments;
    `,
  );
}
