import type { AppContext } from "../../context.ts";
import { notFound } from "../../errors.ts";
import { type ApiPoll, pollToApi } from "../../serializers/poll.ts";
import { findVisibleStatusRow } from "../statuses/read.ts";
import { loadPollViews } from "./views.ts";

/** A poll as the viewer sees it, without checking that they may (callers have). */
export async function presentPoll(context: AppContext, pollId: string, viewerId: string): Promise<ApiPoll> {
  const view = (await loadPollViews(context.db, [{ poll_id: pollId }], viewerId)).get(pollId);
  if (!view) throw notFound();
  return pollToApi(view);
}

/** GET /api/v1/polls/:id: only a poll whose post the viewer may see; anything else is 404. */
export async function showPoll(context: AppContext, pollId: string, viewerId: string): Promise<ApiPoll> {
  const poll = await context.db.selectFrom("polls").select(["id", "status_id"]).where("id", "=", pollId).executeTakeFirst();
  if (!poll) throw notFound();
  await findVisibleStatusRow(context, poll.status_id, viewerId);
  return presentPoll(context, poll.id, viewerId);
}
