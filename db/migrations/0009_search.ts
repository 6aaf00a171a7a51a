import type { Kysely } from "kysely";
import { runScript } from "../sql-script.ts";

// Full-text search: one document (tsvector) per post and per account, kept current by triggers
// whichever code path writes the row (a local post, an edit, a post received from a sibling, a
// media description added later), with a GIN index on each. See docs/search.md.
//
// Each document is the text twice: once through the 'simple' configuration (every word as it
// is, lowercased: works for names, code, acronyms and any language) and once through 'english'
// (stemmed, stop words dropped: "implemented" finds "implementing"). Queries ask both.
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    -- Text of an HTML fragment: tags become spaces and the entities our sanitizer emits are decoded.
    CREATE FUNCTION search_plain_text(html text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT replace(replace(replace(replace(replace(replace(
        regexp_replace(coalesce(html, ''), '<[^>]*>', ' ', 'g'),
        '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&nbsp;', ' '), '&amp;', '&')
    $$;

    CREATE FUNCTION search_document(weighted_a text, weighted_b text, weighted_c text) RETURNS tsvector
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT setweight(to_tsvector('simple', coalesce(weighted_a, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(weighted_b, '')), 'B')
        || setweight(to_tsvector('simple', coalesce(weighted_c, '')), 'C')
        || setweight(to_tsvector('english', coalesce(weighted_a, '')), 'A')
        || setweight(to_tsvector('english', coalesce(weighted_b, '')), 'B')
        || setweight(to_tsvector('english', coalesce(weighted_c, '')), 'C')
    $$;

    -- Posts (not boosts, which have no text of their own): content warning, text, then the
    -- descriptions of the attached media.
    CREATE TABLE status_search (
      status_id bigint PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
      document tsvector NOT NULL
    );
    CREATE INDEX status_search_document ON status_search USING gin (document);

    CREATE FUNCTION refresh_status_search(target bigint) RETURNS void LANGUAGE sql AS $$
      INSERT INTO status_search (status_id, document)
      SELECT s.id, search_document(
        s.spoiler_text,
        search_plain_text(s.content),
        (SELECT string_agg(m.description, ' ' ORDER BY m.position) FROM media_attachments m WHERE m.status_id = s.id)
      )
      FROM statuses s
      WHERE s.id = target AND s.reblog_of_id IS NULL
      ON CONFLICT (status_id) DO UPDATE SET document = EXCLUDED.document
    $$;

    CREATE FUNCTION status_search_on_status() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM refresh_status_search(NEW.id);
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER statuses_search AFTER INSERT OR UPDATE OF content, spoiler_text ON statuses
      FOR EACH ROW EXECUTE FUNCTION status_search_on_status();

    CREATE FUNCTION status_search_on_media() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'INSERT' AND OLD.status_id IS NOT NULL THEN
        PERFORM refresh_status_search(OLD.status_id);
      END IF;
      IF TG_OP <> 'DELETE' AND NEW.status_id IS NOT NULL
        AND (TG_OP = 'INSERT' OR NEW.status_id IS DISTINCT FROM OLD.status_id) THEN
        PERFORM refresh_status_search(NEW.status_id);
      END IF;
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER media_attachments_search AFTER INSERT OR DELETE OR UPDATE OF description, status_id
      ON media_attachments FOR EACH ROW EXECUTE FUNCTION status_search_on_media();

    INSERT INTO status_search (status_id, document)
    SELECT s.id, search_document(
      s.spoiler_text,
      search_plain_text(s.content),
      (SELECT string_agg(m.description, ' ' ORDER BY m.position) FROM media_attachments m WHERE m.status_id = s.id)
    )
    FROM statuses s WHERE s.reblog_of_id IS NULL;

    -- Accounts: username and display name, then the bio and the profile fields (names and values).
    CREATE TABLE account_search (
      account_id bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
      document tsvector NOT NULL
    );
    CREATE INDEX account_search_document ON account_search USING gin (document);

    CREATE FUNCTION account_search_on_account() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO account_search (account_id, document)
      VALUES (NEW.id, search_document(
        NEW.username || ' ' || NEW.display_name,
        search_plain_text(NEW.note),
        (SELECT string_agg(search_plain_text(f ->> 'name') || ' ' || search_plain_text(f ->> 'value'), ' ')
         FROM jsonb_array_elements(NEW.fields) AS f)
      ))
      ON CONFLICT (account_id) DO UPDATE SET document = EXCLUDED.document;
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER accounts_search AFTER INSERT OR UPDATE OF username, display_name, note, fields ON accounts
      FOR EACH ROW EXECUTE FUNCTION account_search_on_account();

    INSERT INTO account_search (account_id, document)
    SELECT a.id, search_document(
      a.username || ' ' || a.display_name,
      search_plain_text(a.note),
      (SELECT string_agg(search_plain_text(f ->> 'name') || ' ' || search_plain_text(f ->> 'value'), ' ')
       FROM jsonb_array_elements(a.fields) AS f)
    )
    FROM accounts a;
    `,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TRIGGER accounts_search ON accounts;
    DROP FUNCTION account_search_on_account();
    DROP TABLE account_search;
    DROP TRIGGER media_attachments_search ON media_attachments;
    DROP FUNCTION status_search_on_media();
    DROP TRIGGER statuses_search ON statuses;
    DROP FUNCTION status_search_on_status();
    DROP FUNCTION refresh_status_search(bigint);
    DROP TABLE status_search;
    DROP FUNCTION search_document(text, text, text);
    DROP FUNCTION search_plain_text(text);
    `,
  );
}
