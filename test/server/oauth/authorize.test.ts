// The sign-in and consent pages, driven as a browser would through inject().
import t from "tap";
import { createTestUser, PASSWORD } from "../../helpers/fixtures.ts";
import { startTestInstance } from "../../helpers/instance.ts";
import { authorize, authorizePath, Browser, hiddenFields, pkce, redirectParams, registerApp } from "./flow.ts";

const instance = await startTestInstance(t);
const { app } = instance;
const alice = await createTestUser(instance, "alice");
const webApp = await registerApp(app, {
  redirect_uris: ["https://client.example/callback", "urn:ietf:wg:oauth:2.0:oob", "com.example.app://oauth"],
  scopes: "read write follow push",
});
const login = { login: alice.email, password: PASSWORD };
let address = 0;
// Each test signs in from its own address, so the sign-in throttle of one never slows another.
const newBrowser = () => new Browser(app, `10.1.0.${++address}`);

async function exchange(code: string, redirectUri: string, extra: Record<string, string> = {}) {
  return app.inject({
    method: "POST",
    url: "/oauth/token",
    payload: {
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      client_id: webApp.client_id,
      ...extra,
    },
  });
}

t.test("the sign-in page, then the consent page, then a code and the state at the redirect URI", async (t) => {
  const browser = newBrowser();
  const { verifier, challenge } = pkce();
  const signInPage = await browser.get(
    authorizePath({
      response_type: "code",
      client_id: webApp.client_id,
      redirect_uri: "https://client.example/callback",
      scope: "read write",
      state: "xyz<&>",
      code_challenge: challenge,
      code_challenge_method: "S256",
    }),
  );
  t.equal(signInPage.statusCode, 200);
  t.match(signInPage.headers["content-type"], /^text\/html/);
  t.match(signInPage.body, /Flow client asks to use your account/);
  t.match(signInPage.body, /<form method="post" action="\/auth\/sign_in">/);
  t.match(signInPage.headers["x-frame-options"], "DENY");
  t.match(signInPage.headers["content-security-policy"], /frame-ancestors 'none'/);
  t.ok(hiddenFields(signInPage.body)._csrf, "the form carries a CSRF token");

  const signedIn = await browser.signIn(signInPage, alice.email, PASSWORD);
  t.equal(signedIn.statusCode, 303, signedIn.body);
  t.match(signedIn.headers.location, /^\/oauth\/authorize\?/);
  t.ok(browser.cookies.get("hallway_session"), "a session cookie is set");

  const consent = await browser.get(signedIn.headers.location as string);
  t.equal(consent.statusCode, 200);
  t.match(consent.body, /Authorize Flow client\?/);
  t.match(consent.body, /Signed in as <strong>@alice<\/strong>/);
  t.match(consent.body, /\(read\)/);
  t.match(consent.body, /\(write\)/);
  t.notMatch(consent.body, /\(follow\)/, "only the requested scopes are listed");

  const decided = await browser.decide(consent, "approve");
  t.equal(decided.statusCode, 303);
  const location = new URL(decided.headers.location as string);
  t.equal(`${location.origin}${location.pathname}`, "https://client.example/callback");
  t.equal(location.searchParams.get("state"), "xyz<&>", "the state comes back unchanged");
  const code = location.searchParams.get("code")!;
  t.ok(code);

  const token = await exchange(code, "https://client.example/callback", { code_verifier: verifier });
  t.equal(token.statusCode, 200, token.body);
  t.equal(token.json().scope, "read write");
  const me = await app.inject({
    url: "/api/v1/accounts/verify_credentials",
    headers: { authorization: `Bearer ${token.json().access_token}` },
  });
  t.equal(me.statusCode, 200);
  t.equal(me.json().username, "alice");
});

t.test("signing in by username works as well as by e-mail", async (t) => {
  const browser = newBrowser();
  const decided = await authorize(
    browser,
    { client_id: webApp.client_id, redirect_uri: "https://client.example/callback" },
    { login: "Alice", password: PASSWORD },
  );
  t.ok(redirectParams(decided).get("code"));
});

