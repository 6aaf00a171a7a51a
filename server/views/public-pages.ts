import { Html, html, page } from "./html.ts";

/** What anyone not signed in sees at a profile or post address: nothing about it. */
export function closedPage(instanceName: string): string {
  return page(
    "Sign in to see this",
    instanceName,
    html`<h1>${instanceName}</h1>
<p>This page belongs to the ${instanceName} campus of the organization's Hallway network.</p>
<p>Open it in your Mastodon app (Elk, Phanpy, Tusky, Ivory…) after signing in to this campus.</p>`,
  );
}

/** For a signed-in colleague: the profile, briefly; the app is where to act on it. */
export function profilePage(
  instanceName: string,
  profile: { displayName: string; acct: string; noteHtml: string; statusesCount: number; followersCount: number },
): string {
  return page(
    profile.displayName || profile.acct,
    instanceName,
    html`<h1>${profile.displayName || profile.acct}</h1>
<p class="muted">@${profile.acct}</p>
<div>${new Html(profile.noteHtml)}</div>
<p class="muted">${profile.statusesCount} posts · ${profile.followersCount} followers</p>
<p>Open this profile in your app to follow or reply.</p>`,
  );
}

/** For a signed-in colleague who may see it: the post, briefly. */
export function statusPage(
  instanceName: string,
  post: { author: string; acct: string; contentHtml: string; spoilerText: string; createdAt: string },
): string {
  return page(
    `${post.author}: post`,
    instanceName,
    html`<p><strong>${post.author}</strong> <span class="muted">@${post.acct} · ${post.createdAt}</span></p>
${post.spoilerText ? html`<p class="muted">${post.spoilerText}</p>` : ""}
<div>${new Html(post.contentHtml)}</div>
<p class="muted">Open this post in your app to reply, boost or favourite it.</p>`,
  );
}
