// Campus announcements: written by admins (npm run admin -- announcement create), shown to
// everyone signed in until they end, marked read per person, with emoji reactions.
import type { Selectable } from "kysely";
import { findAccountByHandle, findAccountsByIds } from "../../../db/repositories/accounts.ts";
import type { Db } from "../../../db/repositories/types.ts";
import type { Account, AnnouncementsTable } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { notFound, unprocessable } from "../../errors.ts";
import type { DomainEvents } from "../../events.ts";
import { type ApiAnnouncement, type ApiReaction, announcementToApi } from "../../serializers/announcement.ts";
import { textTags } from "../statuses/create.ts";
import { textToHtml } from "../statuses/html.ts";
import { mentionKey } from "../statuses/mentions.ts";
import { extractMentions, tokenize } from "../statuses/text.ts";

type Announcement = Selectable<AnnouncementsTable>;

/** What writing announcements needs: the admin CLI has no HTTP server, nor always the events. */
export interface AnnouncementContext extends Pick<AppContext, "db" | "urls" | "config"> {
  events?: DomainEvents;
  media?: AppContext["media"];
}

/** Mastodon's limit of different reactions on one announcement. */
export const REACTIONS_LIMIT = 8;
const MAX_TEXT = 10_000;

export class AnnouncementError extends Error {
  override name = "AnnouncementError";
}

export interface NewAnnouncement {
  text: string;
  startsAt?: Date | null;
  endsAt?: Date | null;
  allDay?: boolean;
}

/** Local posts a text links to (by their page URL or their ActivityPub id), public ones only. */
async function linkedStatusIds(context: AnnouncementContext, text: string): Promise<string[]> {
  const origin = context.config.origin;
  const ids: string[] = [];
  for (const token of tokenize(text)) {
    if (token.kind !== "url" || !token.href.startsWith(`${origin}/`)) continue;
    const match = /^\/(?:@[^/]+|users\/[^/]+\/statuses)\/(\d{1,19})$/.exec(token.href.slice(origin.length));
    if (match) ids.push(match[1]!);
  }
  if (ids.length === 0) return [];
  const rows = await context.db
    .selectFrom("statuses")
    .select("id")
    .where("id", "=", (eb) => eb.fn.any(bigintArray(ids)))
    .where("visibility", "in", ["public", "unlisted"])
    .where("reblog_of_id", "is", null)
    .execute();
  const found = new Set(rows.map((row) => row.id));
  return [...new Set(ids)].filter((id) => found.has(id));
}

/** People the text mentions who are known here (announcements never fetch from siblings). */
async function mentionedAccounts(context: AnnouncementContext, text: string): Promise<Map<string, Account>> {
  const found = new Map<string, Account>();
  for (const handle of extractMentions(text)) {
    const domain = handle.domain === context.config.domain ? null : handle.domain;
    const account = await findAccountByHandle(context.db, handle.username, domain);
    if (account && !account.suspended_at) found.set(mentionKey(handle.username, handle.domain), account);
  }
  return found;
}

