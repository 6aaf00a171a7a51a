// POST /auth/sign_in: the sign-in form in front of the consent page. Registered inside the
// authorize routes, whose cookie, CSRF and error-page setup it shares.
import type { FastifyInstance } from "fastify";
import { findApplicationByClientId } from "../../services/oauth/applications.ts";
import { attemptLogin } from "../../services/oauth/login.ts";
import { startWebSession } from "../../services/web/sessions.ts";
import { signedInPage, signInPage } from "../../views/oauth.ts";
import { SESSION_COOKIE, SESSION_MAX_AGE_SECONDS, sendHtml } from "./pages.ts";

const signInBody = {
  type: "object",
  properties: {
    login: { type: "string", maxLength: 320 },
    password: { type: "string", maxLength: 1000 },
    return_to: { type: "string", maxLength: 4000 },
    _csrf: { type: "string", maxLength: 200 },
  },
} as const;

const FAILURE_TEXT = {
  invalid: "Invalid e-mail address, username or password.",
  suspended: "This account is suspended.",
  throttled: "Too many failed sign-in attempts. Try again later.",
} as const;

// Only back into the OAuth flow on this site, so the form cannot be used as an open redirect.
const safeReturnTo = (value: string | undefined) => (value?.startsWith("/oauth/authorize?") ? value : null);

export default async function signInRoutes(app: FastifyInstance) {
  const { config } = app.context;
  const secureCookies = config.origin.startsWith("https://");

  const appNameFor = async (returnTo: string | null) => {
    const clientId = returnTo ? new URLSearchParams(returnTo.slice(returnTo.indexOf("?") + 1)).get("client_id") : null;
    const client = clientId ? await findApplicationByClientId(app.context.db, clientId) : undefined;
    return client?.name ?? "An application";
  };

  app.post("/auth/sign_in", { schema: { body: signInBody }, preHandler: app.csrfProtection }, async (request, reply) => {
    const body = request.body as { login?: string; password?: string; return_to?: string };
    const returnTo = safeReturnTo(body.return_to);
    const login = (body.login ?? "").trim();
    const result = await attemptLogin(app.context, { login, password: body.password ?? "", address: request.ip });
    if (!result.ok) {
      return sendHtml(
        reply,
        result.reason === "throttled" ? 429 : 401,
        signInPage({
          instanceName: config.name,
          appName: await appNameFor(returnTo),
          csrfToken: reply.generateCsrf(),
          returnTo: returnTo ?? "",
          login,
          error: FAILURE_TEXT[result.reason],
        }),
      );
    }
    const token = await startWebSession(app.context, result.account.id);
    reply.setCookie(SESSION_COOKIE, token, {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: secureCookies,
      maxAge: SESSION_MAX_AGE_SECONDS,
    });
    if (!returnTo) {
      return sendHtml(reply, 200, signedInPage({ instanceName: config.name, username: result.account.username }));
    }
    return reply.redirect(returnTo, 303);
  });
}
