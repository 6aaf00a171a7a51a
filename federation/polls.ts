// Polls between campuses, as Mastodon federates them. A local person's vote in a sibling's poll
// goes to the poll's author as one Create(Note) per choice; the poll's campus counts it and
// sends the new results as Update(Question) to everyone who holds the poll (the author's
// followers there, the people mentioned, and those who voted), also once the poll has ended.
import type { Context } from "@fedify/fedify";
import { Create, Update } from "@fedify/vocab";
import { bigintArray } from "../db/sql-helpers.ts";
import type { OutboxIntent } from "../server/services/federation/intents.ts";
import type { FederationDeps } from "./deps.ts";
import { addressing, statusToObject } from "./mapping/note.ts";
import { voteToNote } from "./mapping/poll.ts";
import { loadOutgoingStatus, mergeRecipients, remoteAccountRecipients, remoteFollowerRecipients } from "./outgoing.ts";
import { toInstant } from "./time.ts";

type VotedIntent = Extract<OutboxIntent, { type: "poll.voted" }>;
type UpdatedIntent = Extract<OutboxIntent, { type: "poll.updated" }>;

async function localSender(deps: FederationDeps, accountId: string) {
  const account = await deps.app.db
    .selectFrom("accounts")
    .select(["id", "username", "uri", "domain"])
    .where("id", "=", accountId)
    .executeTakeFirst();
  return account && account.domain === null ? account : null;
}

/** The votes a local person cast in a sibling's poll, each to the poll's author. */
export async function deliverVotes(deps: FederationDeps, ctx: Context<void>, intent: VotedIntent): Promise<void> {
  if (intent.voteIds.length === 0) return;
  const voter = await localSender(deps, intent.accountId);
  if (!voter) return;
  const votes = await deps.app.db
    .selectFrom("poll_votes as v")
    .innerJoin("polls as p", "p.id", "v.poll_id")
    .innerJoin("statuses as s", "s.id", "p.status_id")
    .innerJoin("accounts as author", "author.id", "p.account_id")
    .select(["v.id", "v.choice", "p.options", "s.uri as status_uri", "author.id as author_id", "author.uri as author_uri"])
    .where("v.id", "=", (eb) => eb.fn.any(bigintArray(intent.voteIds)))
    .where("v.account_id", "=", voter.id)
    .where("author.domain", "is not", null)
    .orderBy("v.id")
    .execute();
  if (votes.length === 0) return;
  const recipients = await remoteAccountRecipients(deps, [votes[0]!.author_id]);
  if (recipients.length === 0) return;
  for (const vote of votes) {
    const title = vote.options[vote.choice];
    if (title === undefined) continue;
    const uri = `${voter.uri}#votes/${vote.id}`;
    const note = voteToNote({ uri, voterUri: voter.uri, title, questionUri: vote.status_uri, authorUri: vote.author_uri });
    await ctx.sendActivity(
      { identifier: voter.username },
      recipients,
      new Create({ id: new URL(`${uri}/activity`), actor: new URL(voter.uri), object: note, to: new URL(vote.author_uri) }),
      { preferSharedInbox: true, orderingKey: voter.uri },
    );
  }
}

/** A local poll's current results (final ones once it has ended) to the siblings that hold it. */
export async function deliverPollUpdate(deps: FederationDeps, ctx: Context<void>, intent: UpdatedIntent): Promise<void> {
  const outgoing = await loadOutgoingStatus(deps, intent.statusId);
  if (!outgoing?.poll || !outgoing.status.local || outgoing.status.local_only) return;
  const { status } = outgoing;
  const sender = await localSender(deps, status.account_id);
  if (!sender) return;
  const { db } = deps.app;
  const [mentioned, voters] = await Promise.all([
    db.selectFrom("mentions").select("account_id").where("status_id", "=", status.id).execute(),
    db
      .selectFrom("poll_votes")
      .select("account_id")
      .distinct()
      .where("poll_id", "=", status.poll_id!)
      .execute(),
  ]);
  const audience = [
    ...mentioned.map((row) => row.account_id),
    ...voters.map((row) => row.account_id),
    ...(status.in_reply_to_account_id ? [status.in_reply_to_account_id] : []),
  ];
  const recipients = mergeRecipients(
    status.visibility === "direct" ? [] : await remoteFollowerRecipients(deps, sender.id),
    await remoteAccountRecipients(deps, [...new Set(audience)]),
  );
  if (recipients.length === 0) return;
  const now = new Date();
  const { tos, ccs } = addressing(status.visibility, outgoing.followersUri, outgoing.mentions.map((mention) => mention.uri));
  await ctx.sendActivity(
    { identifier: sender.username },
    recipients,
    new Update({
      // Each count is its own activity: siblings ignore an activity id they have seen.
      id: new URL(`${status.uri}#updates/poll-${now.getTime()}`),
      actor: new URL(sender.uri),
      object: statusToObject(outgoing),
      published: toInstant(now),
      tos,
      ccs,
    }),
    { preferSharedInbox: true, orderingKey: sender.uri },
  );
}
