import type { FastifyInstance } from "fastify";
import accountsRoutes from "./api/v1/accounts/accounts.ts";
import credentialsRoutes from "./api/v1/accounts/credentials.ts";
import registrationRoutes from "./api/v1/accounts/registration.ts";
import appsRoutes from "./api/v1/apps.ts";
import followRequestsRoutes from "./api/v1/follow-requests.ts";
import instanceRoutes from "./api/v1/instance.ts";
import notificationsRoutes from "./api/v1/notifications.ts";
import preferencesRoutes from "./api/v1/preferences.ts";
import statusesRoutes from "./api/v1/statuses.ts";
import timelinesRoutes from "./api/v1/timelines.ts";
import authorizeRoutes from "./oauth/authorize.ts";
import tokenRoutes from "./oauth/token.ts";
import nodeInfoRoutes from "./well-known/nodeinfo.ts";
import oauthMetadataRoutes from "./well-known/oauth-metadata.ts";

export async function registerRoutes(app: FastifyInstance): Promise<void> {
  await app.register(instanceRoutes);
  await app.register(nodeInfoRoutes);
  await app.register(oauthMetadataRoutes);
  await app.register(appsRoutes);
  await app.register(tokenRoutes);
  await app.register(authorizeRoutes);
  await app.register(registrationRoutes);
  await app.register(credentialsRoutes);
  await app.register(accountsRoutes);
  await app.register(followRequestsRoutes);
  await app.register(preferencesRoutes);
  await app.register(statusesRoutes);
  await app.register(timelinesRoutes);
  await app.register(notificationsRoutes);
}
