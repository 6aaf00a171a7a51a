// Hallway extensions for help requests and expertise (documented in the README's API notes).
import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { errorResponse, idString, limitParam } from "../../../schemas/common.ts";
import { ref } from "../../../schemas/entities.ts";
import { findExperts } from "../../../services/help/experts.ts";
import { resolveHelpRequest, showHelpRequest } from "../../../services/help/routing.ts";
import { clampLimit } from "../../../services/pagination.ts";

const statusParams = {
  type: "object",
  required: ["status_id"],
  properties: { status_id: idString },
} as const;

const helpRequest = {
  type: "object",
  required: ["status_id", "state"],
  properties: {
    status_id: { type: "string" },
    state: { type: "string", enum: ["open", "solved"] },
    solved_at: { type: ["string", "null"] },
    solved_by_status_id: { type: ["string", "null"] },
    answer_status_id: { type: ["string", "null"] },
    routed_account_ids: { type: "array", items: { type: "string" } },
  },
} as const;

const expert = {
  type: "object",
  required: ["account", "score", "evidence", "hops", "follow_path"],
  properties: {
    account: ref("Account"),
    score: { type: "number" },
    breakdown: {
      type: "object",
      properties: {
        posts: { type: "integer" },
        replies: { type: "integer" },
        answers: { type: "integer" },
        hashtags: { type: "integer" },
        skills: { type: "integer" },
      },
    },
    evidence: {
      type: "array",
      items: {
        type: "object",
        properties: {
          status_id: { type: "string" },
          url: { type: "string" },
          answer: { type: "boolean" },
        },
      },
    },
    hops: { type: ["integer", "null"] },
    follow_path: { type: "array", items: ref("Account") },
  },
} as const;

export default async function helpRoutes(app: FastifyInstance) {
  const context = app.context;
  const statusId = (request: { params: unknown }) =>
    (request.params as { status_id: string }).status_id;

  app.get(
    "/api/hallway/v1/help_requests/:status_id",
    {
      config: { auth: "user", scopes: ["read:statuses"] },
      schema: { params: statusParams, response: { 200: helpRequest, "4xx": errorResponse } },
    },
    async (request) => showHelpRequest(context, userOf(request).account.id, statusId(request)),
  );

  app.post(
    "/api/hallway/v1/help_requests/:status_id/resolve",
    {
      config: { auth: "user", scopes: ["write:statuses"] },
      schema: {
        params: statusParams,
        body: {
          type: ["object", "null"],
          properties: { answer_status_id: { anyOf: [idString, { type: "null" }] } },
        },
        response: { 200: helpRequest, "4xx": errorResponse },
      },
    },
    async (request) => {
      const viewer = userOf(request);
      const body = (request.body ?? {}) as { answer_status_id?: string | null };
      return resolveHelpRequest(context, viewer.account, statusId(request), {
        answerStatusId: body.answer_status_id ?? undefined,
        applicationId: viewer.applicationId,
      });
    },
  );

  app.get(
    "/api/hallway/v1/experts",
    {
      config: { auth: "user", scopes: ["read:search"] },
      schema: {
        querystring: {
          type: "object",
          required: ["q"],
          properties: {
            q: { type: "string", minLength: 1, maxLength: 2000 },
            limit: limitParam,
            offset: { type: "integer", minimum: 0, maximum: 10000 },
          },
        },
        response: { 200: { type: "array", items: expert }, "4xx": errorResponse },
      },
    },
    async (request) => {
      const query = request.query as { q: string; limit?: number; offset?: number };
      return findExperts(context, userOf(request).account.id, query.q, {
        limit: clampLimit(query.limit, 10, 40),
        offset: query.offset ?? 0,
      });
    },
  );
}
