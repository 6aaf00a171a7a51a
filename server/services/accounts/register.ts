import type { AppContext } from "../../context.ts";
import { ApiError, forbidden } from "../../errors.ts";
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

/**
 * POST /api/v1/accounts: sign-up through an app, honouring the campus's registration mode.
 * The new token carries the scopes of the app token that asked, as Mastodon's does, and works at
 * once (there is no e-mail confirmation step on a campus).
 */
export async function registerAccount(
  context: AppContext,
  appToken: { applicationId: string | null; scopes: ReadonlySet<string> },
  input: RegistrationInput,
): Promise<IssuedToken> {
  const mode = context.config.registrations;
  if (mode === "closed") throw forbidden("Registrations are closed on this campus; ask an administrator for an account");
  let inviteId: string | null = null;
  if (mode === "invite") {
    const invite = input.inviteCode ? await findUsableInvite(context.db, input.inviteCode) : undefined;
    if (!invite) {
      throw new RegistrationError({
        invite_code: [{ error: "ERR_INVALID", description: "is not a valid, unused and unexpired invite" }],
      });
    }
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
  if (!appToken.applicationId) throw new ApiError(422, "This method requires an application token");
  return issueToken(context, context.db, {
    applicationId: appToken.applicationId,
    accountId: account.id,
    scopes: [...appToken.scopes],
  });
}
