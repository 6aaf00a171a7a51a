// Slows password guessing on the sign-in page: after a few failures for the same login or the
// same address, each further attempt waits longer (doubling up to a cap), and a burst of
// failures is refused outright for a while.

const WINDOW_MS = 15 * 60 * 1000;
const FREE_ATTEMPTS = 3;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8000;
const LOCKOUT_AFTER = 20;

export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();

  #recent(key: string, now: number): number[] {
    const list = (this.#failures.get(key) ?? []).filter((at) => now - at < WINDOW_MS);
    if (list.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, list);
    return list;
  }

  /** Milliseconds to wait before checking this attempt; Infinity when locked out. */
  delayFor(keys: string[], now = Date.now()): number {
    const failures = Math.max(...keys.map((key) => this.#recent(key, now).length));
    if (failures >= LOCKOUT_AFTER) return Number.POSITIVE_INFINITY;
    if (failures < FREE_ATTEMPTS) return 0;
    return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (failures - FREE_ATTEMPTS));
  }

  recordFailure(keys: string[], now = Date.now()): void {
    for (const key of keys) {
      this.#failures.set(key, [...this.#recent(key, now), now]);
    }
  }

  recordSuccess(keys: string[]): void {
    for (const key of keys) this.#failures.delete(key);
  }
}
