// Routing help requests to the people most likely to know (see ranking.ts), and resolving them
// through the extension endpoint. The assistant account asks the experts in a direct post that
// mentions them and links the request: every client shows it as a mention notification, and a
// sibling's expert is reached by the mention's ordinary delivery.
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { visibleTo } from "../../../db/repositories/statuses.ts";
import type { Account } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { ApiError, forbidden, notFound, unprocessable } from "../../errors.ts";
import { createLocalUser } from "../accounts/create-user.ts";
import { scheduleIntent } from "../federation/intents.ts";
import { createStatus } from "../statuses/create.ts";
import { rankExperts, significantTerms } from "./ranking.ts";
import { helpTag, SOLVED_TAG } from "./requests.ts";

export const ASSISTANT_USERNAME = "hallway";

/** The campus's assistant: a local bot account, made the first time it is needed. */
export async function ensureAssistant(context: AppContext): Promise<Account> {
  const find = () =>
    context.db
      .selectFrom("accounts")
      .selectAll()
      .where("username", "=", ASSISTANT_USERNAME)
      .where("domain", "is", null)
      .executeTakeFirst();
  const existing = await find();
  if (existing) return existing;
  try {
    const { account } = await createLocalUser(context.db, context.urls, {
      username: ASSISTANT_USERNAME,
      email: `${ASSISTANT_USERNAME}@assistant.invalid`,
      // Nobody signs in as the assistant.
      password: randomBytes(32).toString("base64url"),
      displayName: `${context.config.name} assistant`,
      allowReserved: true,
    });
    await context.db
      .updateTable("accounts")
      .set({
        bot: true,
        discoverable: false,
        note: "<p>I route help requests to colleagues who may know the answer.</p>",
      })
      .where("id", "=", account.id)
      .execute();
  } catch (error) {
    // Another worker made it first.
    if (!(error instanceof ApiError)) throw error;
  }
  const made = await find();
  if (!made) throw new Error("the assistant account could not be created");
  return made;
}

const handleOf = (account: Pick<Account, "username" | "domain">) =>
  account.domain ? `@${account.username}@${account.domain}` : `@${account.username}`;

/**
 * One routing round of a local request: asks the best-ranked people not asked yet, unless the
 * request is solved, not visible to the organization, or (when resurfacing) already answered;
 * then schedules the next round.
 */
