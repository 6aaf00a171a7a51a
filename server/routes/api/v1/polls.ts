import type { FastifyInstance } from "fastify";
import { userOf } from "../../../plugins/auth.ts";
import { errorResponse, idParams } from "../../../schemas/common.ts";
import { ref } from "../../../schemas/entities.ts";
import { showPoll } from "../../../services/polls/read.ts";
import { votePoll } from "../../../services/polls/votes.ts";

// `choices` is checked by the service, after the poll is found: an unknown poll is a 404 first.
const voteBody = {
  type: "object",
  properties: {
    // Indexes into the options; the service says which ones do not exist, in Mastodon's words.
    choices: { type: "array", maxItems: 100, items: { type: "integer", minimum: -1000, maximum: 1000 } },
  },
} as const;

export default async function pollsRoutes(app: FastifyInstance) {
  const context = app.context;

  app.get(
    "/api/v1/polls/:id",
    {
      config: { auth: "user", scopes: ["read:statuses"] },
      schema: { params: idParams, response: { 200: ref("Poll"), "4xx": errorResponse } },
    },
    async (request) => showPoll(context, (request.params as { id: string }).id, userOf(request).account.id),
  );

  app.post(
    "/api/v1/polls/:id/votes",
    {
      config: { auth: "user", scopes: ["write:statuses"] },
      schema: { params: idParams, body: voteBody, response: { 200: ref("Poll"), "4xx": errorResponse } },
    },
    async (request) => {
      const { choices } = request.body as { choices?: number[] };
      return votePoll(context, userOf(request).account, (request.params as { id: string }).id, choices ?? []);
    },
  );
}
