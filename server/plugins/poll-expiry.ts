import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { AppContext } from "../context.ts";
import { PollExpiryWatch } from "../services/polls/expiry.ts";

/**
 * Ends polls when their time is up, in a server that listens (an app driven only by inject()
 * in tests leaves that to the test). Stopped, and its last look awaited, when the app closes.
 */
export const pollExpiryPlugin = fp(async (app: FastifyInstance, options: { context: AppContext }) => {
  const watch = new PollExpiryWatch(options.context);
  app.addHook("onListen", async () => {
    watch.start();
  });
  app.addHook("onClose", async () => {
    await watch.stop();
  });
});
