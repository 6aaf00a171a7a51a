import type { FastifyInstance } from "fastify";
import { errorResponse } from "../../../schemas/common.ts";
import { InstanceV1Schema, InstanceV2Schema } from "../../../schemas/instance.ts";
import { instanceV1, instanceV2, knownPeers } from "../../../services/instance/instance.ts";

// Public: apps read these before anyone has signed in.
export default async function instanceRoutes(app: FastifyInstance) {
  const context = app.context;
  const publicRoute = { auth: "public" } as const;

  app.get(
    "/api/v1/instance",
    { config: publicRoute, schema: { response: { 200: InstanceV1Schema, "4xx": errorResponse } } },
    async () => instanceV1(context),
  );

  app.get(
    "/api/v2/instance",
    { config: publicRoute, schema: { response: { 200: InstanceV2Schema, "4xx": errorResponse } } },
    async () => instanceV2(context),
  );

  app.get(
    "/api/v1/instance/peers",
    {
      config: publicRoute,
      schema: { response: { 200: { type: "array", items: { type: "string" } }, "4xx": errorResponse } },
    },
    async () => knownPeers(context),
  );

  app.get(
    "/api/v1/instance/rules",
    {
      config: publicRoute,
      schema: { response: { 200: { type: "array", items: { type: "object", additionalProperties: true } } } },
    },
    async () => [],
  );

  app.get(
    "/api/v1/instance/extended_description",
    {
      config: publicRoute,
      schema: {
        response: {
          200: {
            type: "object",
            properties: { updated_at: { type: ["string", "null"] }, content: { type: "string" } },
          },
        },
      },
    },
    async () => ({ updated_at: null, content: `<p>${context.config.description.replaceAll("<", "&lt;")}</p>` }),
  );
}
