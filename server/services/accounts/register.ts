import type { AppContext } from "../../context.ts";
import { ApiError, forbidden } from "../../errors.ts";
import { findApplicationById } from "../oauth/applications.ts";
import { parseScopes } from "../oauth/scopes.ts";
import { type IssuedToken, issueToken } from "../oauth/tokens.ts";
import { createLocalUser, RegistrationError } from "./create-user.ts";
import { findUsableInvite } from "./invites.ts";

export interface RegistrationInput {
  username: string;
  email: string;
  password: string;
  agreement: boolean;
  locale?: string;
  inviteCode?: string;
}

const invalidInvite = () =>
  new RegistrationError({
    invite_code: [{ error: "ERR_INVALID", description: "is not a valid, unused and unexpired invite" }],
  });

/**
 * POST /api/v1/accounts: sign-up through an app, honouring the campus's registration mode.
 * The new token carries the app's registered scopes, as Mastodon's AppSignUpService does, and
 * works at once (there is no e-mail confirmation step on a campus).
 */
export async function registerAccount(
  context: AppContext,
  appToken: { applicationId: string | null },
  input: RegistrationInput,
): Promise<IssuedToken> {
  const mode = context.config.registrations;
  if (mode === "closed") throw forbidden("Registrations are closed on this campus; ask an administrator for an account");
  // Checked before anything is written: an account must not be created for a token that cannot get one.
  const application = appToken.applicationId ? await findApplicationById(context.db, appToken.applicationId) : undefined;
  if (!application) throw new ApiError(422, "This method requires an application token");
  let inviteId: string | null = null;
  if (mode === "invite") {
    const invite = input.inviteCode ? await findUsableInvite(context.db, input.inviteCode.trim()) : undefined;
    if (!invite) throw invalidInvite();
    inviteId = invite.id;
  }
  if (!input.agreement) {
    throw new RegistrationError({ agreement: [{ error: "ERR_ACCEPTED", description: "must be accepted" }] });
  }
  const { account } = await createLocalUser(context.db, context.urls, {
    username: input.username,
    email: input.email,
    password: input.password,
    inviteId,
  });
  return issueToken(context, context.db, {
    applicationId: application.id,
    accountId: account.id,
    scopes: parseScopes(application.scopes),
  });
}
