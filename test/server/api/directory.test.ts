// The directory and suggestions on one campus, through the masto client: Mastodon's order and
// local parameters, opting out, blocks and mutes, and suggestions from shared hashtags.
import { createRestAPIClient, type mastodon } from "masto";
import t from "tap";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t, { listen: true });
const client = (user: TestUser) => createRestAPIClient({ url: instance.url, accessToken: user.token });

// One after the other: order=new depends on it.
const ana = await createTestUser(instance, "ana");
const bo = await createTestUser(instance, "bo");
const cy = await createTestUser(instance, "cy");
const dee = await createTestUser(instance, "dee");
const [anaApi, boApi, cyApi, deeApi] = [ana, bo, cy, dee].map(client) as [
  mastodon.rest.Client,
  mastodon.rest.Client,
  mastodon.rest.Client,
  mastodon.rest.Client,
];

const usernames = (accounts: mastodon.v1.Account[]) => accounts.map((account) => account.username);

t.test("discoverable is on by default and can be turned off", async (t) => {
  const me = await deeApi.v1.accounts.verifyCredentials();
  t.equal(me.discoverable, true);
  t.equal(me.source.discoverable, true, "also in source");
  const updated = await deeApi.v1.accounts.updateCredentials({ discoverable: false });
  t.equal(updated.discoverable, false);
  t.notOk(usernames(await anaApi.v1.directory.list({})).includes("dee"), "dee left the directory");
});

t.test("order=active lists the latest posters first; order=new the newest accounts", async (t) => {
  await cyApi.v1.statuses.create({ status: "first #kubernetes" });
  await boApi.v1.statuses.create({ status: "second #kubernetes" });
  t.same(usernames(await anaApi.v1.directory.list({ order: "active" })), ["bo", "cy", "ana"]);
  t.same(usernames(await anaApi.v1.directory.list({})), ["bo", "cy", "ana"], "active is the default");
  t.same(usernames(await anaApi.v1.directory.list({ order: "new" })), ["cy", "bo", "ana"]);
  t.same(usernames(await anaApi.v1.directory.list({ local: true, limit: 1, offset: 1 })), ["cy"]);
});

t.test("blocked and muted people are not in the directory", async (t) => {
  await anaApi.v1.accounts.$select(cy.account.id).mute();
  t.notOk(usernames(await anaApi.v1.directory.list({})).includes("cy"));
  await anaApi.v1.accounts.$select(cy.account.id).unmute();
  await boApi.v1.accounts.$select(ana.account.id).block();
  t.notOk(usernames(await anaApi.v1.directory.list({})).includes("bo"), "someone who blocks you is not listed");
  await boApi.v1.accounts.$select(ana.account.id).unblock();
});

t.test("suggestions come from shared hashtags when there are no Skills", async (t) => {
  await anaApi.v1.statuses.create({ status: "looking at #Kubernetes today" });
  const suggestions = await anaApi.v2.suggestions.list({});
  t.same(
    suggestions.map((suggestion) => [suggestion.account.username, suggestion.sources[0]]),
    [
      ["bo", "similar_to_recently_followed"],
      ["cy", "similar_to_recently_followed"],
    ],
  );
});

t.test("bad parameters are 4xx", async (t) => {
  const get = (query: string) =>
    fetch(`${instance.url}/api/v1/directory?${query}`, { headers: ana.auth });
  t.equal((await get("order=popular")).status, 400);
  t.equal((await get("offset=-1")).status, 400);
  const dismiss = await fetch(`${instance.url}/api/v1/suggestions/abc`, { method: "DELETE", headers: ana.auth });
  t.ok(dismiss.status >= 400 && dismiss.status < 500);
  t.match(await dismiss.json(), { error: String });
});
