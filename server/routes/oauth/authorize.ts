// The sign-in and consent pages of the authorization-code flow, server-rendered.
import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { OauthApplication } from "../../../db/schema.ts";
import { ApiError } from "../../errors.ts";
import { findApplicationByClientId, OOB_REDIRECT } from "../../services/oauth/applications.ts";
import { createAuthorizationCode, checkLogin, grantedScopes } from "../../services/oauth/grants.ts";
import { LoginThrottle } from "../../services/web/login-throttle.ts";
import { endWebSession, findWebSessionAccount, startWebSession } from "../../services/web/sessions.ts";
import { type AuthorizeParams, authorizePage, codePage, errorPage, signInPage } from "../../views/oauth.ts";

const SESSION_COOKIE = "hallway_session";

const authorizeQuery = {
  type: "object",
  properties: {
    response_type: { type: "string", maxLength: 100 },
    client_id: { type: "string", maxLength: 200 },
    redirect_uri: { type: "string", maxLength: 2000 },
    scope: { type: "string", maxLength: 2000 },
    state: { type: "string", maxLength: 2000 },
    code_challenge: { type: "string", maxLength: 200 },
    code_challenge_method: { type: "string", maxLength: 20 },
    force_login: { "x-boolean": true },
    lang: { type: "string", maxLength: 20 },
    decision: { type: "string", enum: ["approve", "deny"] },
    _csrf: { type: "string" },
  },
} as const;

type AuthorizeInput = Partial<AuthorizeParams> & { force_login?: boolean; decision?: string };

/** Where an OAuth error can be reported: to the app's redirect URI when it is trusted, else on a page. */
type Checked =
  | { ok: true; app: OauthApplication; params: AuthorizeParams; scopes: string[] }
  | { ok: false; page?: { status: number; message: string }; redirect?: string };

function redirectWith(uri: string, values: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(values)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

async function checkRequest(app: FastifyInstance, input: AuthorizeInput): Promise<Checked> {
  if (!input.client_id) return { ok: false, page: { status: 400, message: "The request has no client_id." } };
  const client = await findApplicationByClientId(app.context.db, input.client_id);
  if (!client) return { ok: false, page: { status: 400, message: "No application is registered with this client_id." } };
  const redirectUri = input.redirect_uri ?? (client.redirect_uris.length === 1 ? client.redirect_uris[0] : undefined);
  if (!redirectUri || !client.redirect_uris.includes(redirectUri)) {
    return { ok: false, page: { status: 400, message: "The redirect URI is not one this application registered." } };
  }
  const fail = (error: string) =>
    redirectUri === OOB_REDIRECT
      ? { ok: false as const, page: { status: 400, message: `The request was refused: ${error}.` } }
      : { ok: false as const, redirect: redirectWith(redirectUri, { error, state: input.state }) };
  if (input.response_type !== "code") return fail("unsupported_response_type");
  if (input.code_challenge_method && input.code_challenge_method !== "S256") return fail("invalid_request");
  if (input.code_challenge && !/^[A-Za-z0-9_-]{43}$/.test(input.code_challenge)) return fail("invalid_request");
  let scopes: string[];
  try {
    scopes = grantedScopes(client, input.scope);
  } catch {
    return fail("invalid_scope");
  }
  return {
    ok: true,
    app: client,
    scopes,
    params: {
      response_type: "code",
      client_id: client.client_id,
      redirect_uri: redirectUri,
      scope: scopes.join(" "),
      state: input.state,
      code_challenge: input.code_challenge,
      code_challenge_method: input.code_challenge ? "S256" : undefined,
    },
  };
}

function authorizeUrl(params: AuthorizeParams): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, value);
  return `/oauth/authorize?${query.toString()}`;
}

