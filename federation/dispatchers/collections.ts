// Followers, following, outbox and featured collections of local actors, for signed siblings.
import type { RequestContext } from "@fedify/fedify";
import { Create, type Note, type Question, type Recipient } from "@fedify/vocab";
import type { FederationDeps, HallwayFederation } from "../deps.ts";
import { statusToObject } from "../mapping/note.ts";
import { loadOutgoingStatus } from "../outgoing.ts";
import { toInstant } from "../time.ts";
import { findLocalAccount, signedBySibling } from "./actors.ts";

const PAGE_SIZE = 40;

export function registerCollections(federation: HallwayFederation, deps: FederationDeps): void {
  const { db } = deps.app;
  const authorize = async (ctx: RequestContext<void>) => signedBySibling(ctx, deps.wall);

  federation
    .setFollowersDispatcher("/users/{identifier}/followers", async (_ctx, identifier, cursor) => {
      const account = await findLocalAccount(deps, identifier);
      if (!account) return null;
      let query = db
        .selectFrom("follows as f")
        .innerJoin("accounts as a", "a.id", "f.account_id")
        .select(["f.id", "a.uri", "a.inbox_url", "a.shared_inbox_url", "a.domain", "a.username"])
        .where("f.target_account_id", "=", account.id)
        .orderBy("f.id", "desc")
        .limit(PAGE_SIZE + 1);
      if (cursor) query = query.where("f.id", "<", cursor);
      const rows = await query.execute();
      const page = rows.slice(0, PAGE_SIZE);
      const items: Recipient[] = page.map((row) => ({
        id: new URL(row.uri),
        inboxId: row.inbox_url ? new URL(row.inbox_url) : new URL(`${row.uri}/inbox`),
        endpoints: row.shared_inbox_url ? { sharedInbox: new URL(row.shared_inbox_url) } : null,
      }));
      return { items, nextCursor: rows.length > PAGE_SIZE ? page.at(-1)!.id : null };
    })
    .setFirstCursor(async () => "")
    .setCounter(async (_ctx, identifier) => (await findLocalAccount(deps, identifier))?.followers_count ?? 0)
    .authorize(authorize);

  federation
    .setFollowingDispatcher("/users/{identifier}/following", async (_ctx, identifier, cursor) => {
      const account = await findLocalAccount(deps, identifier);
      if (!account) return null;
      let query = db
        .selectFrom("follows as f")
        .innerJoin("accounts as a", "a.id", "f.target_account_id")
        .select(["f.id", "a.uri"])
        .where("f.account_id", "=", account.id)
        .orderBy("f.id", "desc")
        .limit(PAGE_SIZE + 1);
      if (cursor) query = query.where("f.id", "<", cursor);
      const rows = await query.execute();
      const page = rows.slice(0, PAGE_SIZE);
      return { items: page.map((row) => new URL(row.uri)), nextCursor: rows.length > PAGE_SIZE ? page.at(-1)!.id : null };
    })
    .setFirstCursor(async () => "")
    .setCounter(async (_ctx, identifier) => (await findLocalAccount(deps, identifier))?.following_count ?? 0)
    .authorize(authorize);

  // The outbox lists public posts only, as Mastodon's does.
  federation
    .setOutboxDispatcher("/users/{identifier}/outbox", async (_ctx, identifier, cursor) => {
      const account = await findLocalAccount(deps, identifier);
      if (!account) return null;
      let query = db
        .selectFrom("statuses")
        .select("id")
        .where("account_id", "=", account.id)
        .where("visibility", "=", "public")
        .where("local_only", "=", false)
        .where("reblog_of_id", "is", null)
        .orderBy("id", "desc")
        .limit(PAGE_SIZE + 1);
      if (cursor) query = query.where("id", "<", cursor);
      const rows = await query.execute();
      const page = rows.slice(0, PAGE_SIZE);
      const items: Create[] = [];
      for (const row of page) {
        const outgoing = await loadOutgoingStatus(deps, row.id);
        if (!outgoing) continue;
        items.push(
          new Create({
            id: new URL(`${outgoing.status.uri}/activity`),
            actor: new URL(outgoing.authorUri),
            object: statusToObject(outgoing),
            published: toInstant(outgoing.status.created_at),
          }),
        );
      }
      return { items, nextCursor: rows.length > PAGE_SIZE ? page.at(-1)!.id : null };
    })
    .setFirstCursor(async () => "")
    .setCounter(async (_ctx, identifier) => (await findLocalAccount(deps, identifier))?.statuses_count ?? 0)
    .authorize(authorize);

  // Pinned posts, most recently pinned first, embedded as Notes. Only public and unlisted ones:
  // the collection is served to every sibling, and followers-only pins reach followers as Add.
  federation
    .setFeaturedDispatcher("/users/{identifier}/featured", async (_ctx, identifier) => {
      const account = await findLocalAccount(deps, identifier);
      if (!account) return null;
      const pins = await db
        .selectFrom("status_pins as p")
        .innerJoin("statuses as s", "s.id", "p.status_id")
        .select("s.id")
        .where("p.account_id", "=", account.id)
        .where("s.visibility", "in", ["public", "unlisted"])
        .where("s.local_only", "=", false)
        .orderBy("p.id", "desc")
        .limit(PAGE_SIZE)
        .execute();
      const items: (Note | Question)[] = [];
      for (const pin of pins) {
        const outgoing = await loadOutgoingStatus(deps, pin.id);
        if (outgoing) items.push(statusToObject(outgoing));
      }
      return { items };
    })
    .authorize(authorize);
}
