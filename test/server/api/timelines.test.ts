import { randomUUID } from "node:crypto";
import t from "tap";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t);
const { app, context } = instance;
const ana = await createTestUser(instance, "ana");
const bruno = await createTestUser(instance, "bruno");
const chen = await createTestUser(instance, "chen");

async function post(user: TestUser, status: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await app.inject({
    method: "POST",
    url: "/api/v1/statuses",
    headers: user.auth,
    payload: { status, ...extra },
  });
  if (response.statusCode !== 200) throw new Error(`post failed: ${response.body}`);
  return response.json().id;
}

async function relate(user: TestUser, target: TestUser, action: "follow" | "unfollow") {
  const response = await app.inject({
    method: "POST",
    url: `/api/v1/accounts/${target.account.id}/${action}`,
    headers: user.auth,
  });
  if (response.statusCode !== 200) throw new Error(`${action} failed: ${response.body}`);
}

async function timeline(user: TestUser, url: string): Promise<string[]> {
  const response = await app.inject({ url, headers: user.auth });
  if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
  return response.json().map((status: { id: string }) => status.id);
}

function linkOf(response: { headers: Record<string, unknown> }, rel: "next" | "prev"): string | null {
  const match = new RegExp(`<([^>]+)>;\\s*rel="${rel}"`).exec(String(response.headers.link ?? ""));
  if (!match) return null;
  const url = new URL(match[1]!);
  return url.pathname + url.search;
}

