// The bridge between Fastify and Fedify. Requests for ActivityPub endpoints (actors, objects,
// collections, inboxes, WebFinger) pass the wall checks and go to federation.fetch(); what Fedify
// does not serve (browsers asking for HTML, unknown paths) falls through to Fastify's routes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { FederationRuntime } from "../../federation/runtime.ts";
import { SIBLING_SEARCH_PATH } from "../../federation/sibling-search.ts";

const FEDERATION_PATH = /^\/(users\/[^/?#]+(\/.*)?|inbox|\.well-known\/webfinger)(\?|$)/;
const MAX_ACTIVITY_BYTES = 1024 * 1024;
const SIBLING_SEARCH = new RegExp(`^${SIBLING_SEARCH_PATH}(\\?|$)`);

/** Fedify serves ActivityPub unless the client prefers HTML (a browser). */
function prefersHtml(request: FastifyRequest): boolean {
  const accept = String(request.headers.accept ?? "");
  const first = accept.split(",")[0]?.trim().split(";")[0]?.trim().toLowerCase();
  return first === "text/html" || first === "application/xhtml+xml";
}

async function readBody(request: FastifyRequest): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > MAX_ACTIVITY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toWebRequest(request: FastifyRequest, origin: string, body: Buffer | null): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return new Request(new URL(request.url, origin), {
    method: request.method,
    headers,
    body: body && request.method !== "GET" && request.method !== "HEAD" ? new Uint8Array(body) : undefined,
  });
}

async function sendWebResponse(reply: FastifyReply, response: Response): Promise<void> {
  reply.status(response.status);
  response.headers.forEach((value, name) => {
    reply.header(name, value);
  });
  const body = Buffer.from(await response.arrayBuffer());
  await reply.send(body);
}

export const federationPlugin = fp(async (app: FastifyInstance, options: { runtime: FederationRuntime }) => {
  const { runtime } = options;
  const { origin } = app.context.config;

  app.addHook("onRequest", async (request, reply) => {
    const path = request.url;
    // Cross-campus search: answered to signed siblings only (federation/sibling-search.ts).
    if (request.method === "GET" && SIBLING_SEARCH.test(path)) {
      await sendWebResponse(reply, await runtime.siblingSearch.serve(toWebRequest(request, origin, null), request.ip));
      return reply;
    }
    if (!FEDERATION_PATH.test(path)) return;
    if (request.method === "GET" && prefersHtml(request) && !path.startsWith("/.well-known/")) return;
    if (request.method === "OPTIONS") return;

    let body: Buffer | null = null;
    if (request.method === "POST") {
      body = await readBody(request);
      if (!body) {
        await reply.status(413).send({ error: "The activity is too large" });
        return reply;
      }
    }
    const webRequest = toWebRequest(request, origin, body);
    const verdict = await runtime.guard(webRequest, body, request.ip);
    if (!verdict.ok) {
      await reply.status(verdict.status).send({ error: verdict.status === 401 ? "Request not signed" : "Forbidden" });
      return reply;
    }
    let fellThrough = false;
    const response = await runtime.federation.fetch(webRequest, {
      contextData: undefined,
      onNotFound: () => {
        fellThrough = true;
        return new Response(null, { status: 404 });
      },
      onNotAcceptable: () => {
        fellThrough = true;
        return new Response(null, { status: 406 });
      },
    });
    // A request Fedify does not serve is Fastify's, unless we already consumed its body.
    if (fellThrough && request.method === "GET") return;
    if (fellThrough) {
      await reply.status(404).send({ error: "Record not found" });
      return reply;
    }
    await sendWebResponse(reply, response);
    return reply;
  });
});
