// POST /api/v1/accounts: sign-up through an app token, in each registration mode.
import t from "tap";
import { createInvite } from "../../../server/services/accounts/invites.ts";
import { createTestUser } from "../../helpers/fixtures.ts";
import { startTestInstance, type TestInstance } from "../../helpers/instance.ts";

async function appToken(instance: TestInstance, scope = "read write follow push") {
  const registered = (
    await instance.app.inject({
      method: "POST",
      url: "/api/v1/apps",
      payload: { client_name: "Sign-up client", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write follow push" },
    })
  ).json();
  const token = await instance.app.inject({
    method: "POST",
    url: "/oauth/token",
    payload: {
      grant_type: "client_credentials",
      client_id: registered.client_id,
      client_secret: registered.client_secret,
      scope,
    },
  });
  return { authorization: `Bearer ${token.json().access_token}` };
}

const signUp = (instance: TestInstance, headers: Record<string, string>, fields: Record<string, unknown>) =>
  instance.app.inject({
    method: "POST",
    url: "/api/v1/accounts",
    headers,
    payload: { password: "a long enough password", agreement: true, locale: "en", ...fields },
  });

t.test("closed: registration is refused", async (t) => {
  const instance = await startTestInstance(t, { env: { HALLWAY_REGISTRATIONS: "closed" } });
  const response = await signUp(instance, await appToken(instance), { username: "ana", email: "ana@example.org" });
  t.equal(response.statusCode, 403);
  t.type(response.json().error, "string");
  const count = await instance.context.db.selectFrom("accounts").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
  t.equal(Number(count.n), 0, "no account was created");
});

t.test("open: the account is created and its token works at once", async (t) => {
  const instance = await startTestInstance(t, { env: { HALLWAY_REGISTRATIONS: "open" } });
  const response = await signUp(instance, await appToken(instance), {
    username: "ana",
    email: "ana@example.org",
    agreement: "1",
  });
  t.equal(response.statusCode, 200, response.body);
  const body = response.json();
  t.equal(body.token_type, "Bearer");
  t.equal(body.scope, "read write follow push", "the app's registered scopes, as on Mastodon");
  t.type(body.created_at, "number");
  const me = await instance.app.inject({
    url: "/api/v1/accounts/verify_credentials",
    headers: { authorization: `Bearer ${body.access_token}` },
  });
  t.equal(me.statusCode, 200, me.body);
  t.equal(me.json().username, "ana");
  const posted = await instance.app.inject({
    method: "POST",
    url: "/api/v1/statuses",
    headers: { authorization: `Bearer ${body.access_token}` },
    payload: { status: "hello campus" },
  });
  t.equal(posted.statusCode, 200, "the new token can post straight away");

  const password = await instance.app.inject({
    method: "POST",
    url: "/oauth/token",
    payload: { grant_type: "password", username: "ana@example.org", password: "a long enough password" },
  });
  t.equal(password.statusCode, 401, "(without a client the password grant is refused)");
});

t.test("open: form-encoded sign-ups work too", async (t) => {
  const instance = await startTestInstance(t, { env: { HALLWAY_REGISTRATIONS: "open" } });
  const response = await instance.app.inject({
    method: "POST",
    url: "/api/v1/accounts",
    headers: { ...(await appToken(instance)), "content-type": "application/x-www-form-urlencoded" },
    payload: "username=bea&email=bea%40example.org&password=a+long+enough+password&agreement=true&locale=en",
  });
  t.equal(response.statusCode, 200, response.body);
});

t.test("sign-up needs a token with write:accounts", async (t) => {
  const instance = await startTestInstance(t, { env: { HALLWAY_REGISTRATIONS: "open" } });
  const readOnly = await signUp(instance, await appToken(instance, "read"), { username: "ana", email: "ana@example.org" });
  t.equal(readOnly.statusCode, 403);
  t.match(readOnly.json().error, /outside the authorized scopes/);
  const granular = await signUp(instance, await appToken(instance, "write:accounts"), {
    username: "ana",
    email: "ana@example.org",
  });
  t.equal(granular.statusCode, 200, granular.body);
  const none = await signUp(instance, {}, { username: "bea", email: "bea@example.org" });
  t.equal(none.statusCode, 401);
});

t.test("Mastodon-style 422s with details: taken, short, blank, not agreed", async (t) => {
  const instance = await startTestInstance(t, { env: { HALLWAY_REGISTRATIONS: "open" } });
  const headers = await appToken(instance);
  await createTestUser(instance, "taken");

  const takenName = await signUp(instance, headers, { username: "taken", email: "new@example.org" });
  t.equal(takenName.statusCode, 422);
  t.match(takenName.json().error, /^Validation failed: /);
  t.same(takenName.json().details.username, [{ error: "ERR_TAKEN", description: "is already taken" }]);

  const takenNameOtherCase = await signUp(instance, headers, { username: "TAKEN", email: "new@example.org" });
  t.equal(takenNameOtherCase.statusCode, 422);
  t.equal(takenNameOtherCase.json().details.username[0].error, "ERR_TAKEN");

  const takenEmail = await signUp(instance, headers, { username: "fresh", email: "Taken@Example.org" });
  t.equal(takenEmail.statusCode, 422);
  t.equal(takenEmail.json().details.email[0].error, "ERR_TAKEN");

  const short = await signUp(instance, headers, { username: "fresh", email: "fresh@example.org", password: "short" });
  t.equal(short.statusCode, 422);
  t.equal(short.json().details.password[0].error, "ERR_TOO_SHORT");
  t.match(short.json().error, /Password is too short/);

  const blank = await signUp(instance, headers, { email: "fresh@example.org" });
  t.equal(blank.statusCode, 422);
  t.equal(blank.json().details.username[0].error, "ERR_BLANK");

  const badEmail = await signUp(instance, headers, { username: "fresh", email: "not-an-email" });
  t.equal(badEmail.json().details.email[0].error, "ERR_INVALID");

  for (const agreement of [false, "0", undefined]) {
    const notAgreed = await signUp(instance, headers, { username: "fresh", email: "fresh@example.org", agreement });
    t.equal(notAgreed.statusCode, 422, `agreement ${agreement}`);
    t.same(notAgreed.json().details.agreement, [{ error: "ERR_ACCEPTED", description: "must be accepted" }]);
  }

  const reserved = await signUp(instance, headers, { username: "admin", email: "fresh@example.org" });
  t.equal(reserved.json().details.username[0].error, "ERR_RESERVED");

  const count = await instance.context.db.selectFrom("accounts").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
  t.equal(Number(count.n), 1, "none of them created an account");
});

t.test("invite: a valid, unexpired invite that is not used up is needed, and each sign-up uses it", async (t) => {
  const instance = await startTestInstance(t, { env: { HALLWAY_REGISTRATIONS: "invite" } });
  const { db } = instance.context;
  const headers = await appToken(instance);

  const without = await signUp(instance, headers, { username: "ana", email: "ana@example.org" });
  t.equal(without.statusCode, 422);
  t.equal(without.json().details.invite_code[0].error, "ERR_INVALID");

  const made = await signUp(instance, headers, { username: "ana", email: "ana@example.org", invite_code: "made-up" });
  t.equal(made.statusCode, 422);

  const expired = await createInvite(db, { expiresInSeconds: 60 });
  await db.updateTable("invites").set({ expires_at: new Date(Date.now() - 1000) }).where("id", "=", expired.id).execute();
  const late = await signUp(instance, headers, { username: "ana", email: "ana@example.org", invite_code: expired.code });
  t.equal(late.statusCode, 422, "an expired invite is refused");

  const once = await createInvite(db, { maxUses: 1, expiresInSeconds: 3600 });
  const first = await signUp(instance, headers, { username: "ana", email: "ana@example.org", invite_code: once.code });
  t.equal(first.statusCode, 200, first.body);
  const second = await signUp(instance, headers, { username: "bea", email: "bea@example.org", invite_code: once.code });
  t.equal(second.statusCode, 422, "a used-up invite is refused");
  t.equal(second.json().details.invite_code[0].error, "ERR_INVALID");

  const user = await db
    .selectFrom("users as u")
    .innerJoin("accounts as a", "a.id", "u.account_id")
    .select("u.invite_id")
    .where("a.username", "=", "ana")
    .executeTakeFirstOrThrow();
  t.equal(user.invite_id, once.id, "the user remembers the invite");
  const used = await db.selectFrom("invites").select("uses").where("id", "=", once.id).executeTakeFirstOrThrow();
  t.equal(used.uses, 1);

  const unlimited = await createInvite(db, {});
  for (const username of ["cid", "dee"]) {
    const response = await signUp(instance, headers, {
      username,
      email: `${username}@example.org`,
      invite_code: unlimited.code,
    });
    t.equal(response.statusCode, 200, response.body);
  }
});

t.test("invite: two sign-ups racing for an invite's last use cannot both win", async (t) => {
  const instance = await startTestInstance(t, { env: { HALLWAY_REGISTRATIONS: "invite" } });
  const headers = await appToken(instance);
  const invite = await createInvite(instance.context.db, { maxUses: 1 });
  const results = await Promise.all(
    ["ana", "bea", "cid"].map((username) =>
      signUp(instance, headers, { username, email: `${username}@example.org`, invite_code: invite.code }),
    ),
  );
  t.same(
    results.map((r) => r.statusCode).sort(),
    [200, 422, 422],
    results.map((r) => r.body).join("\n"),
  );
});
