// What the federation code needs from the allowlist: decisions and a place to report refusals.
// Refusals are counted and logged by the implementation (federation/refusals.ts).
export interface Wall {
  /** Scheme, host and port of the URL match an allowlisted sibling (or this campus itself). */
  allowsUrl(url: URL | string): boolean;
  /** The host (with port) belongs to an allowlisted sibling or to this campus. */
  allowsHost(host: string): boolean;
  /** The allowlisted origin for a host, so that requests use its scheme; null when not allowed. */
  originForHost(host: string): string | null;
  refuse(host: string, direction: "inbound" | "outbound", reason: string): void;
}

export class RefusedError extends Error {
  override name = "RefusedError";
  readonly host: string;

  constructor(host: string, reason: string) {
    super(`${host} is not an allowlisted sibling: ${reason}`);
    this.host = host;
  }
}

export function hostOf(url: URL | string): string {
  try {
    return new URL(url).host;
  } catch {
    return String(url);
  }
}

/** Checks an outgoing request; a refusal is recorded and thrown before anything is sent. */
export function assertOutboundAllowed(wall: Wall, url: URL | string, reason: string): void {
  if (wall.allowsUrl(url)) return;
  const host = hostOf(url);
  wall.refuse(host, "outbound", reason);
  throw new RefusedError(host, reason);
}
