// What the server-rendered OAuth pages share: their security headers and the session cookie.
import type { FastifyReply } from "fastify";
import { OOB_REDIRECT } from "../../services/oauth/applications.ts";

export const SESSION_COOKIE = "hallway_session";
export const SESSION_MAX_AGE_SECONDS = 14 * 24 * 60 * 60;

/**
 * The CSP source a form may send the browser on to: browsers apply `form-action` to the redirect
 * that follows a POST as well, and `*` does not cover custom schemes (`com.example.app:`), so the
 * consent form names the app's redirect target explicitly.
 */
export function formActionSource(redirectUri: string | undefined): string | null {
  if (!redirectUri || redirectUri === OOB_REDIRECT) return null;
  const url = new URL(redirectUri);
  return url.protocol === "http:" || url.protocol === "https:" ? url.origin : url.protocol;
}

export function sendHtml(reply: FastifyReply, status: number, body: string, options: { redirectUri?: string } = {}) {
  const extra = formActionSource(options.redirectUri);
  return reply
    .status(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .header("x-frame-options", "DENY")
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .header(
      "content-security-policy",
      `default-src 'none'; style-src 'unsafe-inline'; form-action 'self'${extra ? ` ${extra}` : ""}; frame-ancestors 'none'; base-uri 'none'`,
    )
    .send(body);
}
