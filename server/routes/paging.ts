import type { FastifyReply, FastifyRequest } from "fastify";
import { type PageParams, clampLimit, linkHeader } from "../services/pagination.ts";

/** The page parameters of a list request, with the limit clamped to the endpoint's maximum. */
export function pageOf(request: FastifyRequest, fallback = 20, max = 40): { page: PageParams; limit: number } {
  const query = request.query as PageParams;
  return {
    page: { max_id: query.max_id, since_id: query.since_id, min_id: query.min_id },
    limit: clampLimit(query.limit, fallback, max),
  };
}

/** Sets the Link header pointing at the next (older) and previous (newer) pages. */
export function setPageLinks(
  request: FastifyRequest,
  reply: FastifyReply,
  cursors: { newest: string; oldest: string } | null,
): void {
  const path = request.url.split("?")[0]!;
  const link = linkHeader(
    request.server.context.urls.api(path),
    (request.query ?? {}) as Record<string, unknown>,
    cursors,
  );
  if (link) reply.header("link", link);
}
