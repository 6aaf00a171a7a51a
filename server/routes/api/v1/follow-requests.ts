import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { errorResponse, idParams, pageQuery } from "../../../schemas/common.ts";
import { arrayOf, ref } from "../../../schemas/entities.ts";
import { decideFollowRequest } from "../../../services/accounts/follows.ts";
import { followRequests } from "../../../services/accounts/queries.ts";
import { pageOf, setPageLinks } from "../../paging.ts";

export default async function followRequestsRoutes(app: FastifyInstance) {
  const context = app.context;

  app.get(
    "/api/v1/follow_requests",
    {
      config: { auth: "user", scopes: ["read:follows"] },
      schema: {
        querystring: { type: "object", properties: pageQuery },
        response: { 200: arrayOf("Account"), "4xx": errorResponse },
      },
    },
    async (request, reply) => {
      const { page, limit } = pageOf(request, 40, 80);
      const result = await followRequests(context, userOf(request).account.id, page, limit);
      setPageLinks(request, reply, result.cursors);
      return result.accounts;
    },
  );

  for (const decision of ["authorize", "reject"] as const) {
    app.post(
      `/api/v1/follow_requests/:id/${decision}`,
      {
        config: { auth: "user", scopes: ["write:follows"] },
        schema: { params: idParams, response: { 200: ref("Relationship"), "4xx": errorResponse } },
      },
      async (request) =>
        decideFollowRequest(context, userOf(request).account, (request.params as { id: string }).id, decision === "authorize"),
    );
  }
}
