// `npm run demo` on a small organization: the corpus is deterministic, the three campuses start
// and get seeded, a colleague on another campus that someone follows shows up in their home
// timeline with the posts written after the follow, and Ctrl-C stops everything.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRestAPIClient } from "masto";
import t from "tap";
import { DEMO_CAMPUSES, generateCorpus } from "../../scripts/demo/corpus.ts";
import { DEMO_PASSWORD, livePostCount } from "../../scripts/demo/seed.ts";
import { eventually } from "../helpers/campuses.ts";
import { freePort } from "../helpers/instance.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const PEOPLE = 3;
const POSTS = 30;

t.test("the corpus is the same for the same options, and has help requests with answers", async (t) => {
  const options = { campuses: DEMO_CAMPUSES, people: 5, posts: 300 };
  const corpus = generateCorpus(options);
  t.same(generateCorpus(options), corpus, "deterministic");
  t.not(JSON.stringify(generateCorpus({ ...options, seed: 7 })), JSON.stringify(corpus), "another seed, another organization");
  t.equal(corpus.people.length, 15);
  t.ok(corpus.people.every((person) => /^[a-z0-9_]+$/.test(person.username) && person.skills.length > 0));
  t.ok(corpus.posts.some((post) => post.help && post.text.includes("#help")), "there are help requests");
  const answers = corpus.posts.filter((post) => post.inReplyTo !== undefined);
  t.ok(answers.length > 0, "and answers");
  for (const answer of answers) {
    const ask = corpus.posts[answer.inReplyTo!]!;
    t.equal(corpus.people[ask.author]!.campus, corpus.people[answer.author]!.campus, "answers stay on the asker's campus");
  }
  const ages = corpus.posts.map((post) => post.ageMs);
  t.same(ages, [...ages].sort((a, b) => b - a), "oldest first");
  t.ok(ages[0]! > 150 * 86_400_000, "the history goes back months");
  t.ok(
    corpus.follows.some(({ follower, target }) => corpus.people[follower]!.campus !== corpus.people[target]!.campus),
    "people follow colleagues on other campuses",
  );
});

t.test("npm run demo seeds three federating campuses and stops on Ctrl-C", async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), "hallway-demo-"));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const ports = [await freePort(), await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [join(ROOT, "scripts", "demo.ts"), "--people", String(PEOPLE), "--posts", String(POSTS), "--ports", ports.join(","), "--data-dir", dataDir],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, HALLWAY_LOG_LEVEL: "error" } },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });

  await eventually(async () => stdout.includes("The demo organization is running") || child.exitCode !== null, {
    timeoutMs: 180_000,
    intervalMs: 500,
    what: "the demo to finish seeding",
  });
  t.equal(child.exitCode, null, `the demo runs\n${stderr}`);
  t.match(stderr, /history:|history \[/, "a progress bar on stderr");
  t.match(stdout, new RegExp(`http://127\\.0\\.0\\.1:${ports[0]}`), "it prints where to sign in");
  t.match(stdout, DEMO_PASSWORD, "and the shared password");

  // Someone who follows a colleague on another campus who wrote one of the latest posts.
  const corpus = generateCorpus({ campuses: DEMO_CAMPUSES, people: PEOPLE, posts: POSTS });
  const firstLive = corpus.posts.length - livePostCount(corpus);
  const pair = corpus.follows.find(
    ({ follower, target }) =>
      corpus.people[follower]!.campus !== corpus.people[target]!.campus &&
      corpus.posts.some((post, index) => index >= firstLive && post.author === target && post.inReplyTo === undefined),
  );
  if (!pair) throw new Error("the small corpus has no cross-campus follow of a recent author");
  const follower = corpus.people[pair.follower]!;
  const target = corpus.people[pair.target]!;
  t.match(stdout, follower.username, "the follower is listed");
  const origin = (campus: string) => `http://127.0.0.1:${ports[DEMO_CAMPUSES.indexOf(campus)]}`;

  const app = await (
    await fetch(`${origin(follower.campus)}/api/v1/apps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "demo test", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read" }),
    })
  ).json();
  const token = await (
    await fetch(`${origin(follower.campus)}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "password",
        username: follower.username,
        password: DEMO_PASSWORD,
        client_id: app.client_id,
        client_secret: app.client_secret,
        scope: "read",
      }),
    })
  ).json();
  const client = createRestAPIClient({ url: origin(follower.campus), accessToken: token.access_token });
  const targetAcct = `${target.username}@127.0.0.1:${ports[DEMO_CAMPUSES.indexOf(target.campus)]}`;
  const fromTarget = await eventually(
    async () => (await client.v1.timelines.home.list({ limit: 40 })).find((status) => status.account.acct === targetAcct),
    { what: `${target.username}'s post in ${follower.username}'s home` },
  );
  t.ok(fromTarget, `${follower.username} on ${follower.campus} reads ${target.username} of ${target.campus} at home`);

  const history = await client.v1.accounts.$select((await client.v1.accounts.verifyCredentials()).id).statuses.list({ limit: 40 });
  const mine = corpus.posts.filter((post) => post.author === pair.follower).length;
  t.equal(history.length, Math.min(mine, 40), "the follower's own history is there");
  if (corpus.posts.some((post, index) => index < firstLive && post.author === pair.follower)) {
    t.ok(new Date(history.at(-1)!.createdAt).getTime() < Date.now() - 86_400_000, "older posts are backdated");
  }

  child.kill("SIGINT");
  t.equal(await exited, 0, "Ctrl-C stops the demo cleanly");
});
