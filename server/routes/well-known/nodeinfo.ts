import type { FastifyInstance } from "fastify";
import { instanceStats } from "../../services/instance/instance.ts";
import { SOFTWARE_NAME, SOFTWARE_VERSION } from "../../version.ts";

const nodeInfoSchema = {
  type: "object",
  properties: {
    version: { type: "string" },
    software: {
      type: "object",
      properties: {
        name: { type: "string" },
        version: { type: "string" },
        repository: { type: "string" },
        homepage: { type: "string" },
      },
    },
    protocols: { type: "array", items: { type: "string" } },
    services: { type: "object", additionalProperties: true },
    openRegistrations: { type: "boolean" },
    usage: { type: "object", additionalProperties: true },
    metadata: { type: "object", additionalProperties: true },
  },
} as const;

/**
 * NodeInfo 2.0 and 2.1. `metadata.upstream` names Mastodon: client libraries such as megalodon
 * pick their API flavour from it.
 */
export default async function nodeInfoRoutes(app: FastifyInstance) {
  const context = app.context;
  const { origin } = context.config;

  app.get(
    "/.well-known/nodeinfo",
    {
      schema: {
        response: {
          200: {
            type: "object",
            properties: {
              links: {
                type: "array",
                items: { type: "object", properties: { rel: { type: "string" }, href: { type: "string" } } },
              },
            },
          },
        },
      },
    },
    async () => ({
      links: [
        { rel: "http://nodeinfo.diaspora.software/ns/schema/2.0", href: `${origin}/nodeinfo/2.0` },
        { rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", href: `${origin}/nodeinfo/2.1` },
      ],
    }),
  );

  for (const version of ["2.0", "2.1"] as const) {
    app.get(`/nodeinfo/${version}`, { schema: { response: { 200: nodeInfoSchema } } }, async (_request, reply) => {
      const stats = await instanceStats(context);
      reply.type(
        `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/${version}#"`,
      );
      return {
        version,
        software: {
          name: SOFTWARE_NAME,
          version: SOFTWARE_VERSION,
          ...(version === "2.1" ? { homepage: origin } : {}),
        },
        protocols: ["activitypub"],
        services: { inbound: [], outbound: [] },
        openRegistrations: context.config.registrations === "open",
        usage: {
          users: { total: stats.userCount, activeMonth: stats.activeMonth, activeHalfyear: stats.activeHalfyear },
          localPosts: stats.statusCount,
        },
        metadata: { nodeName: context.config.name, upstream: { name: "mastodon", version: "4.3.0" } },
      };
    });
  }

  app.get("/.well-known/host-meta", { schema: { response: { 200: { type: "string" } } } }, async (_request, reply) => {
    reply.type("application/xrd+xml; charset=utf-8");
    return `<?xml version="1.0" encoding="UTF-8"?>
<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
  <Link rel="lrdd" template="${origin}/.well-known/webfinger?resource={uri}"/>
</XRD>
`;
  });
}
