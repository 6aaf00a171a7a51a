// The sign-in throttle: as a unit on an injected clock, then through the sign-in page and the
// password grant.
import t from "tap";
import { LoginThrottle, loginThrottleFor } from "../../../server/services/web/login-throttle.ts";
import { createTestUser, PASSWORD } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";
import { authorizePath, Browser, registerApp } from "./flow.ts";

const MINUTE = 60 * 1000;

function clocked() {
  const clock = { now: 1_700_000_000_000 };
  const throttle = new LoginThrottle({ clock: () => clock.now });
  return { clock, throttle };
}

t.test("three failures are free, then each attempt waits twice as long, up to a cap", async (t) => {
  const { throttle } = clocked();
  const keys = ["ip:10.0.0.1", "login:ana"];
  const delays: number[] = [];
  for (let i = 0; i < 10; i++) {
    delays.push(throttle.delayFor(keys));
    throttle.recordFailure(keys);
  }
  t.same(delays, [0, 0, 0, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
});

t.test("twenty failures lock the login out until the window has passed", async (t) => {
  const { clock, throttle } = clocked();
  const keys = ["ip:10.0.0.1", "login:ana"];
  for (let i = 0; i < 20; i++) throttle.recordFailure(keys);
  t.equal(throttle.delayFor(keys), Number.POSITIVE_INFINITY);
  t.equal(throttle.delayFor(["ip:10.9.9.9", "login:ana"]), Number.POSITIVE_INFINITY, "from any address");
  t.equal(throttle.delayFor(["ip:10.0.0.1", "login:bob"]), Number.POSITIVE_INFINITY, "for any login from that address");
  t.equal(throttle.delayFor(["ip:10.9.9.9", "login:bob"]), 0, "others are not affected");
  clock.now += 14 * MINUTE;
  t.equal(throttle.delayFor(keys), Number.POSITIVE_INFINITY);
  clock.now += 2 * MINUTE;
  t.equal(throttle.delayFor(keys), 0, "failures older than fifteen minutes are forgotten");
});

t.test("failures age out one by one", async (t) => {
  const { clock, throttle } = clocked();
  const keys = ["login:ana"];
  throttle.recordFailure(keys);
  clock.now += 10 * MINUTE;
  for (let i = 0; i < 3; i++) throttle.recordFailure(keys);
  t.equal(throttle.delayFor(keys), 1000, "four recent failures");
  clock.now += 6 * MINUTE;
  t.equal(throttle.delayFor(keys), 500, "the oldest has aged out");
});

t.test("a success clears the given keys only", async (t) => {
  const { throttle } = clocked();
  for (let i = 0; i < 5; i++) throttle.recordFailure(["ip:10.0.0.1", "login:ana"]);
  throttle.recordSuccess(["login:ana"]);
  t.equal(throttle.delayFor(["login:ana"]), 0);
  t.equal(throttle.delayFor(["ip:10.0.0.1"]), 2000, "the address keeps its count");
});

t.test("made-up logins cannot grow the memory without bound", async (t) => {
  const clock = { now: 0 };
  const throttle = new LoginThrottle({ clock: () => clock.now, maxKeys: 100 });
  for (let i = 0; i < 1000; i++) throttle.recordFailure([`login:user${i}`]);
  t.ok(throttle.size <= 100, `${throttle.size} keys`);
  t.equal(throttle.delayFor(["login:user999"]), 0);
  for (let i = 0; i < 3; i++) throttle.recordFailure(["login:user999"]);
  t.equal(throttle.delayFor(["login:user999"]), 1000, "the most recent keys are kept, with their count");
});

// Only lower bounds are asserted on timings: a wait is guaranteed, speed on a busy machine is not.
t.test("through the sign-in page: repeated failures slow the next attempt, even with the right password", async (t) => {
  const instance = await startTestInstance(t);
  const alice = await createTestUser(instance, "alice");
  const client = await registerApp(instance.app, { redirect_uris: "urn:ietf:wg:oauth:2.0:oob" });
  const browser = new Browser(instance.app, "10.3.0.1");
  const page = await browser.get(authorizePath({ response_type: "code", client_id: client.client_id }));
  const timed = async (password: string) => {
    const started = performance.now();
    const response = await browser.signIn(page, alice.email, password);
    return { response, ms: performance.now() - started };
  };
  // Waits 0, 0, 0, 500 and 1000 ms.
  for (let i = 0; i < 5; i++) t.equal((await timed("wrong password")).response.statusCode, 401);
  const right = await timed(PASSWORD);
  t.equal(right.response.statusCode, 303, "the right password still signs in");
  t.ok(right.ms >= 2000, `after five failures the attempt waited (${Math.round(right.ms)} ms)`);
});

t.test("through the sign-in page: a locked-out login is refused with 429, right password or not", async (t) => {
  const instance = await startTestInstance(t);
  const alice = await createTestUser(instance, "alice");
  const client = await registerApp(instance.app, { redirect_uris: "urn:ietf:wg:oauth:2.0:oob" });
  // Twenty failures would take minutes of waiting through the page; they are recorded directly
  // on the instance's own throttle instead.
  const throttle = loginThrottleFor(instance.context);
  for (let i = 0; i < 20; i++) throttle.recordFailure([`login:${alice.email}`]);
  const browser = new Browser(instance.app, "10.3.1.1");
  const page = await browser.get(authorizePath({ response_type: "code", client_id: client.client_id }));
  const refused = await browser.signIn(page, alice.email, PASSWORD);
  t.equal(refused.statusCode, 429);
  t.match(refused.body, /Too many failed sign-in attempts/);
  t.equal(browser.cookies.get("hallway_session"), undefined);
  const grant = await instance.app.inject({
    method: "POST",
    url: "/oauth/token",
    remoteAddress: "10.3.1.2",
    payload: {
      grant_type: "password",
      client_id: client.client_id,
      client_secret: client.client_secret,
      username: alice.email,
      password: PASSWORD,
    },
  });
  t.equal(grant.statusCode, 429);
  t.equal(grant.json().error, "invalid_grant");

  const bob = await createTestUser(instance, "bob");
  const other = await browser.signIn(page, bob.email, PASSWORD);
  t.equal(other.statusCode, 303, "another login from the same address still signs in");
});

t.test("the password grant counts against the same throttle as the page", async (t) => {
  const instance = await startTestInstance(t);
  const alice = await createTestUser(instance, "alice");
  const client = await registerApp(instance.app, { redirect_uris: "urn:ietf:wg:oauth:2.0:oob" });
  const grant = (password: string) =>
    instance.app.inject({
      method: "POST",
      url: "/oauth/token",
      remoteAddress: "10.4.0.1",
      payload: {
        grant_type: "password",
        client_id: client.client_id,
        client_secret: client.client_secret,
        username: alice.email,
        password,
      },
    });
  for (let i = 0; i < 3; i++) t.equal((await grant("wrong password")).statusCode, 400);
  // The fourth failure comes through the page, from another address: the login's count is shared.
  const browser = new Browser(instance.app, "10.4.0.2");
  const page = await browser.get(authorizePath({ response_type: "code", client_id: client.client_id }));
  const started = performance.now();
  const failed = await browser.signIn(page, alice.email, "wrong password");
  t.equal(failed.statusCode, 401);
  t.ok(performance.now() - started >= 500, "slowed by the failures at the token endpoint");
});

t.test("loopback, exempt from rate limits by default, is not throttled as a whole address", async (t) => {
  const instance = await startTestInstance(t, { env: { HALLWAY_RATE_LIMIT_EXEMPT: "127.0.0.1" } });
  const alice = await createTestUser(instance, "alice");
  const client = await registerApp(instance.app, { redirect_uris: "urn:ietf:wg:oauth:2.0:oob" });
  const grant = (username: string, password: string, remoteAddress: string) =>
    instance.app.inject({
      method: "POST",
      url: "/oauth/token",
      remoteAddress,
      payload: { grant_type: "password", client_id: client.client_id, client_secret: client.client_secret, username, password },
    });
  const throttle = loginThrottleFor(instance.context);
  for (let i = 0; i < 25; i++) throttle.recordFailure([`ip:127.0.0.1`, `login:nobody${i}@example.org`]);
  for (let i = 0; i < 25; i++) throttle.recordFailure([`ip:10.5.0.1`, `login:nobody${i}@example.org`]);
  t.equal((await grant(alice.email, PASSWORD, "127.0.0.1")).statusCode, 200, "loopback still signs in");
  t.equal((await grant(alice.email, PASSWORD, "10.5.0.1")).statusCode, 429, "another address is locked out");
});
