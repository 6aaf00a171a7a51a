import type { FastifyInstance } from "fastify";
import { errorResponse, emptyObject } from "../../../schemas/common.ts";
import { ref } from "../../../schemas/entities.ts";
import {
  createPushSubscription,
  deletePushSubscription,
  findPushSubscription,
} from "../../../services/notifications/push.ts";

const alerts = {
  type: "object",
  properties: Object.fromEntries(
    [
      "mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update",
      "admin.sign_up", "admin.report", "quote", "quoted_update",
    ].map((type) => [type, { "x-boolean": true }]),
  ),
} as const;

const data = {
  type: "object",
  properties: { alerts, policy: { type: "string", enum: ["all", "followed", "follower", "none"] } },
} as const;

export default async function pushRoutes(app: FastifyInstance) {
  const config = { auth: "user", scopes: ["push"] } as const;
  const subscriptionResponse = { 200: ref("WebPushSubscription"), "4xx": errorResponse };

  app.post(
    "/api/v1/push/subscription",
    {
      config,
      schema: {
        body: {
          type: "object",
          required: ["subscription"],
          properties: {
            subscription: {
              type: "object",
              required: ["endpoint", "keys"],
              properties: {
                endpoint: { type: "string", minLength: 1, maxLength: 2000 },
                keys: {
                  type: "object",
                  required: ["p256dh", "auth"],
                  properties: {
                    p256dh: { type: "string", minLength: 1, maxLength: 200 },
                    auth: { type: "string", minLength: 1, maxLength: 200 },
                  },
                },
                standard: { "x-boolean": true },
              },
            },
            data,
          },
        },
        response: subscriptionResponse,
      },
    },
    async () => createPushSubscription(),
  );

  app.get(
    "/api/v1/push/subscription",
    { config, schema: { response: subscriptionResponse } },
    async () => findPushSubscription(),
  );

  app.put(
    "/api/v1/push/subscription",
    { config, schema: { body: { type: "object", properties: { data } }, response: subscriptionResponse } },
    async () => findPushSubscription(),
  );

  app.delete(
    "/api/v1/push/subscription",
    { config, schema: { response: { 200: emptyObject, "4xx": errorResponse } } },
    async () => {
      deletePushSubscription();
      return {};
    },
  );
}
