// Full-text search through masto.js against a listening campus: ranking, prefixes, phrases,
// stemming, Mastodon's operators, visibility, blocks and mutes, paging, and accounts by name,
// bio and profile fields.
import { createRestAPIClient } from "masto";
import sharp from "sharp";
import t from "tap";
import { createTestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t, { listen: true });
const { url } = instance;
const domain = new URL(url).host;
const users = await Promise.all(
  ["ana", "bruno", "chen", "dana", "emil"].map(async (name) => {
    const user = await createTestUser(instance, name);
    return { ...user, client: createRestAPIClient({ url, accessToken: user.token }) };
  }),
);
const [ana, bruno, chen, dana, emil] = users as [
  (typeof users)[0],
  (typeof users)[0],
  (typeof users)[0],
  (typeof users)[0],
  (typeof users)[0],
];

type Who = typeof ana;

const post = (who: Who, status: string, extra: Record<string, unknown> = {}) =>
  who.client.v1.statuses.create({ status, ...extra } as never);

async function found(who: Who, q: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  const result = await who.client.v2.search.list({ q, type: "statuses", ...extra } as never);
  return result.statuses.map((status) => status.id);
}

// The corpus. Each test below searches words only its own posts use.
const dense = await post(bruno, "Kubernetes upgrades: kubernetes operators on kubernetes clusters");
const sparse = await post(ana, "A long week of databases, backups, one kubernetes node and many meetings");
const openSource = await post(ana, "We picked an open source license for the CRM");
const sourceOpen = await post(bruno, "The source of the CRM is open to every team");
const crmTools = await post(chen, "The crmtools rollout starts Monday");
const implemented = await post(ana, "Has anyone implemented single sign-on for the wiki?");
const warned = await post(bruno, "Details inside", { spoiler_text: "quarterly roadmap" });
const photo = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toBuffer();
const media = await chen.client.v2.media.create({
  file: new Blob([new Uint8Array(photo)], { type: "image/png" }),
  description: "whiteboard sketch of the pipeline",
});
const withMedia = await post(chen, "After the retro", { media_ids: [media.id] });
const withPoll = await post(ana, "Lunch vote: tacos or ramen", { poll: { options: ["tacos", "ramen"], expires_in: 3600 } });
const withLink = await post(bruno, "Lunch menu is at https://example.org/menu");
const reply = await post(chen, "Lunch sounds good", { in_reply_to_id: withPoll.id });
const sensitive = await post(dana, "Lunch spoilers ahead", { sensitive: true });
const french = await post(dana, "Déjeuner à midi", { language: "fr" });
const privatePost = await post(bruno, "Zebra plan for the followers", { visibility: "private" });
const directPost = await post(bruno, `@ana zebra plan just for you`, { visibility: "direct" });
const localOnly = await post(bruno, "Zebra plan for this campus", { local_only: true });
const widgets: { id: string }[] = [];
for (let index = 0; index < 5; index++) widgets.push(await post(emil, `widget report number ${index}`));

t.test("posts rank by how well they match, not by date", async (t) => {
  const ids = await found(chen, "kubernetes ");
  t.same(ids, [dense.id, sparse.id], "the post about kubernetes ranks above the newer one that names it once");
});

t.test("the last word typed and a word ending in * match as prefixes", async (t) => {
  t.same(await found(chen, "kuberne"), [dense.id, sparse.id], "a word still being typed");
  t.ok((await found(chen, "crm* ")).includes(crmTools.id), "crm* finds crmtools");
  t.notOk((await found(chen, "crm ")).includes(crmTools.id), "a finished word is matched whole");
  t.same((await found(chen, "crm ")).sort(), [openSource.id, sourceOpen.id].sort());
});

t.test("a quoted phrase matches the words in that order", async (t) => {
  t.same(await found(chen, '"open source"'), [openSource.id]);
  t.same((await found(chen, "open source ")).sort(), [openSource.id, sourceOpen.id].sort(), "unquoted, both words anywhere");
});

t.test("English words match their other forms; content warnings and media descriptions are searched", async (t) => {
  t.same(await found(chen, "implementing "), [implemented.id], "stemming");
  t.same(await found(chen, "roadmap "), [warned.id], "the content warning");
  t.same(await found(chen, "whiteboard "), [withMedia.id], "the media description");
  t.same(await found(chen, "p "), [], "the HTML of a post is not its text");
});

t.test("a word with a minus excludes the posts that have it", async (t) => {
  t.same(await found(chen, "crm -license "), [sourceOpen.id]);
});

t.test("from: picks the author: a username, a full handle, or me; -from: leaves them out", async (t) => {
  t.same((await found(chen, "crm from:bruno")), [sourceOpen.id]);
  t.same((await found(chen, `crm from:ana@${domain}`)), [openSource.id]);
  t.same((await found(ana, "crm from:me")), [openSource.id]);
  t.same((await found(chen, "crm -from:bruno")), [openSource.id]);
  t.same((await found(chen, "crm from:nobody")), [], "an unknown author finds nothing");
});

