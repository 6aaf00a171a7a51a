// Every public URL the instance hands out, built in one place from the configured origin.
export class Urls {
  readonly origin: string;

  constructor(origin: string) {
    this.origin = origin;
  }

  account(username: string): string {
    return `${this.origin}/@${username}`;
  }

  actor(username: string): string {
    return `${this.origin}/users/${username}`;
  }

  status(username: string, id: string): string {
    return `${this.origin}/@${username}/${id}`;
  }

  statusUri(username: string, id: string): string {
    return `${this.origin}/users/${username}/statuses/${id}`;
  }

  tag(name: string): string {
    return `${this.origin}/tags/${encodeURIComponent(name)}`;
  }

  media(path: string): string {
    return `${this.origin}/system/${path}`;
  }

  defaultAvatar(): string {
    return `${this.origin}/avatars/original/missing.png`;
  }

  defaultHeader(): string {
    return `${this.origin}/headers/original/missing.png`;
  }

  streaming(): string {
    return this.origin.replace(/^http/, "ws");
  }

  api(path: string, query?: URLSearchParams): string {
    const search = query?.toString();
    return `${this.origin}${path}${search ? `?${search}` : ""}`;
  }
}