export async function createAnnouncement(context: AnnouncementContext, input: NewAnnouncement): Promise<Announcement> {
  const text = input.text.trim();
  if (text === "") throw new AnnouncementError("the TEXT of an announcement cannot be blank");
  if (text.length > MAX_TEXT) throw new AnnouncementError(`the TEXT is longer than ${MAX_TEXT} characters`);
  const startsAt = input.startsAt ?? null;
  const endsAt = input.endsAt ?? null;
  if (startsAt && endsAt && endsAt <= startsAt) throw new AnnouncementError("it must end after it starts");
  if (input.allDay && !startsAt && !endsAt) {
    throw new AnnouncementError("an all-day announcement needs --starts-at or --ends-at");
  }
  const mentions = await mentionedAccounts(context, text);
  const content = textToHtml(text, {
    mention: (username, domain) => {
      const account = mentions.get(mentionKey(username, domain));
      return account ? { username: account.username, url: account.url } : null;
    },
    tagUrl: (name) => context.urls.tag(name),
  });
  const announcement = await context.db
    .insertInto("announcements")
    .values({
      text,
      content,
      starts_at: startsAt,
      ends_at: endsAt,
      all_day: input.allDay ?? false,
      mention_ids: JSON.stringify([...new Set([...mentions.values()].map((account) => account.id))]),
      status_ids: JSON.stringify(await linkedStatusIds(context, text)),
      tag_names: JSON.stringify(textTags(text).map((tag) => tag.displayName)),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  context.events?.emit("announcement.published", { announcementId: announcement.id });
  return announcement;
}

export async function deleteAnnouncement(context: AnnouncementContext, id: string): Promise<boolean> {
  const result = await context.db.deleteFrom("announcements").where("id", "=", id).executeTakeFirst();
  const deleted = result.numDeletedRows > 0n;
  if (deleted) context.events?.emit("announcement.deleted", { announcementId: id });
  return deleted;
}

/** Every announcement, ended ones too, newest first (for admins). */
export async function allAnnouncements(db: Db): Promise<Announcement[]> {
  return db.selectFrom("announcements").selectAll().orderBy("id", "desc").execute();
}

// Shown from publication until they end; ordered by when they start (else were published),
// as Mastodon orders them.
function activeAnnouncements(db: Db) {
  return db
    .selectFrom("announcements")
    .selectAll()
    .where("published_at", "<=", new Date())
    .where((eb) => eb.or([eb("ends_at", "is", null), eb("ends_at", ">", new Date())]));
}

async function findActive(db: Db, id: string): Promise<Announcement> {
  const announcement = await activeAnnouncements(db).where("id", "=", id).executeTakeFirst();
  if (!announcement) throw notFound();
  return announcement;
}

/** Announcements → entities, with the viewer's read state and everyone's reactions. */
export async function presentAnnouncements(
  context: Pick<AppContext, "db" | "urls" | "media">,
  viewerId: string,
  announcements: Announcement[],
): Promise<ApiAnnouncement[]> {
  const ids = announcements.map((announcement) => announcement.id);
  if (ids.length === 0) return [];
  const [dismissed, reactions, emojis] = await Promise.all([
    context.db
      .selectFrom("announcement_dismissals")
      .select("announcement_id")
      .where("account_id", "=", viewerId)
      .where("announcement_id", "=", (eb) => eb.fn.any(bigintArray(ids)))
      .execute(),
    context.db
      .selectFrom("announcement_reactions")
      .select(["announcement_id", "name"])
      .select((eb) => [
        eb.fn.countAll<number>().as("count"),
        eb.fn.min("id").as("first_id"),
        eb.fn
          .agg<boolean>("bool_or", [eb("account_id", "=", viewerId)])
          .as("me"),
      ])
      .where("announcement_id", "=", (eb) => eb.fn.any(bigintArray(ids)))
      .groupBy(["announcement_id", "name"])
      .orderBy("first_id")
      .execute(),
    context.db.selectFrom("custom_emojis").select(["shortcode", "file_key", "static_key"]).execute(),
  ]);
  const read = new Set(dismissed.map((row) => row.announcement_id));
  const emojiByName = new Map(emojis.map((emoji) => [emoji.shortcode, emoji]));
  const reactionsOf = new Map<string, ApiReaction[]>();
  for (const row of reactions) {
    const emoji = emojiByName.get(row.name);
    const list = reactionsOf.get(row.announcement_id) ?? [];
    list.push({
      name: row.name,
      count: Number(row.count),
      me: row.me,
      ...(emoji
        ? {
            url: context.urls.media(context.media.publicPath(emoji.file_key)),
            static_url: context.urls.media(context.media.publicPath(emoji.static_key)),
          }
        : {}),
    });
    reactionsOf.set(row.announcement_id, list);
  }
  const accounts = new Map(
    (await findAccountsByIds(context.db, [...new Set(announcements.flatMap((a) => a.mention_ids))])).map((account) => [
      account.id,
      account,
    ]),
  );
  const statusIds = [...new Set(announcements.flatMap((a) => a.status_ids))];
  const statuses = new Map(
    statusIds.length === 0
      ? []
      : (
          await context.db
            .selectFrom("statuses")
            .select(["id", "url"])
            .where("id", "=", (eb) => eb.fn.any(bigintArray(statusIds)))
            .execute()
        ).map((row) => [row.id, row]),
  );
  return announcements.map((announcement) =>
    announcementToApi(
      announcement,
      {
        read: read.has(announcement.id),
        mentions: announcement.mention_ids.flatMap((id) => {
          const account = accounts.get(id);
          return account && !account.suspended_at ? [account] : [];
        }),
        statuses: announcement.status_ids.flatMap((id) => {
          const status = statuses.get(id);
          return status ? [{ id: status.id, url: status.url }] : [];
        }),
        reactions: reactionsOf.get(announcement.id) ?? [],
      },
      context.urls,
    ),
  );
}

export async function listAnnouncements(context: AppContext, viewerId: string): Promise<ApiAnnouncement[]> {
  const rows = await activeAnnouncements(context.db).orderBy("id").execute();
  const startOf = (a: Announcement) => (a.starts_at ?? a.published_at).getTime();
  rows.sort((a, b) => startOf(a) - startOf(b));
  return presentAnnouncements(context, viewerId, rows);
}

/** One announcement as the streams send it to one viewer (null: it is no longer shown). */
export async function renderAnnouncement(
  context: AppContext,
  viewerId: string,
  id: string,
): Promise<ApiAnnouncement | null> {
  const announcement = await activeAnnouncements(context.db).where("id", "=", id).executeTakeFirst();
  if (!announcement) return null;
  return (await presentAnnouncements(context, viewerId, [announcement]))[0] ?? null;
}

export async function dismissAnnouncement(context: AppContext, viewerId: string, id: string): Promise<void> {
  await findActive(context.db, id);
  await context.db
    .insertInto("announcement_dismissals")
    .values({ announcement_id: id, account_id: viewerId })
    .onConflict((conflict) => conflict.columns(["announcement_id", "account_id"]).doNothing())
    .execute();
}

// A single Unicode emoji (with its modifiers and joiners), as Mastodon accepts.
const UNICODE_EMOJI = /^\p{RGI_Emoji}$/v;

/** The reaction name as stored: the emoji itself, or a custom emoji's shortcode as it is spelled here. */
async function reactionName(db: Db, name: string): Promise<string> {
  if (UNICODE_EMOJI.test(name)) return name;
  const shortcode = name.replace(/^:(.*):$/, "$1");
  const emoji = /^[a-zA-Z0-9_]{2,64}$/.test(shortcode)
    ? await db
        .selectFrom("custom_emojis")
        .select("shortcode")
        .where((eb) => eb(eb.fn("lower", ["shortcode"]), "=", shortcode.toLowerCase()))
        .executeTakeFirst()
    : undefined;
  if (!emoji) throw unprocessable("Name is not a recognized emoji");
  return emoji.shortcode;
}

export async function addReaction(context: AppContext, viewerId: string, id: string, input: string): Promise<void> {
  await findActive(context.db, id);
  const name = await reactionName(context.db, input);
  await context.db.transaction().execute(async (trx) => {
    // One writer at a time per announcement, so that the limit of different reactions holds.
    await trx.selectFrom("announcements").select("id").where("id", "=", id).forUpdate().execute();
    const names = await trx
      .selectFrom("announcement_reactions")
      .select("name")
      .distinct()
      .where("announcement_id", "=", id)
      .execute();
    if (!names.some((row) => row.name === name) && names.length >= REACTIONS_LIMIT) {
      throw unprocessable("Limit of different reactions reached");
    }
    await trx
      .insertInto("announcement_reactions")
      .values({ announcement_id: id, account_id: viewerId, name })
      .onConflict((conflict) => conflict.columns(["announcement_id", "account_id", "name"]).doNothing())
      .execute();
  });
}

export async function removeReaction(context: AppContext, viewerId: string, id: string, input: string): Promise<void> {
  await findActive(context.db, id);
  const name = await reactionName(context.db, input);
  await context.db
    .deleteFrom("announcement_reactions")
    .where("announcement_id", "=", id)
    .where("account_id", "=", viewerId)
    .where("name", "=", name)
    .execute();
}
