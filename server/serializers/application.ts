import type { OauthApplication } from "../../db/schema.ts";

export function applicationToApi(app: OauthApplication, options: { withSecret: boolean }) {
  return {
    id: app.id,
    name: app.name,
    website: app.website,
    scopes: app.scopes.split(" "),
    redirect_uri: app.redirect_uris.join("\n"),
    redirect_uris: app.redirect_uris,
    vapid_key: "",
    ...(options.withSecret
      ? { client_id: app.client_id, client_secret: app.client_secret, client_secret_expires_at: 0 }
      : {}),
  };
}
