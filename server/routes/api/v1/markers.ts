import type { FastifyInstance } from "fastify";
import type { MarkerTimeline } from "../../../../db/schema.ts";
import { userOf } from "../../../plugins/auth.ts";
import { errorResponse, idString } from "../../../schemas/common.ts";
import { ref } from "../../../schemas/entities.ts";
import { getMarkers, saveMarkers } from "../../../services/markers/markers.ts";

const markers = {
  type: "object",
  properties: { home: ref("Marker"), notifications: ref("Marker") },
} as const;

const position = {
  type: "object",
  required: ["last_read_id"],
  properties: { last_read_id: idString },
} as const;

export default async function markersRoutes(app: FastifyInstance) {
  app.get(
    "/api/v1/markers",
    {
      config: { auth: "user", scopes: ["read:statuses"] },
      schema: {
        querystring: {
          type: "object",
          properties: { timeline: { type: "array", maxItems: 10, items: { type: "string", maxLength: 30 } } },
        },
        response: { 200: markers, "4xx": errorResponse },
      },
    },
    async (request) => {
      const { timeline = [] } = request.query as { timeline?: string[] };
      return getMarkers(app.context, userOf(request).account.id, timeline);
    },
  );

  app.post(
    "/api/v1/markers",
    {
      config: { auth: "user", scopes: ["write:statuses"] },
      schema: {
        body: { type: "object", properties: { home: position, notifications: position } },
        response: { 200: markers, "4xx": errorResponse },
      },
    },
    async (request) => {
      const body = (request.body ?? {}) as Partial<Record<MarkerTimeline, { last_read_id: string }>>;
      return saveMarkers(app.context, userOf(request).account.id, {
        home: body.home?.last_read_id,
        notifications: body.notifications?.last_read_id,
      });
    },
  );
}
