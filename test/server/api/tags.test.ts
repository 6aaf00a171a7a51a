// Hashtags through the masto client: the Tag entity, following tags (and what that does to the
// home timeline), and featured tags on profiles.
import { createRestAPIClient, MastoHttpError } from "masto";
import t from "tap";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t, { listen: true });
const { url } = instance;

const clientOf = (user: TestUser) => createRestAPIClient({ url, accessToken: user.token });
const users = {
  ana: await createTestUser(instance, "ana"),
  bruno: await createTestUser(instance, "bruno"),
  dana: await createTestUser(instance, "dana"),
};
const ana = clientOf(users.ana);
const bruno = clientOf(users.bruno);
const dana = clientOf(users.dana);

async function failure(request: () => Promise<unknown>): Promise<number | "no failure"> {
  try {
    await request();
    return "no failure";
  } catch (error) {
    if (error instanceof MastoHttpError) return error.statusCode;
    throw error;
  }
}

const homeUris = async (client: typeof ana) => (await client.v1.timelines.home.list({ limit: 40 })).map((s) => s.uri);

t.test("a tag: its use over the last week, and whether one follows it", async (t) => {
  await ana.v1.statuses.create({ status: "Standup moved to 10 #Planning" });
  await bruno.v1.statuses.create({ status: "Agenda is up #planning" });
  await bruno.v1.statuses.create({ status: "Private thoughts #planning", visibility: "private" });

  const tag = await dana.v1.tags.$select("PLANNING").fetch();
  t.equal(tag.name, "Planning", "named as first written");
  t.equal(tag.url, `${url}/tags/planning`);
  t.equal(tag.following, false);
  t.equal((tag as { featuring?: boolean }).featuring, false);
  t.equal(tag.history?.length, 7, "seven days");
  const today = Math.floor(Date.now() / 86_400_000) * 86_400;
  t.same(tag.history?.[0], { day: String(today), uses: "2", accounts: "2" }, "today: public posts and their authors");
  t.ok(tag.history?.slice(1).every((day) => day.uses === "0"));

  const unused = await dana.v1.tags.$select("nobodyyet").fetch();
  t.ok(unused.id, "a tag nobody used yet is shown too, with an id");
  t.equal(unused.history?.[0]?.uses, "0");
  t.equal(await failure(() => dana.v1.tags.$select("2024").fetch()), 404, "digits alone are no hashtag");
  t.equal(await failure(() => dana.v1.tags.$select("no-dash").fetch()), 404);
});

t.test("following a tag brings its public posts into the home timeline", async (t) => {
  const followed = await dana.v1.tags.$select("Coffee").follow();
  t.equal(followed.following, true);
  t.equal(followed.name, "Coffee");
  t.equal((await dana.v1.tags.$select("coffee").follow()).following, true, "following again is fine");

  const publicPost = await bruno.v1.statuses.create({ status: "Fresh beans in the kitchen #coffee" });
  const unlisted = await bruno.v1.statuses.create({ status: "Quiet #coffee note", visibility: "unlisted" });
  const followersOnly = await bruno.v1.statuses.create({ status: "For my followers #coffee", visibility: "private" });
  const untagged = await bruno.v1.statuses.create({ status: "Lunch anyone?" });
  const boost = await ana.v1.statuses.$select(publicPost.id).reblog();

  const home = await homeUris(dana);
  t.ok(home.includes(publicPost.uri), "a public post with the tag, by someone dana does not follow");
  t.notOk(home.includes(unlisted.uri), "unlisted posts stay out, as in Mastodon");
  t.notOk(home.includes(followersOnly.uri));
  t.notOk(home.includes(untagged.uri));
  t.notOk(home.includes(boost.uri), "boosts are not delivered by tag");
  t.notOk((await homeUris(ana)).includes(publicPost.uri), "nor to anyone who does not follow the tag");

  const unfollowed = await dana.v1.tags.$select("coffee").unfollow();
  t.equal(unfollowed.following, false);
  const later = await bruno.v1.statuses.create({ status: "More #coffee" });
  t.notOk((await homeUris(dana)).includes(later.uri), "after unfollowing, new posts stay out");
  t.ok((await homeUris(dana)).includes(publicPost.uri), "what arrived before stays");
});

