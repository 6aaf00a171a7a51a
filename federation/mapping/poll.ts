// Polls as Mastodon federates them. Pure: the callers load what is needed.
// - A poll travels as a Question: its options are Notes under oneOf (single choice) or anyOf
//   (multiple), each counting its votes in replies.totalItems, with endTime, closed once it has
//   ended, and votersCount.
// - A vote is a Note of the voter's, whose name is the chosen option's title, in reply to the
//   Question and addressed to its author alone; one Note per option chosen.
import { Collection, Note } from "@fedify/vocab";
import { toInstant } from "../time.ts";

export interface OutgoingPoll {
  /** votesCount is null while the author hides the results. */
  options: { title: string; votesCount: number | null }[];
  multiple: boolean;
  expiresAt: Date | null;
  closed: boolean;
  votersCount: number | null;
}

/** The Question-only properties of a status with a poll. */
export function questionValues(poll: OutgoingPoll) {
  const options = poll.options.map(
    (option) =>
      new Note({
        name: option.title,
        replies: new Collection(option.votesCount === null ? {} : { totalItems: option.votesCount }),
      }),
  );
  return {
    ...(poll.multiple ? { inclusiveOptions: options } : { exclusiveOptions: options }),
    endTime: poll.expiresAt ? toInstant(poll.expiresAt) : null,
    closed: poll.closed && poll.expiresAt ? toInstant(poll.expiresAt) : null,
    voters: poll.votersCount,
  };
}

export interface OutgoingVote {
  /** The vote's own id: under the voter's actor, as Mastodon names votes (`#votes/ID`). */
  uri: string;
  voterUri: string;
  title: string;
  questionUri: string;
  authorUri: string;
}

export function voteToNote(vote: OutgoingVote): Note {
  return new Note({
    id: new URL(vote.uri),
    name: vote.title,
    attribution: new URL(vote.voterUri),
    replyTarget: new URL(vote.questionUri),
    to: new URL(vote.authorUri),
  });
}
