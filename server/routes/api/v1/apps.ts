import type { FastifyInstance } from "fastify";
import { errorResponse } from "../../../schemas/common.ts";
import { ref } from "../../../schemas/entities.ts";
import { applicationToApi } from "../../../serializers/application.ts";
import { notFound } from "../../../errors.ts";
import { createApplication, findApplicationById } from "../../../services/oauth/applications.ts";

export default async function appsRoutes(app: FastifyInstance) {
  app.post(
    "/api/v1/apps",
    {
      schema: {
        body: {
          type: "object",
          properties: {
            client_name: { type: "string", maxLength: 1000 },
            redirect_uris: {
              anyOf: [
                { type: "string", maxLength: 4000 },
                { type: "array", maxItems: 20, items: { type: "string", maxLength: 2000 } },
              ],
            },
            scopes: { type: "string", maxLength: 2000 },
            website: { type: "string", maxLength: 2000 },
          },
        },
        response: { 200: ref("Application"), "4xx": errorResponse },
      },
    },
    async (request) => {
      // Missing fields are left to the service, whose messages are Mastodon's ("Name can't be blank").
      const body = (request.body ?? {}) as {
        client_name?: string;
        redirect_uris?: string | string[];
        scopes?: string;
        website?: string;
      };
      const created = await createApplication(app.context.db, {
        clientName: body.client_name,
        redirectUris: body.redirect_uris,
        scopes: body.scopes,
        website: body.website,
      });
      return applicationToApi(created, { withSecret: true });
    },
  );

  app.get(
    "/api/v1/apps/verify_credentials",
    {
      config: { auth: "app" },
      schema: { response: { 200: ref("Application"), "4xx": errorResponse } },
    },
    async (request) => {
      const applicationId = request.viewer?.applicationId;
      const found = applicationId ? await findApplicationById(app.context.db, applicationId) : undefined;
      if (!found) throw notFound();
      return applicationToApi(found, { withSecret: false });
    },
  );
}