t.test("followed tags are listed newest first, paged with Link", async (t) => {
  for (const name of ["alpha", "beta", "gamma"]) await ana.v1.tags.$select(name).follow();
  const all = await ana.v1.followedTags.list();
  t.same(all.map((tag) => tag.name), ["gamma", "beta", "alpha"]);
  t.ok(all.every((tag) => tag.following));

  const pages: string[][] = [];
  for await (const page of ana.v1.followedTags.list({ limit: 1 })) {
    if (page.length > 0) pages.push(page.map((tag) => tag.name));
    if (pages.length > 5) break;
  }
  t.same(pages, [["gamma"], ["beta"], ["alpha"]], "one per page through the Link header");
  const raw = await fetch(`${url}/api/v1/followed_tags?limit=1`, {
    headers: { authorization: `Bearer ${users.ana.token}` },
  });
  t.match(raw.headers.get("link"), /max_id=\d+>; rel="next"/);

  const found = await ana.v2.search.list({ q: "#gam", type: "hashtags" });
  t.same(
    found.hashtags.map((tag) => [tag.name, tag.following, tag.history?.length]),
    [["gamma", true, 7]],
    "search finds tags as full Tag entities, with whether one follows them",
  );
});

t.test("featured tags on a profile", async (t) => {
  t.same(await ana.v1.featuredTags.list(), []);
  const suggestions = await ana.v1.featuredTags.suggestions.list();
  t.same(suggestions.map((tag) => tag.name), ["Planning"], "recently used tags are suggested");

  const featured = await ana.v1.featuredTags.create({ name: "#planning" });
  t.equal(featured.name, "Planning");
  t.equal(featured.url, `${url}/@ana/tagged/planning`);
  t.equal(featured.statusesCount, "1", "ana's public posts with the tag");
  t.equal(featured.lastStatusAt, new Date().toISOString().slice(0, 10), "the day of the last one");
  t.same(await ana.v1.featuredTags.suggestions.list(), [], "a featured tag is no longer suggested");
  t.equal(await failure(() => ana.v1.featuredTags.create({ name: "planning" })), 422, "featured once");
  t.equal(await failure(() => ana.v1.featuredTags.create({ name: "not a tag" })), 422);

  const onProfile = await bruno.v1.accounts.$select(users.ana.account.id).featuredTags.list();
  t.same(onProfile.map((tag) => [tag.id, tag.name]), [[featured.id, "Planning"]], "others see it");
  t.equal(
    await failure(async () => await bruno.v1.accounts.$select("99999999999").featuredTags.list()),
    404,
    "an unknown account",
  );

  const tag = await ana.v1.tags.$select("planning").fetch();
  t.equal((tag as { featuring?: boolean }).featuring, true);
  t.equal(await failure(() => bruno.v1.featuredTags.$select(featured.id).remove()), 404, "only one's own");
  await ana.v1.featuredTags.$select(featured.id).remove();
  t.same(await ana.v1.featuredTags.list(), []);

  // The 4.4 actions on the tag itself, and Mastodon's limit of ten.
  const viaTag = await ana.v1.tags.$select("retro").feature();
  t.equal((viaTag as { featuring?: boolean }).featuring, true);
  await ana.v1.tags.$select("retro").feature();
  t.equal((await ana.v1.featuredTags.list()).length, 1, "featuring again changes nothing");
  for (let index = 0; index < 9; index++) await ana.v1.featuredTags.create({ name: `topic${index}x` });
  t.equal(await failure(() => ana.v1.featuredTags.create({ name: "eleventh" })), 422, "ten at most");
  const unfeatured = await ana.v1.tags.$select("retro").unfeature();
  t.equal((unfeatured as { featuring?: boolean }).featuring, false);
  t.equal((await ana.v1.featuredTags.list()).length, 9);
});
