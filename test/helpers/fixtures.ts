// Named fixtures: users with tokens, created through the same services the API uses.
import type { Account, Role } from "../../db/schema.ts";
import { createLocalUser } from "../../server/services/accounts/create-user.ts";
import { createApplication } from "../../server/services/oauth/applications.ts";
import { issueToken } from "../../server/services/oauth/tokens.ts";
import type { TestInstance } from "./instance.ts";

export const PASSWORD = "correct horse battery staple";

export interface TestUser {
  account: Account;
  token: string;
  email: string;
  /** Headers for inject(): Authorization with this user's token. */
  auth: { authorization: string };
}

export async function createTestApp(instance: TestInstance, scopes = "read write follow push") {
  return createApplication(instance.context.db, {
    clientName: "Test client",
    redirectUris: ["urn:ietf:wg:oauth:2.0:oob", "http://127.0.0.1/callback"],
    scopes,
  });
}

export async function createTestUser(
  instance: TestInstance,
  username: string,
  options: { role?: Role; scopes?: string[]; displayName?: string } = {},
): Promise<TestUser> {
  const email = `${username}@example.org`;
  const { account } = await createLocalUser(instance.context.db, instance.context.urls, {
    username,
    email,
    password: PASSWORD,
    role: options.role,
    displayName: options.displayName,
    allowReserved: true,
  });
  const app = await createTestApp(instance);
  const { access_token } = await issueToken(instance.context, instance.context.db, {
    applicationId: app.id,
    accountId: account.id,
    scopes: options.scopes ?? ["read", "write", "follow", "push"],
  });
  return { account, token: access_token, email, auth: { authorization: `Bearer ${access_token}` } };
}
