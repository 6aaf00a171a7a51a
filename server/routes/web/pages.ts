// Profile and post addresses opened in a browser. A colleague signed in on this campus (the
// sign-in page's session) sees a minimal rendering; anyone else gets the same closed page
// whether or not the account or post exists, so the pages reveal nothing.
import fastifyCookie from "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { findAccountByHandle } from "../../../db/repositories/accounts.ts";
import { acctOf } from "../../serializers/account.ts";
import { findVisibleStatusRow } from "../../services/statuses/read.ts";
import { findWebSessionAccount } from "../../services/web/sessions.ts";
import { closedPage, profilePage, statusPage } from "../../views/public-pages.ts";

const SESSION_COOKIE = "hallway_session";

const usernameParams = {
  type: "object",
  required: ["username"],
  properties: { username: { type: "string", pattern: "^@?[A-Za-z0-9_]{1,30}$" } },
} as const;
const statusParams = {
  type: "object",
  required: ["username", "id"],
  properties: { username: { type: "string", pattern: "^@?[A-Za-z0-9_]{1,30}$" }, id: { type: "string", pattern: "^[0-9]{1,19}$" } },
} as const;

export default async function webPages(app: FastifyInstance) {
  const context = app.context;
  await app.register(fastifyCookie);

  const send = (reply: FastifyReply, body: string) =>
    reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "private, no-store")
      .header("x-frame-options", "DENY")
      .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'")
      .send(body);

  const viewer = (request: FastifyRequest) => findWebSessionAccount(context, request.cookies[SESSION_COOKIE]);
  const closed = (reply: FastifyReply) => send(reply, closedPage(context.config.name));

  const profile = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!(await viewer(request))) return closed(reply);
    const username = (request.params as { username: string }).username.replace(/^@/, "");
    const account = await findAccountByHandle(context.db, username, null);
    if (!account || account.suspended_at) return closed(reply);
    return send(
      reply,
      profilePage(context.config.name, {
        displayName: account.display_name,
        acct: `${acctOf(account)}@${context.config.domain}`,
        noteHtml: account.note,
        statusesCount: account.statuses_count,
        followersCount: account.followers_count,
      }),
    );
  };

  const status = async (request: FastifyRequest, reply: FastifyReply) => {
    const signedIn = await viewer(request);
    if (!signedIn) return closed(reply);
    const { username, id } = request.params as { username: string; id: string };
    try {
      const row = await findVisibleStatusRow(context, id, signedIn.id);
      const author = await findAccountByHandle(context.db, username.replace(/^@/, ""), null);
      if (!author || row.account_id !== author.id) return closed(reply);
      return send(
        reply,
        statusPage(context.config.name, {
          author: author.display_name || author.username,
          acct: `${author.username}@${context.config.domain}`,
          contentHtml: row.content,
          spoilerText: row.spoiler_text,
          createdAt: row.created_at.toISOString().slice(0, 16).replace("T", " "),
        }),
      );
    } catch {
      return closed(reply);
    }
  };

  const options = (params: object) => ({ schema: { params, response: { 200: { type: "string" } } } });
  app.get("/@:username", options(usernameParams), profile);
  app.get("/users/:username", options(usernameParams), profile);
  app.get("/@:username/:id", options(statusParams), status);
  app.get("/users/:username/statuses/:id", options(statusParams), status);
  app.get("/", { schema: { response: { 200: { type: "string" } } } }, async (_request, reply) => closed(reply));
}
