import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { bool, errorResponse, limitParam } from "../../../schemas/common.ts";
import { arrayOf } from "../../../schemas/entities.ts";
import { type DirectoryParams, listDirectory } from "../../../services/directory/directory.ts";
import { clampLimit } from "../../../services/pagination.ts";

const directoryQuery = {
  type: "object",
  properties: {
    offset: { type: "integer", minimum: 0, maximum: 100_000 },
    limit: limitParam,
    order: { type: "string", enum: ["active", "new"] },
    local: bool,
    // Hallway extensions (README, "Org directory"):
    skill: { type: "string", maxLength: 200 },
    campus: { type: "string", maxLength: 300 },
  },
} as const;

export default async function directoryRoutes(app: FastifyInstance) {
  const context = app.context;

  // Closed campus: the directory is for signed-in colleagues only.
  app.get(
    "/api/v1/directory",
    {
      config: { auth: "user", scopes: ["read:accounts"] },
      schema: { querystring: directoryQuery, response: { 200: arrayOf("Account"), "4xx": errorResponse } },
    },
    async (request) => {
      const query = request.query as Omit<DirectoryParams, "limit"> & { limit?: number };
      return listDirectory(context, userOf(request).account.id, { ...query, limit: clampLimit(query.limit, 40, 80) });
    },
  );
}
