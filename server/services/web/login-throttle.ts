// Slows password guessing on the sign-in page and the password grant: after a few failures for
// the same login or the same address, each further attempt waits longer (doubling up to a cap),
// and a burst of failures is refused outright for a while.

const WINDOW_MS = 15 * 60 * 1000;
const FREE_ATTEMPTS = 3;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8000;
const LOCKOUT_AFTER = 20;
// Made-up logins cost an attacker nothing; past this many keys the oldest are forgotten so the
// map cannot grow without bound.
const MAX_KEYS = 10_000;

export interface LoginThrottleOptions {
  /** Milliseconds since the epoch; tests pass their own clock. */
  clock?: () => number;
  maxKeys?: number;
}

export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly #clock: () => number;
  readonly #maxKeys: number;

  constructor(options: LoginThrottleOptions = {}) {
    this.#clock = options.clock ?? Date.now;
    this.#maxKeys = options.maxKeys ?? MAX_KEYS;
  }

  #recent(key: string, now: number): number[] {
    const list = (this.#failures.get(key) ?? []).filter((at) => now - at < WINDOW_MS);
    if (list.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, list);
    return list;
  }

  /** Milliseconds to wait before checking this attempt; Infinity when locked out. */
  delayFor(keys: string[]): number {
    const now = this.#clock();
    const failures = Math.max(0, ...keys.map((key) => this.#recent(key, now).length));
    if (failures >= LOCKOUT_AFTER) return Number.POSITIVE_INFINITY;
    if (failures < FREE_ATTEMPTS) return 0;
    return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (failures - FREE_ATTEMPTS));
  }

  recordFailure(keys: string[]): void {
    const now = this.#clock();
    for (const key of keys) {
      const list = [...this.#recent(key, now), now];
      // Re-inserted so that the map's order is least recently failed first.
      this.#failures.delete(key);
      this.#failures.set(key, list.slice(-LOCKOUT_AFTER));
    }
    for (const key of this.#failures.keys()) {
      if (this.#failures.size <= this.#maxKeys) break;
      this.#failures.delete(key);
    }
  }

  recordSuccess(keys: string[]): void {
    for (const key of keys) this.#failures.delete(key);
  }

  /** How many keys are remembered (for tests of the bound). */
  get size(): number {
    return this.#failures.size;
  }
}

// One throttle per running instance, shared by the sign-in page and the token endpoint, so that
// guessing through one does not reset the count of the other.
const throttles = new WeakMap<object, LoginThrottle>();

export function loginThrottleFor(owner: object): LoginThrottle {
  let throttle = throttles.get(owner);
  if (!throttle) {
    throttle = new LoginThrottle();
    throttles.set(owner, throttle);
  }
  return throttle;
}
