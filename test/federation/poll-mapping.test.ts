// Polls on the wire: what a status with a poll looks like as a Question, what a vote looks like,
// and how a Question in Mastodon's shape reads back into a poll.
import { Note, Question } from "@fedify/vocab";
import t from "tap";
import type { Status } from "../../db/schema.ts";
import { questionToPoll, voteOf } from "../../federation/inbox/polls.ts";
import { contextLoader } from "../../federation/loaders.ts";
import { statusToObject } from "../../federation/mapping/note.ts";
import { voteToNote } from "../../federation/mapping/poll.ts";

const loaders = { documentLoader: contextLoader, contextLoader };
const origin = "https://campus-a.example";

const status = {
  id: "1",
  uri: `${origin}/users/ana/statuses/1`,
  url: `${origin}/@ana/1`,
  account_id: "10",
  local: true,
  text: "Pick one",
  content: "<p>Pick one</p>",
  spoiler_text: "",
  sensitive: false,
  visibility: "public",
  language: "en",
  in_reply_to_id: null,
  in_reply_to_account_id: null,
  reblog_of_id: null,
  application_id: null,
  replies_count: 0,
  reblogs_count: 0,
  favourites_count: 0,
  created_at: new Date("2026-11-02T10:00:00Z"),
  edited_at: null,
  updated_at: new Date("2026-11-02T10:00:00Z"),
  local_only: false,
  fetched_at: null,
  poll_id: "5",
} as unknown as Status;

const outgoing = {
  status,
  authorUri: `${origin}/users/ana`,
  followersUri: `${origin}/users/ana/followers`,
  inReplyToUri: null,
  mentions: [],
  tags: [],
};

t.test("a status with a poll is a Question, with Mastodon's poll properties", async (t) => {
  const object = statusToObject({
    ...outgoing,
    poll: {
      options: [
        { title: "tea", votesCount: 3 },
        { title: "coffee", votesCount: 5 },
      ],
      multiple: false,
      expiresAt: new Date("2026-11-03T10:00:00Z"),
      closed: true,
      votersCount: 8,
    },
  });
  t.ok(object instanceof Question);
  const json = (await object.toJsonLd(loaders)) as Record<string, unknown>;
  t.equal(json.type, "Question");
  t.same(json.contentMap, { en: "<p>Pick one</p>" }, "the post's own properties are all there");
  t.equal(json.attributedTo, `${origin}/users/ana`);
  t.same(json.oneOf, [
    { type: "Note", name: "tea", replies: { type: "Collection", totalItems: 3 } },
    { type: "Note", name: "coffee", replies: { type: "Collection", totalItems: 5 } },
  ]);
  t.equal(json.anyOf, undefined);
  t.equal(json.endTime, "2026-11-03T10:00:00Z");
  t.equal(json.closed, "2026-11-03T10:00:00Z");
  t.equal(json.votersCount, 8);

  const hidden = statusToObject({
    ...outgoing,
    poll: {
      options: [
        { title: "a", votesCount: null },
        { title: "b", votesCount: null },
      ],
      multiple: true,
      expiresAt: new Date("2026-11-03T10:00:00Z"),
      closed: false,
      votersCount: 1,
    },
  });
  const hiddenJson = (await hidden.toJsonLd(loaders)) as Record<string, unknown>;
  t.same(
    (hiddenJson.anyOf as { replies: unknown }[]).map((option) => option.replies),
    [{ type: "Collection" }, { type: "Collection" }],
    "hidden totals are left out; several choices are anyOf",
  );
  t.equal(hiddenJson.closed, undefined, "a running poll is not closed");

  t.ok(statusToObject(outgoing) instanceof Note, "a status without a poll stays a Note");
});

t.test("a vote is a Note naming the option, in reply to the Question, to its author alone", async (t) => {
  const note = voteToNote({
    uri: "https://campus-b.example/users/raj#votes/7",
    voterUri: "https://campus-b.example/users/raj",
    title: "coffee",
    questionUri: status.uri,
    authorUri: `${origin}/users/ana`,
  });
  const json = (await note.toJsonLd(loaders)) as Record<string, unknown>;
  t.same(
    { type: json.type, id: json.id, name: json.name, attributedTo: json.attributedTo, inReplyTo: json.inReplyTo, to: json.to },
    {
      type: "Note",
      id: "https://campus-b.example/users/raj#votes/7",
      name: "coffee",
      attributedTo: "https://campus-b.example/users/raj",
      inReplyTo: status.uri,
      to: `${origin}/users/ana`,
    },
  );
  t.same(voteOf(note), { uri: "https://campus-b.example/users/raj#votes/7", statusUri: status.uri, title: "coffee" });
  const forged = new Note({
    id: new URL("https://campus-c.example/votes/1"),
    name: "coffee",
    attribution: new URL("https://campus-b.example/users/raj"),
    replyTarget: new URL(status.uri),
  });
  t.equal(voteOf(forged), null, "a vote whose id is not on its author's campus is no vote");
  t.equal(voteOf(new Note({ id: new URL(`${origin}/n/1`), content: "hi" })), null, "an ordinary Note is no vote");
});

t.test("a Question as Mastodon sends it reads back into a poll", async (t) => {
  const document = {
    "@context": [
      "https://www.w3.org/ns/activitystreams",
      { ostatus: "http://ostatus.org#", atomUri: "ostatus:atomUri", toot: "http://joinmastodon.org/ns#", votersCount: "toot:votersCount" },
    ],
    id: "https://campus-c.example/users/kai/statuses/42",
    type: "Question",
    attributedTo: "https://campus-c.example/users/kai",
    content: "<p>Best editor?</p>",
    published: "2026-11-01T09:00:00Z",
    to: ["https://www.w3.org/ns/activitystreams#Public"],
    cc: ["https://campus-c.example/users/kai/followers"],
    endTime: "2026-11-02T09:00:00Z",
    closed: "2026-11-02T09:00:00Z",
    votersCount: 7,
    anyOf: [
      { type: "Note", name: "vim", replies: { type: "Collection", totalItems: 4 } },
      { type: "Note", name: "emacs", replies: { type: "Collection", totalItems: 5 } },
      { type: "Note", name: "nano", replies: { type: "Collection", totalItems: 0 } },
    ],
  };
  const question = await Question.fromJsonLd(document, loaders);
  const poll = await questionToPoll(question, loaders);
  t.same(poll, {
    options: ["vim", "emacs", "nano"],
    votesCounts: [4, 5, 0],
    multiple: true,
    expiresAt: new Date("2026-11-02T09:00:00Z"),
    votersCount: 7,
  });

  const closedEarly = await Question.fromJsonLd(
    {
      ...document,
      anyOf: undefined,
      oneOf: [{ type: "Note", name: "yes" }, { type: "Note", name: "no" }],
      closed: "2026-11-01T12:00:00Z",
      votersCount: undefined,
    },
    loaders,
  );
  t.same(await questionToPoll(closedEarly, loaders), {
    options: ["yes", "no"],
    votesCounts: [null, null],
    multiple: false,
    expiresAt: new Date("2026-11-01T12:00:00Z"),
    votersCount: null,
  }, "a poll closed before its end time ended then; missing totals are unknown");
});
