import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { emptyObject, errorResponse, idParams, pageQuery } from "../../../schemas/common.ts";
import { arrayOf, ref } from "../../../schemas/entities.ts";
import {
  deleteConversation,
  listConversations,
  markConversationRead,
} from "../../../services/conversations/conversations.ts";
import { pageOf, setPageLinks } from "../../paging.ts";

export default async function conversationsRoutes(app: FastifyInstance) {
  const context = app.context;
  const conversationId = (request: { params: unknown }) => (request.params as { id: string }).id;

  app.get(
    "/api/v1/conversations",
    {
      config: { auth: "user", scopes: ["read:statuses"] },
      schema: {
        querystring: { type: "object", properties: pageQuery },
        response: { 200: arrayOf("Conversation"), "4xx": errorResponse },
      },
    },
    async (request, reply) => {
      const { page, limit } = pageOf(request, 20, 40);
      const result = await listConversations(context, userOf(request).account.id, page, limit);
      setPageLinks(request, reply, result.cursors);
      return result.conversations;
    },
  );

  app.post(
    "/api/v1/conversations/:id/read",
    {
      config: { auth: "user", scopes: ["write:conversations"] },
      schema: { params: idParams, response: { 200: ref("Conversation"), "4xx": errorResponse } },
    },
    async (request) => markConversationRead(context, userOf(request).account.id, conversationId(request)),
  );

  app.delete(
    "/api/v1/conversations/:id",
    {
      config: { auth: "user", scopes: ["write:conversations"] },
      schema: { params: idParams, response: { 200: emptyObject, "4xx": errorResponse } },
    },
    async (request) => {
      await deleteConversation(context, userOf(request).account.id, conversationId(request));
      return {};
    },
  );
}
