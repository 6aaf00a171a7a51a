import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { emptyObject, errorResponse, idString } from "../../../schemas/common.ts";
import { arrayOf } from "../../../schemas/entities.ts";
import {
  addReaction,
  dismissAnnouncement,
  listAnnouncements,
  removeReaction,
} from "../../../services/announcements/announcements.ts";

const reactionParams = {
  type: "object",
  required: ["id", "name"],
  properties: { id: idString, name: { type: "string", minLength: 1, maxLength: 100 } },
} as const;

export default async function announcementsRoutes(app: FastifyInstance) {
  const context = app.context;

  app.get(
    "/api/v1/announcements",
    {
      config: { auth: "user", scopes: ["read"] },
      schema: { response: { 200: arrayOf("Announcement"), "4xx": errorResponse } },
    },
    async (request) => listAnnouncements(context, userOf(request).account.id),
  );

  app.post(
    "/api/v1/announcements/:id/dismiss",
    {
      config: { auth: "user", scopes: ["write:accounts"] },
      schema: {
        params: { type: "object", required: ["id"], properties: { id: idString } },
        response: { 200: emptyObject, "4xx": errorResponse },
      },
    },
    async (request) => {
      await dismissAnnouncement(context, userOf(request).account.id, (request.params as { id: string }).id);
      return {};
    },
  );

  app.put(
    "/api/v1/announcements/:id/reactions/:name",
    {
      config: { auth: "user", scopes: ["write:favourites"] },
      schema: { params: reactionParams, response: { 200: emptyObject, "4xx": errorResponse } },
    },
    async (request) => {
      const { id, name } = request.params as { id: string; name: string };
      await addReaction(context, userOf(request).account.id, id, name);
      return {};
    },
  );

  app.delete(
    "/api/v1/announcements/:id/reactions/:name",
    {
      config: { auth: "user", scopes: ["write:favourites"] },
      schema: { params: reactionParams, response: { 200: emptyObject, "4xx": errorResponse } },
    },
    async (request) => {
      const { id, name } = request.params as { id: string; name: string };
      await removeReaction(context, userOf(request).account.id, id, name);
      return {};
    },
  );
}
