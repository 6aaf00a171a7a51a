import type { FastifyInstance } from "fastify";
import { bool, errorResponse } from "../../../../schemas/common.ts";
import { ref } from "../../../../schemas/entities.ts";
import { registerAccount } from "../../../../services/accounts/register.ts";

export default async function registrationRoutes(app: FastifyInstance) {
  app.post(
    "/api/v1/accounts",
    {
      config: { auth: "app", scopes: ["write:accounts"] },
      schema: {
        body: {
          type: "object",
          properties: {
            username: { type: "string", maxLength: 100 },
            email: { type: "string", maxLength: 320 },
            password: { type: "string", maxLength: 1000 },
            agreement: bool,
            locale: { type: "string", maxLength: 20 },
            reason: { type: "string", maxLength: 1000 },
            invite_code: { type: "string", maxLength: 100 },
            date_of_birth: { type: "string", maxLength: 20 },
          },
        },
        response: { 200: ref("Token"), "4xx": errorResponse },
      },
    },
    async (request) => {
      // Blank fields are reported by the service, with Mastodon's per-field `details`.
      const body = (request.body ?? {}) as {
        username?: string;
        email?: string;
        password?: string;
        agreement?: boolean;
        locale?: string;
        invite_code?: string;
      };
      return registerAccount(app.context, request.viewer!, {
        username: body.username ?? "",
        email: body.email ?? "",
        password: body.password ?? "",
        agreement: body.agreement ?? false,
        locale: body.locale,
        inviteCode: body.invite_code,
      });
    },
  );
}
