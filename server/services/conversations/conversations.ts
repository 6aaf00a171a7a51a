// Direct conversations: each local person's threads of direct posts, as Mastodon's
// /api/v1/conversations lists them.
import { sql, type Transaction } from "kysely";
import { findAccountsByIds } from "../../../db/repositories/accounts.ts";
import type { Database } from "../../../db/schema.ts";
import { bigintArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { notFound } from "../../errors.ts";
import { accountToApi, type ApiAccount } from "../../serializers/account.ts";
import { type ApiConversation, conversationToApi } from "../../serializers/conversation.ts";
import { type Cursors, type PageParams, pageCursors, pageWindow } from "../pagination.ts";
import { presentStatuses } from "../statuses/present.ts";

const byId = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/** A conversation touched by a new direct post, for whoever announces it after commit. */
export interface TouchedConversation {
  conversationId: string;
  accountId: string;
}

/**
 * Files a direct post (already stored with its mentions) into the conversations of the local
 * people in it: its author when local, and the local people it mentions. A reply joins the
 * owner's conversation that holds the post it answers, when the people are the same; otherwise
 * a new conversation starts, as Mastodon groups by thread and participants. It is unread for
 * everyone but its author. Someone who blocks or mutes the author gets no conversation.
 */
export async function addToConversations(trx: Transaction<Database>, statusId: string): Promise<TouchedConversation[]> {
  const status = await trx
    .selectFrom("statuses")
    .select(["id", "account_id", "in_reply_to_id", "visibility"])
    .where("id", "=", statusId)
    .executeTakeFirst();
  if (status?.visibility !== "direct") return [];
  const mentioned = await trx.selectFrom("mentions").select("account_id").where("status_id", "=", statusId).execute();
  const everyone = [...new Set([status.account_id, ...mentioned.map((row) => row.account_id)])].sort(byId);
  const owners = await sql<{ id: string }>`
    SELECT a.id FROM accounts a
    WHERE a.id = ANY(${bigintArray(everyone)}) AND a.domain IS NULL
      AND (a.id = ${status.account_id}::bigint OR NOT EXISTS (
        SELECT 1 FROM blocks b
        WHERE (b.account_id = a.id AND b.target_account_id = ${status.account_id}::bigint)
          OR (b.account_id = ${status.account_id}::bigint AND b.target_account_id = a.id)
      ) AND NOT EXISTS (
        SELECT 1 FROM mutes m
        WHERE m.account_id = a.id AND m.target_account_id = ${status.account_id}::bigint
          AND (m.expires_at IS NULL OR m.expires_at > now())
      ))
  `.execute(trx);
  const touched: TouchedConversation[] = [];
  for (const { id } of owners.rows) {
    const ownerId = String(id);
    const participants = JSON.stringify(everyone.filter((other) => other !== ownerId));
    const unread = ownerId !== status.account_id;
    const thread = status.in_reply_to_id
      ? await trx
          .selectFrom("conversations as c")
          .innerJoin("conversation_statuses as cs", "cs.conversation_id", "c.id")
          .select("c.id")
          .where("c.account_id", "=", ownerId)
          .where("cs.status_id", "=", status.in_reply_to_id)
          .where(sql<boolean>`c.participant_ids = ${participants}::jsonb`)
          .orderBy("c.id", "desc")
          .executeTakeFirst()
      : undefined;
    let conversationId: string;
    if (thread) {
      conversationId = thread.id;
      await trx.updateTable("conversations").set({ unread }).where("id", "=", conversationId).execute();
    } else {
      const created = await trx
        .insertInto("conversations")
        .values({ account_id: ownerId, participant_ids: participants, unread })
        .returning("id")
        .executeTakeFirstOrThrow();
      conversationId = created.id;
    }
    await trx
      .insertInto("conversation_statuses")
      .values({ conversation_id: conversationId, status_id: status.id })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
    touched.push({ conversationId, accountId: ownerId });
  }
  return touched;
}

interface ConversationRow {
  id: string;
  unread: boolean;
  participant_ids: string[];
  last_status_id: string;
}

/**
 * The viewer's conversations with their latest post's id, which is also what they are ordered
 * and paged by (as Mastodon pages conversations by their last status). A conversation whose
 * posts are all gone has none and is not listed.
 */
function conversationRows(context: AppContext, viewerId: string) {
  return context.db
    .selectFrom((db) =>
      db
        .selectFrom("conversations as c0")
        .select(["c0.id", "c0.unread", "c0.participant_ids"])
        .select((eb) =>
          eb
            .selectFrom("conversation_statuses as cs")
            .select(sql<string>`max(cs.status_id)`.as("m"))
            .whereRef("cs.conversation_id", "=", "c0.id")
            .as("last_status_id"),
        )
        .where("c0.account_id", "=", viewerId)
        .as("c"),
    )
    .selectAll("c")
    .where("c.last_status_id", "is not", null);
}

async function present(context: AppContext, viewerId: string, rows: readonly ConversationRow[]): Promise<ApiConversation[]> {
  const accountIds = new Set<string>([viewerId]);
  for (const row of rows) for (const id of row.participant_ids) accountIds.add(id);
  const accounts = new Map<string, ApiAccount>();
  for (const account of await findAccountsByIds(context.db, [...accountIds])) {
    if (!account.suspended_at || account.id === viewerId) accounts.set(account.id, accountToApi(account, context.urls));
  }
  const statuses = new Map(
    (await presentStatuses(context, rows.map((row) => String(row.last_status_id)), viewerId)).map((status) => [status.id, status]),
  );
  return rows.map((row) =>
    conversationToApi(
      row,
      row.participant_ids.map((id) => accounts.get(id)).filter((account): account is ApiAccount => account !== undefined),
      accounts.get(viewerId),
      statuses.get(String(row.last_status_id)) ?? null,
    ),
  );
}

export async function listConversations(
  context: AppContext,
  viewerId: string,
  page: PageParams,
  limit: number,
): Promise<{ conversations: ApiConversation[]; cursors: Cursors }> {
  const { query, finish } = pageWindow(conversationRows(context, viewerId), "c.last_status_id", page, limit);
  const rows = finish((await query.execute()) as ConversationRow[]);
  return {
    conversations: await present(context, viewerId, rows),
    cursors: pageCursors(
      rows.map((row) => ({ last_status_id: String(row.last_status_id) })),
      "last_status_id",
    ),
  };
}

/** One of the viewer's conversations as an entity, or null (not theirs, or no post left in it). */
export async function renderConversation(
  context: AppContext,
  viewerId: string,
  conversationId: string,
): Promise<ApiConversation | null> {
  const row = await conversationRows(context, viewerId).where("c.id", "=", conversationId).executeTakeFirst();
  if (!row) return null;
  const [conversation] = await present(context, viewerId, [row as ConversationRow]);
  return conversation ?? null;
}

/**
 * Announces the conversations a new direct post went into (live `conversation` events); call
 * once the post's transaction has committed.
 */
export async function publishConversations(context: AppContext, statusId: string): Promise<void> {
  const rows = await context.db
    .selectFrom("conversation_statuses as cs")
    .innerJoin("conversations as c", "c.id", "cs.conversation_id")
    .select(["c.id", "c.account_id"])
    .where("cs.status_id", "=", statusId)
    .execute();
  for (const row of rows) {
    context.events.emit("conversation.updated", { accountId: row.account_id, conversationId: row.id });
  }
}

/** Marks one of the viewer's conversations read and answers with it. */
export async function markConversationRead(
  context: AppContext,
  viewerId: string,
  conversationId: string,
): Promise<ApiConversation> {
  const updated = await context.db
    .updateTable("conversations")
    .set({ unread: false })
    .where("id", "=", conversationId)
    .where("account_id", "=", viewerId)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) throw notFound();
  context.events.emit("conversation.updated", { accountId: viewerId, conversationId });
  const conversation = await renderConversation(context, viewerId, conversationId);
  if (!conversation) throw notFound();
  return conversation;
}

/** Removes a conversation from the viewer's list; the posts stay. A later reply starts a new one. */
export async function deleteConversation(context: AppContext, viewerId: string, conversationId: string): Promise<void> {
  const result = await context.db
    .deleteFrom("conversations")
    .where("id", "=", conversationId)
    .where("account_id", "=", viewerId)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound();
}
