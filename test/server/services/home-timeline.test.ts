// The home timeline reads its page, authors, boosted originals, mentions and tags in one
// statement; what it returns must be exactly what the per-status endpoint returns.
import t from "tap";
import { createTestUser, type TestUser } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t);
const { app, context } = instance;
const ana = await createTestUser(instance, "ana");
const bruno = await createTestUser(instance, "bruno", { displayName: "Bruno B." });
const chen = await createTestUser(instance, "chen");

async function post(
  user: TestUser,
  status: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const response = await app.inject({
    method: "POST",
    url: "/api/v1/statuses",
    headers: user.auth,
    payload: { status, ...extra },
  });
  if (response.statusCode !== 200) throw new Error(`post failed: ${response.body}`);
  return response.json().id;
}

/** A boost as federation and the reblog feature will store it, fanned out like a post. */
async function boost(user: TestUser, statusId: string, followers: TestUser[]): Promise<string> {
  const { id } = await context.db
    .insertInto("statuses")
    .values({
      uri: `${context.urls.statusUri(user.account.username, statusId)}/activity`,
      url: `${context.urls.statusUri(user.account.username, statusId)}/activity`,
      account_id: user.account.id,
      local: true,
      visibility: "public",
      reblog_of_id: statusId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await context.db
    .insertInto("home_feed")
    .values(
      [user, ...followers].map((owner) => ({
        account_id: owner.account.id,
        status_id: id,
        author_id: user.account.id,
      })),
    )
    .execute();
  return id;
}

async function home(user: TestUser, query = "") {
  const response = await app.inject({ url: `/api/v1/timelines/home${query}`, headers: user.auth });
  t.equal(response.statusCode, 200, response.body);
  return response.json() as { id: string; reblog: { id: string } | null }[];
}

const follow = await app.inject({
  method: "POST",
  url: `/api/v1/accounts/${bruno.account.id}/follow`,
  headers: ana.auth,
});
if (follow.statusCode !== 200) throw new Error(`follow failed: ${follow.body}`);

const own = await post(ana, "Notes on the build farm with @bruno and @chen #infra #Builds");
const brunos = await post(bruno, "Reply coming, @ana #infra", { visibility: "private" });
const boosted = await boost(bruno, own, [ana]);
const boostOfStranger = await boost(bruno, await post(chen, "Chen's #lunch talk"), [ana]);

t.test(
  "home shows posts and boosts newest first, each as the status endpoint shows it",
  async (t) => {
    const page = await home(ana);
    t.same(
      page.map((status) => status.id),
      [boostOfStranger, boosted, brunos, own],
    );
    for (const status of page) {
      const single = await app.inject({ url: `/api/v1/statuses/${status.id}`, headers: ana.auth });
      t.same(status, single.json(), `status ${status.id} reads the same both ways`);
    }
    const [strangerBoost, ownBoost] = page;
    t.equal(ownBoost!.reblog!.id, own, "the boost carries the original");
    t.equal(strangerBoost!.reblog!.id !== own, true);
    const original = page.find((status) => status.id === own) as unknown as {
      mentions: unknown[];
      tags: unknown[];
    };
    t.equal(
      original.mentions.length,
      2,
      "a status that is both on the page and boosted keeps single mentions",
    );
    t.equal(original.tags.length, 2);
  },
);

t.test("paging through boosts keeps the order and the originals", async (t) => {
  const first = await home(ana, "?limit=2");
  t.same(
    first.map((status) => status.id),
    [boostOfStranger, boosted],
  );
  const older = await home(ana, `?limit=2&max_id=${boosted}`);
  t.same(
    older.map((status) => status.id),
    [brunos, own],
  );
  const newer = await home(ana, `?limit=1&min_id=${own}`);
  t.same(
    newer.map((status) => status.id),
    [brunos],
    "min_id gives the page right after the cursor",
  );
  const since = await home(ana, `?limit=1&since_id=${own}`);
  t.same(
    since.map((status) => status.id),
    [boostOfStranger],
    "since_id gives the newest",
  );
  t.equal(since[0]!.reblog?.id !== undefined, true);
});

t.test("an author's changes show on their next read", async (t) => {
  await context.db
    .updateTable("accounts")
    .set({ display_name: "Bruno Barros" })
    .where("id", "=", bruno.account.id)
    .execute();
  const page = (await home(ana)) as unknown as { id: string; account: { display_name: string } }[];
  t.equal(page.find((status) => status.id === brunos)?.account.display_name, "Bruno Barros");
});
