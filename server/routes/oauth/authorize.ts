// The sign-in and consent pages of the authorization-code flow, server-rendered.
import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "../../errors.ts";
import { OOB_REDIRECT } from "../../services/oauth/applications.ts";
import {
  type AuthorizationCheck,
  type AuthorizeInput,
  authorizeUrl,
  checkAuthorizationRequest,
  redirectWith,
} from "../../services/oauth/authorization-request.ts";
import { createAuthorizationCode } from "../../services/oauth/grants.ts";
import { endWebSession, findWebSessionAccount } from "../../services/web/sessions.ts";
import { authorizePage, codePage, errorPage, signInPage } from "../../views/oauth.ts";
import { SESSION_COOKIE, sendHtml } from "./pages.ts";
import signInRoutes from "./sign-in.ts";

const authorizeFields = {
  response_type: { type: "string", maxLength: 100 },
  client_id: { type: "string", maxLength: 200 },
  redirect_uri: { type: "string", maxLength: 2000 },
  scope: { type: "string", maxLength: 2000 },
  state: { type: "string", maxLength: 2000 },
  code_challenge: { type: "string", maxLength: 200 },
  code_challenge_method: { type: "string", maxLength: 20 },
} as const;

const authorizeQuery = {
  type: "object",
  properties: {
    ...authorizeFields,
    force_login: { "x-boolean": true },
    lang: { type: "string", maxLength: 20 },
  },
} as const;

const decisionBody = {
  type: "object",
  properties: {
    ...authorizeFields,
    decision: { type: "string", enum: ["approve", "deny"] },
    _csrf: { type: "string", maxLength: 200 },
  },
} as const;

type Refusal = Exclude<AuthorizationCheck, { ok: true }>;

// The fields of the query and form that describe the request itself.
function authorizeInput(values: Record<string, unknown>): AuthorizeInput {
  const input: AuthorizeInput = {};
  for (const key of Object.keys(authorizeFields) as (keyof AuthorizeInput)[]) {
    if (typeof values[key] === "string") input[key] = values[key];
  }
  return input;
}

function pageError(error: FastifyError): { status: number; message: string } {
  if (error instanceof ApiError) return { status: error.status, message: error.message };
  if (error.code === "FST_CSRF_INVALID_TOKEN" || error.code === "FST_CSRF_MISSING_SECRET") {
    return { status: 403, message: "This form has expired or was not sent from this site. Go back, reload the page and try again." };
  }
  if (error.validation) return { status: 400, message: `The request is malformed: ${error.message}` };
  const status = error.statusCode ?? 500;
  return status < 500 ? { status, message: error.message } : { status: 500, message: "Something went wrong." };
}

export default async function authorizeRoutes(app: FastifyInstance) {
  const { config } = app.context;
  const secureCookies = config.origin.startsWith("https://");
  await app.register(fastifyCookie);
  await app.register(fastifyCsrf, {
    cookieOpts: { path: "/", sameSite: "lax", httpOnly: true, secure: secureCookies },
  });

  // People, not apps, read these answers: errors are pages too.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, message } = pageError(error);
    if (status >= 500) request.log.error({ err: error }, "sign-in page failed");
    return sendHtml(reply, status, errorPage({ instanceName: config.name, title: "Something went wrong", message }));
  });

  const refuse = (reply: FastifyReply, refusal: Refusal) =>
    "redirect" in refusal
      ? reply.redirect(refusal.redirect, 303)
      : sendHtml(
          reply,
          refusal.page.status,
          errorPage({ instanceName: config.name, title: "Authorization failed", message: refusal.page.message }),
        );

  const sessionAccount = (request: FastifyRequest) => findWebSessionAccount(app.context, request.cookies[SESSION_COOKIE]);

  app.get("/oauth/authorize", { schema: { querystring: authorizeQuery } }, async (request, reply) => {
    const query = request.query as Record<string, unknown> & { force_login?: boolean };
    const checked = await checkAuthorizationRequest(app.context, authorizeInput(query));
    if (!checked.ok) return refuse(reply, checked);
    let account = await sessionAccount(request);
    if (account && query.force_login) {
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
      { redirectUri: checked.params.redirect_uri },
    );
  });

  app.post(
    "/oauth/authorize",
    { schema: { body: decisionBody }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const body = request.body as Record<string, unknown> & { decision?: string };
      const checked = await checkAuthorizationRequest(app.context, authorizeInput(body));
      if (!checked.ok) return refuse(reply, checked);
      const account = await sessionAccount(request);
      if (!account) return reply.redirect(authorizeUrl(checked.params), 303);
      const { params } = checked;
      if (body.decision !== "approve") {
        if (params.redirect_uri === OOB_REDIRECT) {
          return sendHtml(reply, 200, errorPage({ instanceName: config.name, title: "Authorization denied", message: "You denied access." }));
        }
        return reply.redirect(
          redirectWith(params.redirect_uri, {
            error: "access_denied",
            error_description: "The resource owner or authorization server denied the request.",
            state: params.state,
          }),
          303,
        );
      }
      const code = await createAuthorizationCode(app.context, {
        app: checked.app,
        accountId: account.id,
        redirectUri: params.redirect_uri,
        scopes: checked.scopes,
        codeChallenge: params.code_challenge,
      });
      if (params.redirect_uri === OOB_REDIRECT) {
        return sendHtml(reply, 200, codePage({ instanceName: config.name, appName: checked.app.name, code }));
      }
      return reply.redirect(redirectWith(params.redirect_uri, { code, state: params.state }), 303);
    },
  );

  await app.register(signInRoutes);
}