export default async function authorizeRoutes(app: FastifyInstance) {
  const { config } = app.context;
  const secureCookies = config.origin.startsWith("https://");
  await app.register(fastifyCookie);
  await app.register(fastifyCsrf, {
    cookieOpts: { path: "/", sameSite: "lax", httpOnly: true, secure: secureCookies },
  });
  const throttle = new LoginThrottle();

  const sendHtml = (reply: FastifyReply, status: number, body: string) =>
    reply
      .status(status)
      .header("content-type", "text/html; charset=utf-8")
      .header("cache-control", "no-store")
      .header("x-frame-options", "DENY")
      .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; form-action *; frame-ancestors 'none'")
      .send(body);

  const refuse = (reply: FastifyReply, checked: Extract<Checked, { ok: false }>) =>
    checked.redirect
      ? reply.redirect(checked.redirect, 302)
      : sendHtml(
          reply,
          checked.page!.status,
          errorPage({ instanceName: config.name, title: "Authorization failed", message: checked.page!.message }),
        );

  const sessionAccount = (request: FastifyRequest) => findWebSessionAccount(app.context, request.cookies[SESSION_COOKIE]);

  app.get("/oauth/authorize", { schema: { querystring: authorizeQuery } }, async (request, reply) => {
    const input = request.query as AuthorizeInput;
    const checked = await checkRequest(app, input);
    if (!checked.ok) return refuse(reply, checked);
    let account = await sessionAccount(request);
    if (account && input.force_login) {
      await endWebSession(app.context, request.cookies[SESSION_COOKIE]);
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      account = null;
    }
    const csrfToken = reply.generateCsrf();
    if (!account) {
      return sendHtml(
        reply,
        200,
        signInPage({ instanceName: config.name, appName: checked.app.name, csrfToken, returnTo: authorizeUrl(checked.params) }),
      );
    }
    return sendHtml(
      reply,
      200,
      authorizePage({
        instanceName: config.name,
        appName: checked.app.name,
        username: account.username,
        csrfToken,
        params: checked.params,
      }),
    );
  });

  app.post(
    "/oauth/authorize",
    { schema: { body: authorizeQuery }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const input = request.body as AuthorizeInput;
      const checked = await checkRequest(app, input);
      if (!checked.ok) return refuse(reply, checked);
      const account = await sessionAccount(request);
      if (!account) return reply.redirect(authorizeUrl(checked.params), 303);
      const { params } = checked;
      if (input.decision !== "approve") {
        if (params.redirect_uri === OOB_REDIRECT) {
          return sendHtml(reply, 200, errorPage({ instanceName: config.name, title: "Authorization denied", message: "You denied access." }));
        }
        return reply.redirect(redirectWith(params.redirect_uri, { error: "access_denied", state: params.state }), 303);
      }
      const code = await createAuthorizationCode(app.context, {
        app: checked.app,
        accountId: account.id,
        redirectUri: params.redirect_uri,
        scopes: checked.scopes,
        codeChallenge: params.code_challenge,
        codeChallengeMethod: params.code_challenge_method,
      });
      if (params.redirect_uri === OOB_REDIRECT) {
        return sendHtml(reply, 200, codePage({ instanceName: config.name, appName: checked.app.name, code }));
      }
      return reply.redirect(redirectWith(params.redirect_uri, { code, state: params.state }), 303);
    },
  );

  app.post(
    "/auth/sign_in",
    {
      schema: {
        body: {
          type: "object",
          properties: {
            login: { type: "string", maxLength: 320 },
            password: { type: "string", maxLength: 1000 },
            return_to: { type: "string", maxLength: 4000 },
            _csrf: { type: "string" },
          },
        },
      },
      preHandler: app.csrfProtection,
    },
    async (request, reply) => {
      const body = request.body as { login?: string; password?: string; return_to?: string };
      const returnTo = body.return_to?.startsWith("/oauth/authorize?") ? body.return_to : null;
      const login = (body.login ?? "").trim();
      const keys = [`ip:${request.ip}`, `login:${login.toLowerCase()}`];
      const delay = throttle.delayFor(keys);
      if (delay === Number.POSITIVE_INFINITY) {
        throw new ApiError(429, "Too many failed sign-in attempts; try again later");
      }
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const account = login && body.password ? await checkLogin(app.context, login, body.password) : null;
      if (!account || account.suspended_at) {
        throttle.recordFailure(keys);
        const appName = returnTo
          ? ((await findApplicationByClientId(app.context.db, new URLSearchParams(returnTo.split("?")[1]).get("client_id") ?? ""))?.name ?? "An application")
          : "An application";
        return sendHtml(
          reply,
          401,
          signInPage({
            instanceName: config.name,
            appName,
            csrfToken: reply.generateCsrf(),
            returnTo: returnTo ?? "",
            login,
            error: account?.suspended_at ? "This account is suspended." : "Invalid e-mail address, username or password.",
          }),
        );
      }
      throttle.recordSuccess([`login:${login.toLowerCase()}`]);
      const token = await startWebSession(app.context, account.id);
      reply.setCookie(SESSION_COOKIE, token, {
        path: "/",
        httpOnly: true,
        sameSite: "lax",
        secure: secureCookies,
        maxAge: 14 * 24 * 60 * 60,
      });
      return reply.redirect(returnTo ?? "/", 303);
    },
  );
}
