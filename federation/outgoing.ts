// What outgoing activities need from the database: a local status with its addressing, and the
// inboxes of the siblings' accounts that should receive it.
import type { Recipient } from "@fedify/vocab";
import { bigintArray } from "../db/sql-helpers.ts";
import type { FederationDeps } from "./deps.ts";
import type { OutgoingStatus } from "./mapping/note.ts";
import { loadOutgoingAttachments } from "./outgoing-media.ts";
import { loadOutgoingPoll } from "./outgoing-poll.ts";
import { hostOf } from "./wall.ts";

export async function loadOutgoingStatus(deps: FederationDeps, statusId: string): Promise<OutgoingStatus | null> {
  const { db, urls, config } = deps.app;
  const status = await db.selectFrom("statuses").selectAll().where("id", "=", statusId).executeTakeFirst();
  if (!status) return null;
  const author = await db
    .selectFrom("accounts")
    .select(["username", "uri", "domain"])
    .where("id", "=", status.account_id)
    .executeTakeFirstOrThrow();
  const [mentions, tags, parent] = await Promise.all([
    db
      .selectFrom("mentions as m")
      .innerJoin("accounts as a", "a.id", "m.account_id")
      .select(["a.uri", "a.username", "a.domain", "a.url"])
      .where("m.status_id", "=", status.id)
      .execute(),
    db
      .selectFrom("statuses_tags as st")
      .innerJoin("tags as t", "t.id", "st.tag_id")
      .select("t.name")
      .where("st.status_id", "=", status.id)
      .execute(),
    status.in_reply_to_id
      ? db.selectFrom("statuses").select("uri").where("id", "=", status.in_reply_to_id).executeTakeFirst()
      : Promise.resolve(undefined),
  ]);
  return {
    status,
    authorUri: author.uri,
    followersUri: `${urls.actor(author.username)}/followers`,
    inReplyToUri: parent?.uri ?? null,
    mentions: mentions.map((mention) => ({
      uri: mention.uri,
      url: mention.url,
      acct: `${mention.username}@${mention.domain ?? config.domain}`,
    })),
    tags: tags.map((tag) => ({ name: tag.name, url: urls.tag(tag.name) })),
    poll: status.poll_id ? await loadOutgoingPoll(db, status.poll_id) : null,
    attachments: await loadOutgoingAttachments(db, urls, status.id),
  };
}

interface InboxRow {
  uri: string;
  inbox_url: string | null;
  shared_inbox_url: string | null;
}

/**
 * Remote accounts as Fedify recipients, keeping only those on allowlisted siblings (a sibling
 * removed from the allowlist gets nothing more, and that is counted as a refusal).
 */
function toRecipients(deps: FederationDeps, rows: InboxRow[]): Recipient[] {
  const seen = new Set<string>();
  const recipients: Recipient[] = [];
  for (const row of rows) {
    if (!row.inbox_url || seen.has(row.uri)) continue;
    seen.add(row.uri);
    if (!deps.wall.allowsUrl(row.inbox_url)) {
      deps.wall.refuse(hostOf(row.inbox_url), "outbound", "delivery to a host that is no longer allowlisted");
      continue;
    }
    recipients.push({
      id: new URL(row.uri),
      inboxId: new URL(row.inbox_url),
      endpoints: {
        sharedInbox: row.shared_inbox_url && deps.wall.allowsUrl(row.shared_inbox_url) ? new URL(row.shared_inbox_url) : null,
      },
    });
  }
  return recipients;
}

export async function remoteFollowerRecipients(deps: FederationDeps, accountId: string): Promise<Recipient[]> {
  const rows = await deps.app.db
    .selectFrom("follows as f")
    .innerJoin("accounts as a", "a.id", "f.account_id")
    .select(["a.uri", "a.inbox_url", "a.shared_inbox_url"])
    .where("f.target_account_id", "=", accountId)
    .where("a.domain", "is not", null)
    .execute();
  return toRecipients(deps, rows);
}

export async function remoteAccountRecipients(deps: FederationDeps, accountIds: readonly string[]): Promise<Recipient[]> {
  if (accountIds.length === 0) return [];
  const rows = await deps.app.db
    .selectFrom("accounts")
    .select(["uri", "inbox_url", "shared_inbox_url"])
    .where("id", "=", (eb) => eb.fn.any(bigintArray(accountIds)))
    .where("domain", "is not", null)
    .execute();
  return toRecipients(deps, rows);
}

export function mergeRecipients(...lists: Recipient[][]): Recipient[] {
  const byId = new Map<string, Recipient>();
  for (const recipient of lists.flat()) if (recipient.id) byId.set(recipient.id.href, recipient);
  return [...byId.values()];
}
