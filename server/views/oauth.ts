// The pages of the authorization-code flow: sign in, consent, the out-of-band code, errors.
import type { AuthorizeParams } from "../services/oauth/authorization-request.ts";
import { type Html, html, page } from "./html.ts";

function hiddenFields(params: AuthorizeParams): Html {
  return html`${Object.entries(params)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}`;
}

export function signInPage(options: {
  instanceName: string;
  appName: string;
  csrfToken: string;
  returnTo: string;
  login?: string;
  error?: string;
}): string {
  return page(
    "Sign in",
    options.instanceName,
    html`<h1>Sign in to ${options.instanceName}</h1>
<p class="muted">${options.appName} asks to use your account. Sign in first.</p>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ""}
<form method="post" action="/auth/sign_in">
  <input type="hidden" name="_csrf" value="${options.csrfToken}">
  <input type="hidden" name="return_to" value="${options.returnTo}">
  <label for="login">E-mail address or username</label>
  <input type="text" id="login" name="login" autocomplete="username" required value="${options.login ?? ""}" autofocus>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required>
  <button type="submit" id="sign-in">Sign in</button>
</form>`,
  );
}

const SCOPE_TEXT: Record<string, string> = {
  read: "Read all your account's data",
  write: "Modify all your account's data",
  follow: "Modify account relationships",
  push: "Receive your push notifications",
  profile: "Read only your account's profile information",
  "admin:read": "Read all data on the server",
  "admin:write": "Modify all data on the server",
};

export function authorizePage(options: {
  instanceName: string;
  appName: string;
  username: string;
  csrfToken: string;
  params: AuthorizeParams;
}): string {
  const scopes = options.params.scope.split(" ");
  return page(
    "Authorize",
    options.instanceName,
    html`<h1>Authorize ${options.appName}?</h1>
<p>Signed in as <strong>@${options.username}</strong>. ${options.appName} will be able to:</p>
<ul class="scopes">${scopes.map((scope) => html`<li>${SCOPE_TEXT[scope] ?? scope} <span class="muted">(${scope})</span></li>`)}</ul>
<form method="post" action="/oauth/authorize">
  <input type="hidden" name="_csrf" value="${options.csrfToken}">
  ${hiddenFields(options.params)}
  <button type="submit" name="decision" value="approve" id="authorize">Authorize</button>
  <button type="submit" name="decision" value="deny" class="secondary" id="deny">Deny</button>
</form>`,
  );
}

export function codePage(options: { instanceName: string; appName: string; code: string }): string {
  return page(
    "Authorization code",
    options.instanceName,
    html`<h1>Authorization code</h1>
<p>Copy this code and paste it into ${options.appName}:</p>
<code class="auth-code" id="authorization-code">${options.code}</code>`,
  );
}

export function errorPage(options: { instanceName: string; title: string; message: string }): string {
  return page(
    options.title,
    options.instanceName,
    html`<h1>${options.title}</h1><p class="error" role="alert">${options.message}</p>`,
  );
}

export function signedInPage(options: { instanceName: string; username: string }): string {
  return page(
    "Signed in",
    options.instanceName,
    html`<h1>Signed in</h1><p>You are signed in as <strong>@${options.username}</strong>. Go back to your app to continue.</p>`,
  );
}