export async function routeHelpRequest(context: AppContext, statusId: string): Promise<void> {
  const request = await context.db
    .selectFrom("help_requests as h")
    .innerJoin("statuses as s", "s.id", "h.status_id")
    .innerJoin("accounts as a", "a.id", "s.account_id")
    .select([
      "h.status_id",
      "h.rounds",
      "h.solved_at",
      "s.account_id",
      "s.text",
      "s.spoiler_text",
      "s.url",
      "s.local",
    ])
    .select(["s.visibility", "a.suspended_at", "a.display_name", "a.username"])
    .where("h.status_id", "=", statusId)
    .executeTakeFirst();
  if (!request || request.solved_at || !request.local || request.suspended_at) return;
  if (request.visibility !== "public" && request.visibility !== "unlisted") return;
  const assistant = await ensureAssistant(context);
  if (request.rounds > 0) {
    // Resurfacing is for requests nobody has answered yet.
    const answer = await context.db
      .selectFrom("statuses")
      .select("id")
      .where("in_reply_to_id", "=", statusId)
      .where("account_id", "not in", [request.account_id, assistant.id])
      .executeTakeFirst();
    if (answer) return;
  }
  const asked = await context.db
    .selectFrom("help_routings")
    .select("account_id")
    .where("status_id", "=", statusId)
    .execute();
  const terms = significantTerms(`${request.spoiler_text} ${request.text}`, [helpTag(context)]);
  const experts = await rankExperts(context.db, terms, {
    exclude: [request.account_id, ...asked.map((row) => row.account_id)],
    routableOnly: true,
    limit: context.config.help.notify,
  });
  if (experts.length === 0) return;
  const accounts = await context.db
    .selectFrom("accounts")
    .select(["id", "username", "domain"])
    .where(
      "id",
      "in",
      experts.map((expert) => expert.accountId),
    )
    .execute();
  const byId = new Map(accounts.map((account) => [account.id, account]));
  const handles = experts.map((expert) => handleOf(byId.get(expert.accountId)!)).join(" ");
  // A name is not a mention or a hashtag of its own.
  const asker = (request.display_name || request.username).replace(/[@#]/g, "");
  await createStatus(context, assistant, {
    status: `${handles} ${asker} asked for help and you may know the answer: ${request.url}`,
    visibility: "direct",
    applicationId: null,
    // A retried round finds the post it already made.
    idempotencyKey: `help:${statusId}:${request.rounds}`,
  });
  const next = new Date(Date.now() + context.config.help.resurfaceHours * 3_600_000);
  await context.db.transaction().execute(async (trx) => {
    await trx
      .insertInto("help_routings")
      .values(
        experts.map((expert) => ({
          status_id: statusId,
          account_id: expert.accountId,
          round: request.rounds,
          score: expert.score,
        })),
      )
      .onConflict((conflict) => conflict.columns(["status_id", "account_id"]).doNothing())
      .execute();
    await trx
      .updateTable("help_requests")
      .set({ rounds: request.rounds + 1 })
      .where("status_id", "=", statusId)
      .execute();
    await scheduleIntent(
      trx,
      { type: "help.route", statusId, accountId: request.account_id },
      next,
    );
  });
}

export interface HelpRequestState {
  status_id: string;
  state: "open" | "solved";
  solved_at: string | null;
  solved_by_status_id: string | null;
  answer_status_id: string | null;
  /** The people the request was routed to, in the order they were asked (asker only). */
  routed_account_ids?: string[];
}

/** A request's state, for anyone who may see the post. */
export async function showHelpRequest(
  context: AppContext,
  viewerId: string,
  statusId: string,
): Promise<HelpRequestState> {
  const row = await context.db
    .selectFrom("help_requests as h")
    .innerJoin("statuses as s", "s.id", "h.status_id")
    .selectAll("h")
    .where("h.status_id", "=", statusId)
    .where(visibleTo(viewerId))
    .executeTakeFirst();
  if (!row) throw notFound();
  const state: HelpRequestState = {
    status_id: row.status_id,
    state: row.solved_at ? "solved" : "open",
    solved_at: row.solved_at?.toISOString() ?? null,
    solved_by_status_id: row.solved_by_status_id,
    answer_status_id: row.answer_status_id,
  };
  if (row.account_id === viewerId) {
    const routed = await context.db
      .selectFrom("help_routings")
      .select("account_id")
      .where("status_id", "=", statusId)
      .orderBy("round")
      .orderBy("score", "desc")
      .orderBy("account_id")
      .execute();
    state.routed_account_ids = routed.map((r) => r.account_id);
  }
  return state;
}

/**
 * Marks a request solved the way a stock client does: the asker replies with #solved, to the
 * answer that helped when one is named (it must be someone else's post in the request's
 * thread), else to the request. The reply federates, and siblings apply the same rule.
 */
export async function resolveHelpRequest(
  context: AppContext,
  viewer: Account,
  statusId: string,
  input: { answerStatusId?: string; applicationId: string | null },
): Promise<HelpRequestState> {
  const current = await showHelpRequest(context, viewer.id, statusId);
  const request = await context.db
    .selectFrom("help_requests as h")
    .innerJoin("statuses as s", "s.id", "h.status_id")
    .select(["h.account_id", "s.visibility", "s.local_only"])
    .where("h.status_id", "=", statusId)
    .executeTakeFirstOrThrow();
  if (request.account_id !== viewer.id)
    throw forbidden("Only the asker can resolve a help request");
  if (current.state === "solved") throw unprocessable("This help request is already solved");
  let replyTo = statusId;
  if (input.answerStatusId) {
    const inThread = await sql<{ id: string; account_id: string }>`
      WITH RECURSIVE up (id, parent, depth) AS (
        SELECT s.id, s.in_reply_to_id, 0 FROM statuses s WHERE s.id = ${input.answerStatusId}::bigint
        UNION ALL
        SELECT p.id, p.in_reply_to_id, up.depth + 1 FROM statuses p JOIN up ON p.id = up.parent WHERE up.depth < 100
      )
      SELECT a.id, a.account_id FROM statuses a
      WHERE a.id = ${input.answerStatusId}::bigint AND EXISTS (SELECT 1 FROM up WHERE up.id = ${statusId}::bigint AND up.depth > 0)
    `.execute(context.db);
    const answer = inThread.rows[0];
    if (!answer || String(answer.account_id) === viewer.id) {
      throw unprocessable("answer_status_id must be someone else's reply in the request's thread");
    }
    replyTo = input.answerStatusId;
  }
  await createStatus(context, viewer, {
    status: `#${SOLVED_TAG}`,
    inReplyToId: replyTo,
    // Quietly, where the request was seen: not on public timelines.
    visibility: request.visibility === "public" ? "unlisted" : request.visibility,
    localOnly: request.local_only,
    applicationId: input.applicationId,
  });
  return showHelpRequest(context, viewer.id, statusId);
}
