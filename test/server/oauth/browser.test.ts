// The authorization-code flow in a real browser (Chromium through playwright-core), against an
// instance listening on a real port: sign in, consent, redirect, code exchange, API call.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import t from "tap";
import { createTestUser, PASSWORD } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";
import { pkce } from "./flow.ts";

const STEP_TIMEOUT_MS = 15_000;
const CUSTOM_REDIRECT = "com.example.app://oauth";
const OOB = "urn:ietf:wg:oauth:2.0:oob";

// Playwright refuses --user-data-dir among launch() arguments; a persistent context is how it
// takes one, here a fresh folder that is removed afterwards. Chromium starts while the instance does.
const userDataDir = await mkdtemp(join(tmpdir(), "hallway-chromium-"));
const launching = chromium.launchPersistentContext(userDataDir, {
  executablePath: "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
  ],
});
// Registered before anything can fail, so that Chromium never outlives the test.
t.teardown(async () => {
  await (await launching.catch(() => null))?.close();
  await rm(userDataDir, { recursive: true, force: true });
});
const [instance, context] = await Promise.all([startTestInstance(t, { listen: true }), launching]);
context.setDefaultTimeout(STEP_TIMEOUT_MS);
const alice = await createTestUser(instance, "alice");

// The app's side of the redirect: a small local server that answers with a page and remembers
// which URLs the browser brought to it.
const callbacks: URL[] = [];
const callbackServer: Server = createServer((request, response) => {
  callbacks.push(new URL(request.url ?? "/", `http://${request.headers.host}`));
  response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  response.end("<!doctype html><title>Callback</title><p id=done>The app got the answer.</p>");
});
await new Promise<void>((resolve) => callbackServer.listen(0, "127.0.0.1", resolve));
t.teardown(() => new Promise<void>((resolve) => callbackServer.close(() => resolve())));
const address = callbackServer.address();
const CALLBACK = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/callback`;

async function api(path: string, init: RequestInit = {}) {
  const response = await fetch(`${instance.url}${path}`, init);
  return { status: response.status, body: await response.json() };
}

const registered = await api("/api/v1/apps", {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    client_name: "Browser test app",
    redirect_uris: [CALLBACK, OOB, CUSTOM_REDIRECT],
    scopes: "read write follow push",
  }),
});
const client = registered.body as { client_id: string; client_secret: string };

function authorizeUrl(params: Record<string, string>): string {
  return `${instance.url}/oauth/authorize?${new URLSearchParams({ response_type: "code", client_id: client.client_id, ...params })}`;
}

async function freshPage(): Promise<Page> {
  // Each flow starts signed out.
  await context.clearCookies();
  return context.newPage();
}

async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.fill("#login", login);
  await page.fill("#password", password);
  await Promise.all([page.waitForLoadState("load"), page.click("#sign-in")]);
}

async function exchange(code: string, redirectUri: string, extra: Record<string, string>) {
  return api("/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      client_id: client.client_id,
      ...extra,
    }).toString(),
  });
}

t.test("sign in, authorize, land on the redirect URI with code and state, exchange with PKCE", async (t) => {
  const page = await freshPage();
  const { verifier, challenge } = pkce();
  await page.goto(
    authorizeUrl({
      redirect_uri: CALLBACK,
      scope: "read write",
      state: "state-123",
      code_challenge: challenge,
      code_challenge_method: "S256",
    }),
  );
  t.match(await page.textContent("h1"), /Sign in to Test Campus/);
  await signIn(page, alice.email, PASSWORD);
  t.match(await page.textContent("h1"), /Authorize Browser test app\?/);
  t.match(await page.textContent("main"), /Signed in as @alice/);

  await Promise.all([page.waitForURL((url) => url.href.startsWith(CALLBACK)), page.click("#authorize")]);
  t.equal(await page.textContent("#done"), "The app got the answer.");
  const landed = new URL(page.url());
  t.equal(landed.searchParams.get("state"), "state-123");
  const code = landed.searchParams.get("code");
  t.ok(code, "the redirect carries a code");
  const received = callbacks.filter((url) => url.pathname === "/callback").at(-1);
  t.equal(received?.searchParams.get("code"), code, "the app's server received it");

  const token = await exchange(code!, CALLBACK, { code_verifier: verifier });
  t.equal(token.status, 200, JSON.stringify(token.body));
  t.equal(token.body.scope, "read write");
  const me = await api("/api/v1/accounts/verify_credentials", {
    headers: { authorization: `Bearer ${token.body.access_token}` },
  });
  t.equal(me.status, 200);
  t.equal(me.body.username, "alice");
  await page.close();
});

t.test("out of band: the code is shown on the page and can be exchanged", async (t) => {
  const page = await freshPage();
  await page.goto(authorizeUrl({ redirect_uri: OOB, scope: "read" }));
  await signIn(page, "alice", PASSWORD);
  await Promise.all([page.waitForSelector("#authorization-code"), page.click("#authorize")]);
  const code = (await page.textContent("#authorization-code"))?.trim();
  t.ok(code, "the page shows the code");
  const token = await exchange(code!, OOB, { client_secret: client.client_secret });
  t.equal(token.status, 200, JSON.stringify(token.body));
  const me = await api("/api/v1/accounts/verify_credentials", {
    headers: { authorization: `Bearer ${token.body.access_token}` },
  });
  t.equal(me.body.username, "alice");
  await page.close();
});

t.test("a wrong password shows an error on the sign-in page", async (t) => {
  const page = await freshPage();
  await page.goto(authorizeUrl({ redirect_uri: CALLBACK }));
  await signIn(page, alice.email, "not the password");
  t.match(await page.textContent(".error"), /Invalid e-mail address, username or password/);
  t.equal(await page.inputValue("#login"), alice.email, "the login is kept in the form");
  t.equal(await page.locator("#authorize").count(), 0, "no consent page");
  t.notOk((await context.cookies()).some((cookie) => cookie.name === "hallway_session"), "no session");
  await signIn(page, alice.email, PASSWORD);
  t.equal(await page.locator("#authorize").count(), 1, "the right password leads on to consent");
  await page.close();
});

t.test("denying lands on the redirect URI with error=access_denied", async (t) => {
  const page = await freshPage();
  await page.goto(authorizeUrl({ redirect_uri: CALLBACK, state: "no-thanks" }));
  await signIn(page, alice.email, PASSWORD);
  await Promise.all([page.waitForURL((url) => url.href.startsWith(CALLBACK)), page.click("#deny")]);
  const landed = new URL(page.url());
  t.equal(landed.searchParams.get("error"), "access_denied");
  t.equal(landed.searchParams.get("state"), "no-thanks");
  t.equal(landed.searchParams.get("code"), null);
  await page.close();
});

t.test("a custom-scheme redirect URI is followed by the browser (the page's CSP allows it)", async (t) => {
  const page = await freshPage();
  await page.goto(authorizeUrl({ redirect_uri: CUSTOM_REDIRECT, state: "mobile" }));
  await signIn(page, alice.email, PASSWORD);
  // Chromium has no handler for the scheme, but asks for the URL: that is what a mobile OS catches.
  const request = page.waitForRequest((req) => req.url().startsWith(`${CUSTOM_REDIRECT}?`));
  await page.click("#authorize");
  const target = new URL((await request).url());
  t.equal(target.searchParams.get("state"), "mobile");
  const token = await exchange(target.searchParams.get("code")!, CUSTOM_REDIRECT, {
    client_secret: client.client_secret,
  });
  t.equal(token.status, 200, JSON.stringify(token.body));
  await page.close();
});
