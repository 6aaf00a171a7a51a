import type { FastifyInstance } from "fastify";
import { userOf } from "../../../../plugins/auth.ts";
import { bool, errorResponse, idParams, idString, pageQuery } from "../../../../schemas/common.ts";
import { arrayOf, ref } from "../../../../schemas/entities.ts";
import { block, blockedAccounts, unblock } from "../../../../services/relationships/blocks.ts";
import {
  familiarFollowers,
  removeFromFollowers,
  setAccountNote,
} from "../../../../services/relationships/followers.ts";
import { mute, mutedAccounts, unmute } from "../../../../services/relationships/mutes.ts";
import { pageOf, setPageLinks } from "../../../paging.ts";

const relationshipResponse = { 200: ref("Relationship"), "4xx": errorResponse };

export default async function relationshipRoutes(app: FastifyInstance) {
  const context = app.context;
  const accountId = (request: { params: unknown }) => (request.params as { id: string }).id;

  app.post(
    "/api/v1/accounts/:id/block",
    {
      config: { auth: "user", scopes: ["write:blocks"] },
      schema: { params: idParams, response: relationshipResponse },
    },
    async (request) => block(context, userOf(request).account, accountId(request)),
  );

  app.post(
    "/api/v1/accounts/:id/unblock",
    {
      config: { auth: "user", scopes: ["write:blocks"] },
      schema: { params: idParams, response: relationshipResponse },
    },
    async (request) => unblock(context, userOf(request).account, accountId(request)),
  );

  app.post(
    "/api/v1/accounts/:id/mute",
    {
      config: { auth: "user", scopes: ["write:mutes"] },
      schema: {
        params: idParams,
        body: {
          type: ["object", "null"],
          properties: {
            notifications: bool,
            // Seconds; 0 mutes until unmuted.
            duration: { type: "integer", minimum: 0, maximum: 2_000_000_000 },
          },
        },
        response: relationshipResponse,
      },
    },
    async (request) => {
      const body = (request.body ?? {}) as { notifications?: boolean; duration?: number };
      return mute(context, userOf(request).account, accountId(request), body);
    },
  );

  app.post(
    "/api/v1/accounts/:id/unmute",
    {
      config: { auth: "user", scopes: ["write:mutes"] },
      schema: { params: idParams, response: relationshipResponse },
    },
    async (request) => unmute(context, userOf(request).account, accountId(request)),
  );

  app.post(
    "/api/v1/accounts/:id/note",
    {
      config: { auth: "user", scopes: ["write:accounts"] },
      schema: {
        params: idParams,
        body: {
          type: ["object", "null"],
          properties: { comment: { type: ["string", "null"], maxLength: 10_000 } },
        },
        response: relationshipResponse,
      },
    },
    async (request) => {
      const body = (request.body ?? {}) as { comment?: string | null };
      return setAccountNote(context, userOf(request).account, accountId(request), body.comment ?? "");
    },
  );

  app.post(
    "/api/v1/accounts/:id/remove_from_followers",
    {
      config: { auth: "user", scopes: ["write:follows"] },
      schema: { params: idParams, response: relationshipResponse },
    },
    async (request) => removeFromFollowers(context, userOf(request).account, accountId(request)),
  );

  app.get(
    "/api/v1/accounts/familiar_followers",
    {
      config: { auth: "user", scopes: ["read:follows"] },
      schema: {
        querystring: {
          type: "object",
          properties: { id: { type: "array", maxItems: 100, items: idString } },
        },
        response: { 200: arrayOf("FamiliarFollowers"), "4xx": errorResponse },
      },
    },
    async (request) =>
      familiarFollowers(context, userOf(request).account.id, (request.query as { id?: string[] }).id ?? []),
  );

  app.get(
    "/api/v1/blocks",
    {
      config: { auth: "user", scopes: ["read:blocks"] },
      schema: { querystring: { type: "object", properties: pageQuery }, response: { 200: arrayOf("Account"), "4xx": errorResponse } },
    },
    async (request, reply) => {
      const { page, limit } = pageOf(request, 40, 80);
      const result = await blockedAccounts(context, userOf(request).account.id, page, limit);
      setPageLinks(request, reply, result.cursors);
      return result.accounts;
    },
  );

  app.get(
    "/api/v1/mutes",
    {
      config: { auth: "user", scopes: ["read:mutes"] },
      schema: {
        querystring: { type: "object", properties: pageQuery },
        response: { 200: arrayOf("MutedAccount"), "4xx": errorResponse },
      },
    },
    async (request, reply) => {
      const { page, limit } = pageOf(request, 40, 80);
      const result = await mutedAccounts(context, userOf(request).account.id, page, limit);
      setPageLinks(request, reply, result.cursors);
      return result.accounts;
    },
  );
}
