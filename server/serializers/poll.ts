// A poll as Mastodon's Poll entity. Pure: the viewer's choices arrive with the row.
import type { Poll } from "../../db/repositories/polls.ts";

/** A poll as one viewer sees it. */
export interface PollView {
  poll: Poll;
  /** The options the viewer chose. */
  ownVotes: number[];
  /** Whether the viewer wrote the poll (Mastodon counts its author as having voted). */
  own: boolean;
}

export interface ApiPoll {
  id: string;
  expires_at: string | null;
  expired: boolean;
  multiple: boolean;
  votes_count: number;
  voters_count: number | null;
  options: { title: string; votes_count: number | null }[];
  emojis: never[];
  voted: boolean;
  own_votes: number[];
}

export function pollExpired(poll: Pick<Poll, "expires_at">, now = new Date()): boolean {
  return poll.expires_at !== null && poll.expires_at.getTime() <= now.getTime();
}

/**
 * Whether the tallies of each option may be shown: always, unless the author hid them, and then
 * once the poll has ended, for everyone alike (the author included, as in Mastodon).
 */
export function pollTotalsShown(poll: Pick<Poll, "expires_at" | "hide_totals">, now = new Date()): boolean {
  return !poll.hide_totals || pollExpired(poll, now);
}

export function pollToApi(view: PollView, now = new Date()): ApiPoll {
  const { poll } = view;
  const shown = pollTotalsShown(poll, now);
  return {
    id: poll.id,
    expires_at: poll.expires_at ? poll.expires_at.toISOString() : null,
    expired: pollExpired(poll, now),
    multiple: poll.multiple,
    votes_count: poll.votes_count,
    voters_count: poll.voters_count,
    options: poll.options.map((title, index) => ({
      title,
      votes_count: shown ? (poll.votes_counts[index] ?? 0) : null,
    })),
    emojis: [],
    voted: view.own || view.ownVotes.length > 0,
    own_votes: view.ownVotes,
  };
}