/** A post by an account of a sibling campus, as federation will store it. */
async function remotePost(text: string, tags: string[] = []): Promise<string> {
  const remote = await context.db
    .insertInto("accounts")
    .values({
      username: "raj",
      domain: "campus-b.example",
      uri: "https://campus-b.example/users/raj",
      url: "https://campus-b.example/@raj",
    })
    .onConflict((conflict) => conflict.column("uri").doUpdateSet({ username: "raj" }))
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id } = await context.db
    .insertInto("statuses")
    .values({
      uri: `https://campus-b.example/users/raj/statuses/${randomUUID()}`,
      url: "https://campus-b.example/@raj/1",
      account_id: remote.id,
      local: false,
      text,
      content: `<p>${text}</p>`,
      visibility: "public",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  for (const name of tags) {
    const tag = await context.db
      .insertInto("tags")
      .values({ name, display_name: name })
      .onConflict((conflict) => conflict.column("name").doUpdateSet({ display_name: name }))
      .returning("id")
      .executeTakeFirstOrThrow();
    await context.db.insertInto("statuses_tags").values({ tag_id: tag.id, status_id: id }).execute();
  }
  return id;
}

t.test("home holds the viewer's own posts and those of the accounts they follow", async (t) => {
  const dana = await createTestUser(instance, "dana");
  const erin = await createTestUser(instance, "erin");
  const before = await post(erin, "erin, before dana follows");
  const beforePrivate = await post(erin, "erin, followers only, before", { visibility: "private" });
  const beforeDirect = await post(erin, "@chen erin's note to chen", { visibility: "direct" });
  const stranger = await post(chen, "chen, whom dana does not follow");
  const own = await post(dana, "dana's own");
  t.same(await timeline(dana, "/api/v1/timelines/home"), [own], "only dana's own post so far");

  await relate(dana, erin, "follow");
  t.same(
    await timeline(dana, "/api/v1/timelines/home"),
    [own, beforePrivate, before],
    "following backfills erin's public and followers-only posts, not her direct ones",
  );

  const after = await post(erin, "erin, after", { visibility: "unlisted" });
  const afterPrivate = await post(erin, "erin, followers only, after", { visibility: "private" });
  const directToDana = await post(erin, "@dana for your eyes", { visibility: "direct" });
  const directToOthers = await post(erin, "@chen not for dana", { visibility: "direct" });
  const home = await timeline(dana, "/api/v1/timelines/home");
  t.same(home, [directToDana, afterPrivate, after, own, beforePrivate, before], "fan-out on write");
  t.notOk(home.includes(stranger));
  t.notOk(home.includes(directToOthers));
  t.notOk(home.includes(beforeDirect));
  t.ok((await timeline(erin, "/api/v1/timelines/home")).includes(directToOthers), "the author has her own");

  await relate(dana, erin, "unfollow");
  t.same(await timeline(dana, "/api/v1/timelines/home"), [own], "unfollowing takes erin's posts out");
  await post(erin, "erin, after the unfollow");
  t.same(await timeline(dana, "/api/v1/timelines/home"), [own]);
});

t.test("a follow request to a locked account fills home only once authorized", async (t) => {
  const fay = await createTestUser(instance, "fay");
  const gus = await createTestUser(instance, "gus");
  await app.inject({
    method: "PATCH",
    url: "/api/v1/accounts/update_credentials",
    headers: gus.auth,
    payload: { locked: true },
  });
  const secret = await post(gus, "gus, followers only", { visibility: "private" });
  await relate(fay, gus, "follow");
  t.same(await timeline(fay, "/api/v1/timelines/home"), []);
  const authorized = await app.inject({
    method: "POST",
    url: `/api/v1/follow_requests/${fay.account.id}/authorize`,
    headers: gus.auth,
  });
  t.equal(authorized.statusCode, 200);
  t.same(await timeline(fay, "/api/v1/timelines/home"), [secret]);
});

t.test("the public timeline: original public posts, local or remote", async (t) => {
  const fresh = await createTestUser(instance, "hal");
  const local = await post(fresh, "public and local");
  await post(fresh, "unlisted", { visibility: "unlisted" });
  await post(fresh, "private", { visibility: "private" });
  await post(fresh, "@ana direct", { visibility: "direct" });
  const remote = await remotePost("from campus b");

  const all = await timeline(chen, "/api/v1/timelines/public?limit=2");
  t.same(all, [remote, local]);
  t.same((await timeline(chen, "/api/v1/timelines/public?local=true&limit=1")), [local]);
  t.same((await timeline(chen, "/api/v1/timelines/public?remote=true")), [remote]);
  const response = await app.inject({ url: "/api/v1/timelines/public?limit=1", headers: chen.auth });
  const status = response.json()[0];
  t.equal(status.account.acct, "raj@campus-b.example");
  t.equal(status.content, "<p>from campus b</p>");
  t.same(await timeline(chen, "/api/v1/timelines/public?only_media=true"), []);
});

t.test("tag timelines with any[], all[] and none[]", async (t) => {
  const a = await post(ana, "#Coffee only");
  const b = await post(ana, "#coffee and #tea");
  const c = await post(ana, "#tea only");
  const d = await post(ana, "#coffee #tea #decaf");
  await post(ana, "#coffee but unlisted", { visibility: "unlisted" });
  await post(ana, "no tags at all");
  const remote = await remotePost("remote #coffee", ["coffee"]);

  t.same(await timeline(bruno, "/api/v1/timelines/tag/coffee"), [remote, d, b, a]);
  t.same(await timeline(bruno, "/api/v1/timelines/tag/COFFEE?local=true"), [d, b, a], "case-insensitive");
  t.same(await timeline(bruno, "/api/v1/timelines/tag/coffee?remote=1"), [remote]);
  t.same(await timeline(bruno, "/api/v1/timelines/tag/coffee?any[]=tea&local=true"), [d, c, b, a]);
  t.same(await timeline(bruno, "/api/v1/timelines/tag/coffee?all[]=tea"), [d, b]);
  t.same(await timeline(bruno, "/api/v1/timelines/tag/coffee?all[]=tea&none[]=decaf"), [b]);
  t.same(await timeline(bruno, "/api/v1/timelines/tag/coffee?none[]=tea&none[]=nothing"), [remote, a]);
  t.same(await timeline(bruno, "/api/v1/timelines/tag/tea?any[]=coffee&none[]=decaf&local=true"), [c, b, a]);
  t.same(await timeline(bruno, "/api/v1/timelines/tag/nobody-uses-this"), []);

  // The Link header keeps the tag filters.
  const response = await app.inject({ url: "/api/v1/timelines/tag/coffee?all[]=tea&limit=1", headers: bruno.auth });
  const next = linkOf(response, "next")!;
  t.match(next, /^\/api\/v1\/timelines\/tag\/coffee\?/);
  t.same(
    (await app.inject({ url: next, headers: bruno.auth })).json().map((s: { id: string }) => s.id),
    [b],
  );
});

t.test("Mastodon's paging: max_id, since_id, min_id, limit and Link headers", async (t) => {
  const pager = await createTestUser(instance, "pager");
  const posted: string[] = [];
  for (let n = 0; n < 45; n++) posted.push(await post(pager, `post ${n}`));
  const desc = [...posted].reverse();
  const home = (query: string) => timeline(pager, `/api/v1/timelines/home${query}`);

  t.same(await home(""), desc.slice(0, 20), "20 by default");
  t.same(await home("?limit=100"), desc.slice(0, 40), "the limit is clamped to 40");
  t.same(await home("?limit=0"), desc.slice(0, 20), "limit=0 means the default");
  t.same(await home("?limit=3"), desc.slice(0, 3));

  t.same(await home(`?max_id=${posted[10]}&limit=3`), [posted[9], posted[8], posted[7]], "max_id: older, newest first");
  t.same(await home(`?since_id=${posted[10]}&limit=3`), [posted[44], posted[43], posted[42]], "since_id: the newest above it");
  t.same(
    await home(`?min_id=${posted[10]}&limit=3`),
    [posted[13], posted[12], posted[11]],
    "min_id: the ones right after it, still newest first",
  );
  t.same(
    await home(`?min_id=${posted[10]}&max_id=${posted[13]}&limit=5`),
    [posted[12], posted[11]],
    "min_id with max_id is a closed window",
  );
  t.same(
    await home(`?since_id=${posted[10]}&max_id=${posted[14]}&limit=2`),
    [posted[13], posted[12]],
  );
  t.same(await home(`?min_id=${posted[44]}`), [], "nothing newer than the newest");
  t.same(await home(`?max_id=${posted[0]}`), [], "nothing older than the oldest");

  // Walking down with the Link header's next, then back up with prev.
  let url: string | null = "/api/v1/timelines/home?limit=10";
  const pages: string[][] = [];
  const links: string[] = [];
  while (url && pages.length < 10) {
    const response = await app.inject({ url, headers: pager.auth });
    t.equal(response.statusCode, 200);
    const page = response.json().map((status: { id: string }) => status.id);
    if (page.length === 0) {
      t.notOk(response.headers.link, "an empty page has no Link header");
      break;
    }
    pages.push(page);
    links.push(String(response.headers.link));
    url = linkOf(response, "next");
  }
  t.same(pages.flat(), desc);
  t.same(
    pages.map((page) => page.length),
    [10, 10, 10, 10, 5],
  );
  t.equal(
    links[0],
    `<https://campus-a.example/api/v1/timelines/home?limit=10&max_id=${desc[9]}>; rel="next", ` +
      `<https://campus-a.example/api/v1/timelines/home?limit=10&min_id=${desc[0]}>; rel="prev"`,
  );

  const third = await app.inject({ url: `/api/v1/timelines/home?limit=10&max_id=${desc[19]}`, headers: pager.auth });
  const prev = linkOf(third, "prev")!;
  t.match(prev, /min_id=/);
  const back = await app.inject({ url: prev, headers: pager.auth });
  t.same(
    back.json().map((status: { id: string }) => status.id),
    desc.slice(10, 20),
    "prev from the third page is the second page, newest first",
  );

  // The access token is never copied into Link URLs.
  const withToken = await app.inject({ url: `/api/v1/timelines/home?limit=1&access_token=${pager.token}` });
  t.equal(withToken.statusCode, 200);
  t.notMatch(String(withToken.headers.link), "access_token");

  for (const bad of ["max_id=abc", "since_id=-1", "min_id=1.5", "limit=abc"]) {
    const response = await app.inject({ url: `/api/v1/timelines/home?${bad}`, headers: pager.auth });
    t.equal(response.statusCode, 400, bad);
  }
});

t.test("timelines need a signed-in colleague", async (t) => {
  for (const url of ["/api/v1/timelines/home", "/api/v1/timelines/public", "/api/v1/timelines/tag/coffee"]) {
    const response = await app.inject({ url });
    t.equal(response.statusCode, 401, url);
    t.same(response.json(), { error: "The access token is invalid" });
  }
});

t.test("a reply to someone else reaches only followers who follow them too, as in Mastodon", async (t) => {
  const dana = await createTestUser(instance, "rdana");
  const eli = await createTestUser(instance, "reli");
  const fay = await createTestUser(instance, "rfay");
  await relate(dana, eli, "follow");
  await relate(fay, eli, "follow");
  await relate(fay, dana, "follow");
  const danasPost = await post(dana, "a question");
  const reply = await post(eli, "@dana an answer", { in_reply_to_id: danasPost });
  const selfReply = await post(eli, "and a thread", { in_reply_to_id: await post(eli, "thread start") });
  const danaHome = await timeline(dana, "/api/v1/timelines/home");
  const fayHome = await timeline(fay, "/api/v1/timelines/home");
  t.ok(danaHome.includes(reply), "the person replied to sees the reply");
  t.ok(fayHome.includes(reply), "a follower of both sees the reply");
  t.ok(fayHome.includes(selfReply), "self-replies (threads) reach every follower");
  const gus = await createTestUser(instance, "rgus");
  await relate(gus, eli, "follow");
  const gusHome = await timeline(gus, "/api/v1/timelines/home");
  t.notOk(gusHome.includes(reply), "a follower of the replier only does not get the half conversation (backfill)");
  t.ok(gusHome.includes(selfReply));
  const later = await post(eli, "@dana one more", { in_reply_to_id: danasPost });
  t.notOk((await timeline(gus, "/api/v1/timelines/home")).includes(later), "nor at posting time");
});

t.test("a suspended colleague's posts leave the timelines until the suspension is lifted", async (t) => {
  const sam = await createTestUser(instance, "sam");
  const tia = await createTestUser(instance, "tia");
  await relate(tia, sam, "follow");
  const own = await post(sam, "before the suspension #suspensiontest");
  const boost = await context.db
    .insertInto("statuses")
    .values({
      uri: `https://campus-a.example/users/tia/statuses/${randomUUID()}`,
      url: "https://campus-a.example/@tia",
      account_id: tia.account.id,
      local: true,
      visibility: "public",
      reblog_of_id: own,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await context.db
    .insertInto("home_feed")
    .values({ account_id: tia.account.id, status_id: boost.id, author_id: tia.account.id })
    .execute();
  const views = async () => ({
    home: await timeline(tia, "/api/v1/timelines/home"),
    local: await timeline(tia, "/api/v1/timelines/public?local=true"),
    tag: await timeline(tia, "/api/v1/timelines/tag/suspensiontest"),
  });
  const before = await views();
  t.ok(before.home.includes(own) && before.local.includes(own) && before.tag.includes(own));
  t.ok(before.home.includes(boost.id), "a colleague's boost of the post is in her home");
  await context.db.updateTable("accounts").set({ suspended_at: new Date() }).where("id", "=", sam.account.id).execute();
  const during = await views();
  t.notOk(during.home.includes(own) || during.local.includes(own) || during.tag.includes(own));
  t.notOk(during.home.includes(boost.id), "nor do boosts of them");
  await context.db.updateTable("accounts").set({ suspended_at: null }).where("id", "=", sam.account.id).execute();
  t.ok((await views()).home.includes(own), "they come back when it is lifted");
});