t.test("has:, is: and language: filter by what a post carries", async (t) => {
  t.same(await found(chen, "has:media"), [withMedia.id], "operators alone list matching posts, newest first");
  t.same(await found(chen, "lunch has:poll"), [withPoll.id]);
  t.same(await found(chen, "lunch has:link"), [withLink.id]);
  t.same(await found(chen, "lunch is:reply"), [reply.id]);
  t.same(await found(chen, "lunch is:sensitive"), [sensitive.id]);
  t.same((await found(chen, "lunch -is:reply -is:sensitive ")).sort(), [withPoll.id, withLink.id].sort());
  t.same(await found(chen, "language:fr"), [french.id]);
  t.same(await found(chen, "lunch has:embed"), [], "no post here has an embed");
});

t.test("before:, after: and during: filter by day (UTC)", async (t) => {
  const today = new Date().toISOString().slice(0, 10);
  t.same(await found(chen, "crm before:2001-01-01"), []);
  t.same((await found(chen, "crm after:2001-01-01")).length, 2);
  t.same((await found(chen, `crm during:${today}`)).length, 2);
  t.same(await found(chen, `crm after:${today}`), [], "after: means after that day");
  t.same(await found(chen, "crm during:2001-01-01"), []);
});

t.test("in:library is what the viewer wrote, favourited, bookmarked or was mentioned in", async (t) => {
  await chen.client.v1.statuses.$select(openSource.id).favourite();
  await chen.client.v1.statuses.$select(dense.id).bookmark();
  t.same(await found(chen, "crm in:library"), [openSource.id], "favourited");
  t.same(await found(chen, "kubernetes in:library"), [dense.id], "bookmarked");
  t.same(await found(chen, "crmtools in:library"), [crmTools.id], "written");
  t.same(await found(ana, "zebra in:library"), [directPost.id], "mentioned");
  t.same((await found(chen, "crm in:public")).length, 2);
});

t.test("followers-only and direct posts reach only the people who may see them", async (t) => {
  t.same(await found(chen, "zebra "), [localOnly.id], "a non-follower sees only the public (local-only) one");
  t.same((await found(ana, "zebra ")).sort(), [directPost.id, localOnly.id].sort(), "the mentioned person sees the direct one");
  await dana.client.v1.accounts.$select(bruno.account.id).follow();
  t.same((await found(dana, "zebra ")).sort(), [privatePost.id, localOnly.id].sort(), "a follower sees the followers-only one");
  t.same((await found(bruno, "zebra ")).length, 3, "the author sees all three");
});

t.test("nothing of people the viewer mutes or blocks, or who block the viewer", async (t) => {
  await emil.client.v1.accounts.$select(bruno.account.id).mute();
  t.same(await found(emil, "kubernetes "), [sparse.id], "muted");
  await emil.client.v1.accounts.$select(bruno.account.id).unmute();
  await bruno.client.v1.accounts.$select(emil.account.id).block();
  t.same(await found(emil, "kubernetes "), [sparse.id], "blocked by the author");
  await bruno.client.v1.accounts.$select(emil.account.id).unblock();
});

t.test("limit and offset page through the results; min_id and max_id bound them", async (t) => {
  const all = await found(chen, "widget ");
  t.equal(all.length, 5);
  const pages = [
    await found(chen, "widget ", { limit: 2, offset: 0 }),
    await found(chen, "widget ", { limit: 2, offset: 2 }),
    await found(chen, "widget ", { limit: 2, offset: 4 }),
  ];
  t.same(pages.map((page) => page.length), [2, 2, 1]);
  t.same(pages.flat().sort(), all.slice().sort(), "the pages hold every match once");
  const ordered = widgets.map((widget) => widget.id);
  t.same(
    (await found(chen, "widget ", { min_id: ordered[1], max_id: ordered[4] })).sort(),
    [ordered[2], ordered[3]].sort(),
  );
  t.same(await found(chen, "widget ", { account_id: ana.account.id }), [], "account_id keeps one author");
});

t.test("accounts match by username prefix, name, bio and profile fields", async (t) => {
  await dana.client.v1.accounts.updateCredentials({
    displayName: "Dana Quist",
    note: "Kubernetes whisperer and on-call lead",
    fieldsAttributes: [{ name: "Skills", value: "Terraform, Postgres" }],
  });
  const accounts = async (q: string) =>
    (await chen.client.v2.search.list({ q, type: "accounts" })).accounts.map((account) => account.username);
  t.same(await accounts("terraform"), ["dana"], "a profile field value");
  t.same(await accounts("whisperer"), ["dana"], "the bio");
  t.same(await accounts("quist"), ["dana"], "the display name");
  t.ok((await accounts("da")).includes("dana"), "a username prefix");
  t.same(await accounts(`@dana@${domain}`), ["dana"], "a full handle");
  t.ok((await accounts("who knows kubernetes")).includes("dana"), "several words, none of them a username");
  const v1 = await chen.client.v1.accounts.search.list({ q: "skills" });
  t.same(v1.map((account) => account.username), ["dana"], "/api/v1/accounts/search searches alike");
});

t.test("a hashtag search still answers Tag entities", async (t) => {
  await post(ana, "Planning #offsite2027");
  const result = await chen.client.v2.search.list({ q: "#offsite", type: "hashtags" });
  t.same(result.hashtags.map((tag) => tag.name), ["offsite2027"]);
});

t.test("a query with no words and no operators finds nothing, and junk is not an error", async (t) => {
  t.same(await found(chen, "!!! ..."), []);
  t.same(await found(chen, "'\" & | <-> :* \\"), []);
  t.same(await found(chen, "from:"), []);
});