t.test("once signed in, the next authorization goes straight to the consent page", async (t) => {
  const browser = newBrowser();
  await authorize(browser, { client_id: webApp.client_id, redirect_uri: "https://client.example/callback" }, login);
  const again = await browser.get(
    authorizePath({ response_type: "code", client_id: webApp.client_id, redirect_uri: "https://client.example/callback" }),
  );
  t.match(again.body, /id="authorize"/);
  const forced = await browser.get(
    authorizePath({
      response_type: "code",
      client_id: webApp.client_id,
      redirect_uri: "https://client.example/callback",
      force_login: "true",
    }),
  );
  t.match(forced.body, /action="\/auth\/sign_in"/, "force_login asks to sign in again");
  t.equal(browser.cookies.get("hallway_session"), undefined, "and ends the old session");
});

t.test("without a scope the request gets read, as Mastodon's default", async (t) => {
  const decided = await authorize(
    newBrowser(),
    { client_id: webApp.client_id, redirect_uri: "https://client.example/callback" },
    login,
  );
  const token = await exchange(redirectParams(decided).get("code")!, "https://client.example/callback", {
    client_secret: webApp.client_secret,
  });
  t.equal(token.json().scope, "read");
});

t.test("denying sends error=access_denied and the state back", async (t) => {
  const decided = await authorize(
    newBrowser(),
    { client_id: webApp.client_id, redirect_uri: "https://client.example/callback", state: "s1" },
    login,
    "deny",
  );
  t.equal(decided.statusCode, 303);
  const params = redirectParams(decided);
  t.equal(params.get("error"), "access_denied");
  t.equal(params.get("state"), "s1");
  t.equal(params.get("code"), null);
});

t.test("the out-of-band redirect shows the code on a page", async (t) => {
  const decided = await authorize(
    newBrowser(),
    { client_id: webApp.client_id, redirect_uri: "urn:ietf:wg:oauth:2.0:oob", scope: "read" },
    login,
  );
  t.equal(decided.statusCode, 200);
  const code = /<code class="auth-code" id="authorization-code">([^<]+)<\/code>/.exec(decided.body)?.[1];
  t.ok(code, decided.body);
  const token = await exchange(code!, "urn:ietf:wg:oauth:2.0:oob", { client_secret: webApp.client_secret });
  t.equal(token.statusCode, 200, token.body);
});

t.test("a custom-scheme redirect URI gets the code, and the consent page's CSP lets the form go there", async (t) => {
  const browser = newBrowser();
  const page = await browser.get(
    authorizePath({ response_type: "code", client_id: webApp.client_id, redirect_uri: "com.example.app://oauth", state: "m" }),
  );
  const signedIn = await browser.signIn(page, alice.email, PASSWORD);
  const consent = await browser.get(signedIn.headers.location as string);
  // Browsers apply form-action to the redirect after the POST; `*` does not match custom schemes.
  t.match(consent.headers["content-security-policy"], /form-action 'self' com\.example\.app:;/);
  const decided = await browser.decide(consent, "approve");
  const location = decided.headers.location as string;
  t.match(location, /^com\.example\.app:\/\/oauth\?code=[A-Za-z0-9_-]+&state=m$/);
  const token = await exchange(new URL(location).searchParams.get("code")!, "com.example.app://oauth", {
    client_secret: webApp.client_secret,
  });
  t.equal(token.statusCode, 200, token.body);
});

t.test("an https redirect URI is named by its origin in the consent page's CSP", async (t) => {
  const browser = newBrowser();
  const page = await browser.get(
    authorizePath({ response_type: "code", client_id: webApp.client_id, redirect_uri: "https://client.example/callback" }),
  );
  const consent = await browser.get((await browser.signIn(page, alice.email, PASSWORD)).headers.location as string);
  t.match(consent.headers["content-security-policy"], /form-action 'self' https:\/\/client\.example;/);
});

