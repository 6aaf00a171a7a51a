import type { Kysely } from "kysely";
import { runScript } from "../sql-script.ts";

// Reading positions (markers), grouped notifications, followed and featured hashtags, custom
// emojis, campus announcements, and posts scheduled for later.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    -- Where someone stopped reading their home timeline and their notifications. The version
    -- grows with every change, as Mastodon's lock_version does.
    CREATE TABLE markers (
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      timeline text NOT NULL CHECK (timeline IN ('home', 'notifications')),
      last_read_id bigint NOT NULL,
      version integer NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, timeline)
    );

    -- Mastodon's notification groups: favourites and boosts of one post, and follows, that
    -- arrive within the same stretch of hours share a key ("favourite-<status>-<hour>",
    -- "follow-<hour>"). A group lasts while new ones arrive less than 12 hours after the hour
    -- it started in. Other types stay ungrouped (NULL).
    ALTER TABLE notifications ADD COLUMN group_key text;
    CREATE INDEX notifications_group ON notifications (account_id, group_key, id DESC)
      WHERE group_key IS NOT NULL;

    -- Set on insert, whichever service writes the notification.
    CREATE FUNCTION notification_group_key() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      prefix text;
      bucket bigint;
      previous text;
    BEGIN
      IF NEW.group_key IS NOT NULL OR NEW.type NOT IN ('favourite', 'reblog', 'follow', 'admin.sign_up') THEN
        RETURN NEW;
      END IF;
      prefix := CASE WHEN NEW.type IN ('favourite', 'reblog')
        THEN NEW.type || '-' || coalesce(NEW.status_id::text, '0')
        ELSE NEW.type END;
      bucket := floor(extract(epoch FROM NEW.created_at) / 3600)::bigint;
      -- The latest group of this kind that began less than 12 hours before this one's hour.
      SELECT n.group_key INTO previous FROM notifications n
      WHERE n.account_id = NEW.account_id
        AND n.group_key = ANY (ARRAY(SELECT prefix || '-' || b FROM generate_series(bucket - 11, bucket) AS b))
      ORDER BY n.id DESC
      LIMIT 1;
      NEW.group_key := coalesce(previous, prefix || '-' || bucket);
      RETURN NEW;
    END
    $$;
    CREATE TRIGGER notifications_group_key BEFORE INSERT ON notifications
      FOR EACH ROW EXECUTE FUNCTION notification_group_key();

    -- Hashtags people follow: public posts carrying one reach their home timelines.
    CREATE TABLE tag_follows (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      tag_id bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (account_id, tag_id)
    );
    CREATE INDEX tag_follows_tag ON tag_follows (tag_id);

    -- Hashtags shown on a profile.
    CREATE TABLE featured_tags (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      tag_id bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (account_id, tag_id)
    );

    -- The campus's own custom emojis (files in the media store).
    CREATE TABLE custom_emojis (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      shortcode text NOT NULL,
      file_key text NOT NULL,
      -- A still (first-frame PNG) of animated images; the file itself otherwise.
      static_key text NOT NULL,
      content_type text NOT NULL,
      visible_in_picker boolean NOT NULL DEFAULT true,
      category text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX custom_emojis_shortcode ON custom_emojis (lower(shortcode));

    -- Announcements made by the campus admins. What the text mentions (local accounts, local
    -- posts, hashtags) is resolved once, when it is written.
    CREATE TABLE announcements (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      text text NOT NULL,
      content text NOT NULL,
      starts_at timestamptz,
      ends_at timestamptz,
      all_day boolean NOT NULL DEFAULT false,
      mention_ids jsonb NOT NULL DEFAULT '[]',
      status_ids jsonb NOT NULL DEFAULT '[]',
      tag_names jsonb NOT NULL DEFAULT '[]',
      published_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    -- Announcements someone has read (dismissed).
    CREATE TABLE announcement_dismissals (
      announcement_id bigint NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (announcement_id, account_id)
    );

    -- Emoji reactions to announcements: a Unicode emoji or a custom emoji's shortcode.
    CREATE TABLE announcement_reactions (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      announcement_id bigint NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (announcement_id, account_id, name)
    );

    -- Posts to be published later. params holds what the post was written with; a delayed
    -- message in the federation queue publishes it at scheduled_at (and a later one, after the
    -- time is changed, finds the row and publishes it then).
    CREATE TABLE scheduled_statuses (
      id bigint PRIMARY KEY DEFAULT timestamp_id(),
      account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      scheduled_at timestamptz NOT NULL,
      params jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX scheduled_statuses_account ON scheduled_statuses (account_id, id DESC);

    -- Uploads held by a scheduled post: not swept as unattached while it waits.
    ALTER TABLE media_attachments
      ADD COLUMN scheduled_status_id bigint REFERENCES scheduled_statuses (id) ON DELETE SET NULL;
    CREATE INDEX media_attachments_scheduled ON media_attachments (scheduled_status_id)
      WHERE scheduled_status_id IS NOT NULL;
  `,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE media_attachments DROP COLUMN scheduled_status_id;
    DROP TABLE scheduled_statuses, announcement_reactions, announcement_dismissals, announcements,
      custom_emojis, featured_tags, tag_follows, markers;
    DROP TRIGGER notifications_group_key ON notifications;
    DROP FUNCTION notification_group_key;
    DROP INDEX notifications_group;
    ALTER TABLE notifications DROP COLUMN group_key;
  `,
  );
}
