// checkLogin: who may sign in, and that an unknown login takes as long as a wrong password.
import t from "tap";
import { checkLogin } from "../../../server/services/oauth/login.ts";
import { createTestUser, PASSWORD } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";

const instance = await startTestInstance(t);
const { context } = instance;
const alice = await createTestUser(instance, "alice");

t.test("by e-mail in any case, or by username with or without @", async (t) => {
  for (const login of [alice.email, " ALICE@Example.org ", "alice", "Alice", "@alice"]) {
    t.equal((await checkLogin(context, login, PASSWORD))?.id, alice.account.id, login);
  }
  t.equal(await checkLogin(context, alice.email, "wrong"), null);
  t.equal(await checkLogin(context, "nobody@example.org", PASSWORD), null);
  t.equal(await checkLogin(context, "", PASSWORD), null);
  t.equal(await checkLogin(context, "alice@campus-a.example", PASSWORD), null, "a handle is not an e-mail address");
});

t.test("the account comes back without the password hash", async (t) => {
  const account = await checkLogin(context, alice.email, PASSWORD);
  t.notOk(account && "password_hash" in account);
});

t.test("an unknown login costs the same password hashing as a wrong password", async (t) => {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const time = async (login: string) => {
    const started = performance.now();
    await checkLogin(context, login, "not the password");
    return performance.now() - started;
  };
  await time("warm-up@example.org");
  const known: number[] = [];
  const unknown: number[] = [];
  // Interleaved, so that a busy moment on the machine slows both alike.
  for (let i = 0; i < 7; i++) {
    known.push(await time(alice.email));
    unknown.push(await time(`nobody${i}@example.org`));
  }
  // Without the dummy hash an unknown login is a single indexed query, a few percent of a scrypt.
  t.ok(
    median(unknown) >= median(known) * 0.5,
    `unknown ${Math.round(median(unknown))} ms vs wrong password ${Math.round(median(known))} ms`,
  );
});