t.test("a loopback redirect URI may use any port (RFC 8252), and the code is bound to the one used", async (t) => {
  const desktop = await registerApp(app, { redirect_uris: "http://127.0.0.1/callback" });
  const decided = await authorize(
    newBrowser(),
    { client_id: desktop.client_id, redirect_uri: "http://127.0.0.1:49152/callback" },
    login,
  );
  const location = new URL(decided.headers.location as string);
  t.equal(location.port, "49152");
  const code = location.searchParams.get("code")!;
  const wrongPort = await app.inject({
    method: "POST",
    url: "/oauth/token",
    payload: {
      grant_type: "authorization_code",
      code,
      redirect_uri: "http://127.0.0.1:49153/callback",
      client_id: desktop.client_id,
      client_secret: desktop.client_secret,
    },
  });
  t.equal(wrongPort.statusCode, 400);
  t.equal(wrongPort.json().error, "invalid_grant");

  const otherHost = await newBrowser().get(
    authorizePath({ response_type: "code", client_id: desktop.client_id, redirect_uri: "http://localhost:49152/callback" }),
  );
  t.equal(otherHost.statusCode, 400, "only loopback IP literals get the port exemption");
  const otherPath = await newBrowser().get(
    authorizePath({ response_type: "code", client_id: desktop.client_id, redirect_uri: "http://127.0.0.1:49152/other" }),
  );
  t.equal(otherPath.statusCode, 400);
});

t.test("an unregistered redirect URI is refused on a page, never redirected to", async (t) => {
  const response = await newBrowser().get(
    authorizePath({ response_type: "code", client_id: webApp.client_id, redirect_uri: "https://evil.example/steal" }),
  );
  t.equal(response.statusCode, 400);
  t.equal(response.headers.location, undefined);
  t.match(response.headers["content-type"], /^text\/html/);
  t.match(response.body, /not one this application registered/);

  const unknownClient = await newBrowser().get(authorizePath({ response_type: "code", client_id: "nope" }));
  t.equal(unknownClient.statusCode, 400);
  t.match(unknownClient.body, /No application is registered/);

  const ambiguous = await newBrowser().get(authorizePath({ response_type: "code", client_id: webApp.client_id }));
  t.equal(ambiguous.statusCode, 400, "an app with several redirect URIs must name one");
});

t.test("bad requests with a trusted redirect URI are reported to it, with the state", async (t) => {
  const base = { client_id: webApp.client_id, redirect_uri: "https://client.example/callback", state: "st" };
  const cases: [Record<string, string>, string][] = [
    [{ response_type: "token" }, "unsupported_response_type"],
    [{ response_type: "code", scope: "admin:read" }, "invalid_scope"],
    [{ response_type: "code", scope: "read nonsense" }, "invalid_scope"],
    [{ response_type: "code", code_challenge: pkce().challenge, code_challenge_method: "plain" }, "invalid_request"],
    [{ response_type: "code", code_challenge: "short" }, "invalid_request"],
    [{ response_type: "code", code_challenge_method: "S256" }, "invalid_request"],
  ];
  for (const [params, error] of cases) {
    const response = await newBrowser().get(authorizePath({ ...base, ...params }));
    t.equal(response.statusCode, 303, JSON.stringify(params));
    const query = redirectParams(response);
    t.equal(query.get("error"), error, JSON.stringify(params));
    t.equal(query.get("state"), "st");
  }
});

t.test("a sign-in or a decision without the CSRF token is refused", async (t) => {
  const browser = newBrowser();
  const page = await browser.get(
    authorizePath({ response_type: "code", client_id: webApp.client_id, redirect_uri: "https://client.example/callback" }),
  );
  const fields = hiddenFields(page.body);
  const { _csrf, ...withoutToken } = fields;
  const noToken = await browser.post("/auth/sign_in", { ...withoutToken, login: alice.email, password: PASSWORD });
  t.equal(noToken.statusCode, 403);
  t.match(noToken.headers["content-type"], /^text\/html/);
  t.equal(browser.cookies.get("hallway_session"), undefined, "no session was started");

  const wrongToken = await browser.post("/auth/sign_in", { ...fields, _csrf: "forged", login: alice.email, password: PASSWORD });
  t.equal(wrongToken.statusCode, 403);

  // Another browser's token does not fit this browser's CSRF secret.
  const other = newBrowser();
  const otherPage = await other.get(
    authorizePath({ response_type: "code", client_id: webApp.client_id, redirect_uri: "https://client.example/callback" }),
  );
  const crossed = await browser.post("/auth/sign_in", {
    ...fields,
    _csrf: hiddenFields(otherPage.body)._csrf!,
    login: alice.email,
    password: PASSWORD,
  });
  t.equal(crossed.statusCode, 403);

  const signedIn = await browser.signIn(page, alice.email, PASSWORD);
  t.equal(signedIn.statusCode, 303, "with the token the same form works");
  const consent = await browser.get(signedIn.headers.location as string);
  const { _csrf: _token, ...decision } = hiddenFields(consent.body);
  const forgedDecision = await browser.post("/oauth/authorize", { ...decision, decision: "approve" });
  t.equal(forgedDecision.statusCode, 403);
  t.equal(forgedDecision.headers.location, undefined, "no code was handed out");
});

