// The ceiling: a bare Fastify server answering a small JSON object, on the same Node and machine
// as the instance. No request can be served faster than this here.
import Fastify from "fastify";

const app = Fastify({ logger: false });
app.get(
  "/",
  { schema: { response: { 200: { type: "object", properties: { hello: { type: "string" } } } } } },
  async () => ({ hello: "world" }),
);
await app.listen({
  port: Number(process.env.PORT ?? 3999),
  host: process.env.HALLWAY_BIND ?? "127.0.0.1",
});
process.on("SIGTERM", () => {
  void app.close().then(() => process.exit(0));
});
