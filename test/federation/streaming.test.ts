// Live streams across campuses and processes: a post, mention and deletion made on a sibling
// campus reach a person's open WebSocket (masto's client and a raw one) and event stream on
// their own campus; and on PostgreSQL, events caused through a second server process of the
// same campus reach clients connected to the first.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRestAPIClient, type mastodon } from "masto";
import t from "tap";
import { type Campus, eventually, startCampuses } from "../helpers/campuses.ts";
import { TEST_DATABASE } from "../helpers/databases.ts";
import { freePort } from "../helpers/instance.ts";
import { startServerProcess } from "../helpers/processes.ts";
import {
  type EventLog,
  mastoStreaming,
  mastoSubscription,
  openEventStream,
  openSocket,
} from "../helpers/streams.ts";

// One secret for every process of a campus, so that a token from one is good on another.
const campuses = await startCampuses(t, {
  campuses: ["A", "B"],
  env: { HALLWAY_SECRET: "streaming-test-secret-streaming-test-secret-0123" },
});
const A = campuses.A as Campus;
const B = campuses.B as Campus;
const [ana, raj] = await Promise.all([A.createUser("ana"), B.createUser("raj")]);

/** The first process of campus A, spoken to directly (the test's front door does not upgrade). */
const wsOf = (url: string) => `${url.replace(/^http/, "ws")}/api/v1/streaming`;

const rajOnA = await eventually(
  async () => {
    const found = await ana.client.v2.search.list({
      q: `@${raj.acct}`,
      resolve: true,
      type: "accounts",
    });
    return found.accounts.find((account) => account.acct === raj.acct);
  },
  { what: "raj resolved on campus A" },
);
await ana.client.v1.accounts.$select(rajOnA.id).follow();
await eventually(
  async () => (await ana.client.v1.accounts.relationships.fetch({ id: [rajOnA.id] }))[0]?.following,
  { what: "ana following raj" },
);

/**
 * Posts as ana until one post reaches every log: from then on the subscriptions are live (masto
 * subscribes over its socket only once it is open, and the protocol has no acknowledgement).
 */
async function probe(logs: EventLog[], client: mastodon.rest.Client = ana.client): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const post = await client.v1.statuses.create({
      status: `probe ${attempt}`,
      visibility: "private",
    });
    try {
      for (const log of logs)
        await log.nextEntity<{ id: string }>("update", (status) => status.id === post.id, 2000);
      return;
    } catch (error) {
      if (attempt === 10) throw error;
    }
  }
}

t.test(
  "a sibling's post, mention and deletion reach WebSocket and event-stream clients",
  async (t) => {
    const streaming = mastoStreaming(A.server.url.replace(/^http/, "ws"), ana.token);
    const masto = mastoSubscription(streaming.user.subscribe());
    const raw = await openSocket(`${wsOf(A.server.url)}?stream=user`, {
      headers: { authorization: `Bearer ${ana.token}` },
    });
    const sse = await openEventStream(`${A.origin}/api/v1/streaming/user`, {
      authorization: `Bearer ${ana.token}`,
    });
    t.teardown(() => {
      streaming.close();
      raw.close();
      sse.close();
    });
    t.equal(sse.status, 200);
    await probe([masto.log, raw.log, sse.log]);

    const post = await raj.client.v1.statuses.create({
      status: `@${ana.acct} the build farm is back`,
    });
    let localId = "";
    for (const [name, log] of [
      ["masto", masto.log],
      ["raw WebSocket", raw.log],
      ["event stream", sse.log],
    ] as const) {
      const update = await log.nextEntity<{ id: string; uri: string; account: { acct: string } }>(
        "update",
        (status) => status.uri === post.uri,
      );
      t.equal(
        update.account.acct,
        raj.acct,
        `${name}: update with raj's post, as campus A shows it`,
      );
      t.not(update.id, post.id, `${name}: under campus A's own id`);
      localId = update.id;
      const notification = await log.nextEntity<{ type: string; status?: { uri: string } }>(
        "notification",
        (n) => n.status?.uri === post.uri,
      );
      t.equal(notification.type, "mention", `${name}: the mention notification`);
    }

    await raj.client.v1.statuses.$select(post.id).remove();
    for (const [name, log] of [
      ["masto", masto.log],
      ["raw WebSocket", raw.log],
      ["event stream", sse.log],
    ] as const) {
      const deleted = await log.next(
        (event) => event.event === "delete" && event.payload === localId,
      );
      t.equal(deleted.payload, localId, `${name}: delete with campus A's id`);
    }

    // The same socket, one more stream: raj's direct message arrives as a conversation.
    raw.send({ type: "subscribe", stream: "direct" });
    const dm = await eventually(
      async () => {
        const sent = await raj.client.v1.statuses.create({
          status: `@${ana.acct} psst`,
          visibility: "direct",
        });
        return raw.log
          .nextEntity<{ last_status: { uri: string } }>(
            "conversation",
            (c) => c.last_status?.uri === sent.uri,
            5000,
          )
          .catch(() => null);
      },
      { what: "raj's direct message as a conversation event", timeoutMs: 30_000 },
    );
    t.ok(dm, "a direct message from the sibling campus arrives on the direct stream");
  },
);

t.test(
  "a second process on the same database delivers events to clients of the first",
  {
    skip:
      TEST_DATABASE === "postgres"
        ? false
        : "PGlite is opened by one process only; processes share events through PostgreSQL's NOTIFY",
  },
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), "hallway-A2-"));
    const second = await startServerProcess(
      { ...A.env, HALLWAY_DATA_DIR: dataDir },
      await freePort(),
    );
    t.teardown(async () => {
      await second.stop("SIGTERM");
      await rm(dataDir, { recursive: true, force: true });
    });
    const anaOnSecond = createRestAPIClient({ url: second.url, accessToken: ana.token });
    const bea = await A.createUser("bea");
    const beaOnSecond = createRestAPIClient({ url: second.url, accessToken: bea.token });

    // Both clients are connected to the first process only.
    const raw = await openSocket(`${wsOf(A.server.url)}?stream=user`, { protocols: [ana.token] });
    const sse = await openEventStream(`${A.server.url}/api/v1/streaming/user`, {
      authorization: `Bearer ${ana.token}`,
    });
    t.teardown(() => {
      raw.close();
      sse.close();
    });
    t.equal(raw.protocol, ana.token, "the token came back as the subprotocol");
    await probe([raw.log, sse.log], anaOnSecond);
    t.pass("ana's own post, made through the second process, reached both");

    const mention = await beaOnSecond.v1.statuses.create({ status: `@ana lunch?` });
    for (const log of [raw.log, sse.log]) {
      const notification = await log.nextEntity<{ type: string; status?: { id: string } }>(
        "notification",
        (n) => n.status?.id === mention.id,
      );
      t.equal(
        notification.type,
        "mention",
        "bea's mention, written by the second process, is streamed by the first",
      );
    }
    await beaOnSecond.v1.statuses.$select(mention.id).remove();
    for (const log of [raw.log, sse.log]) {
      await log.next((event) => event.event === "delete" && event.payload === mention.id);
    }
    t.pass("and so is its deletion");

    // A sibling's post is taken in by whichever process works the queue; it reaches ana anyway.
    const post = await raj.client.v1.statuses.create({ status: "Anyone for the reading group?" });
    for (const log of [raw.log, sse.log]) {
      await log.nextEntity<{ uri: string }>("update", (status) => status.uri === post.uri);
    }
    t.pass("a sibling's post reaches the clients of the first process");
  },
);