t.test("a wrong password shows the sign-in page again with an error", async (t) => {
  const browser = newBrowser();
  const page = await browser.get(
    authorizePath({ response_type: "code", client_id: webApp.client_id, redirect_uri: "https://client.example/callback" }),
  );
  for (const [loginName, password] of [
    [alice.email, "wrong password"],
    ["nobody@example.org", PASSWORD],
  ] as const) {
    const failed = await browser.signIn(page, loginName, password);
    t.equal(failed.statusCode, 401);
    t.match(failed.body, /Invalid e-mail address, username or password/);
    t.match(failed.body, /Flow client asks to use your account/);
    t.equal(browser.cookies.get("hallway_session"), undefined);
    t.same(
      hiddenFields(failed.body).return_to,
      hiddenFields(page.body).return_to,
      "the form still leads back to the same request",
    );
  }
});

t.test("the sign-in form does not redirect off the site", async (t) => {
  const browser = newBrowser();
  const page = await browser.get(
    authorizePath({ response_type: "code", client_id: webApp.client_id, redirect_uri: "https://client.example/callback" }),
  );
  const response = await browser.post("/auth/sign_in", {
    ...hiddenFields(page.body),
    return_to: "https://evil.example/",
    login: alice.email,
    password: PASSWORD,
  });
  t.equal(response.statusCode, 200);
  t.equal(response.headers.location, undefined);
  t.match(response.body, /signed in as <strong>@alice<\/strong>/);
});

t.test("a suspended account cannot sign in, and its open session stops working", async (t) => {
  const bob = await createTestUser(instance, "bob");
  const browser = newBrowser();
  const params = { response_type: "code", client_id: webApp.client_id, redirect_uri: "https://client.example/callback" };
  const page = await browser.get(authorizePath(params));
  const signedIn = await browser.signIn(page, bob.email, PASSWORD);
  const consent = await browser.get(signedIn.headers.location as string);
  await instance.context.db
    .updateTable("accounts")
    .set({ suspended_at: new Date() })
    .where("id", "=", bob.account.id)
    .execute();
  const decided = await browser.decide(consent, "approve");
  t.equal(decided.statusCode, 303);
  t.match(decided.headers.location, /^\/oauth\/authorize\?/, "sent back to sign in, with no code");

  const fresh = newBrowser();
  const suspended = await fresh.signIn(await fresh.get(authorizePath(params)), bob.email, PASSWORD);
  t.equal(suspended.statusCode, 401);
  t.match(suspended.body, /This account is suspended/);
});

t.test("the pages escape what the app and the request put on them", async (t) => {
  const sneaky = await registerApp(app, {
    client_name: '<script>alert("x")</script>',
    redirect_uris: "https://client.example/callback",
  });
  const page = await newBrowser().get(
    authorizePath({
      response_type: "code",
      client_id: sneaky.client_id,
      redirect_uri: "https://client.example/callback",
      state: '"><script>alert(1)</script>',
    }),
  );
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, /<script>/);
  t.match(page.body, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
});

t.test("a malformed request gets an error page, not JSON", async (t) => {
  const response = await newBrowser().get(
    `/oauth/authorize?response_type=code&client_id=${webApp.client_id}&client_id=${webApp.client_id}`,
  );
  t.equal(response.statusCode, 400);
  t.match(response.headers["content-type"], /^text\/html/);
  t.match(response.body, /The request is malformed/);
});

t.test("an expired session asks to sign in again", async (t) => {
  const browser = newBrowser();
  const params = { response_type: "code", client_id: webApp.client_id, redirect_uri: "https://client.example/callback" };
  await authorize(browser, params, login);
  t.match((await browser.get(authorizePath(params))).body, /id="authorize"/);
  await instance.context.db.updateTable("web_sessions").set({ expires_at: new Date(Date.now() - 1000) }).execute();
  t.match((await browser.get(authorizePath(params))).body, /action="\/auth\/sign_in"/);
});
