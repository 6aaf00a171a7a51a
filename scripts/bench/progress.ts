// Progress on stderr: a bar redrawn in place on a terminal, percentage lines (every 10%) otherwise.

const WIDTH = 30;

export class Progress {
  readonly #label: string;
  readonly #total: number;
  readonly #started = performance.now();
  readonly #tty = process.stderr.isTTY === true;
  #lastDecile = -1;

  constructor(label: string, total: number) {
    this.#label = label;
    this.#total = Math.max(1, total);
    this.update(0);
  }

  update(done: number): void {
    const fraction = Math.min(1, done / this.#total);
    const seconds = ((performance.now() - this.#started) / 1000).toFixed(1);
    const percent = `${Math.floor(fraction * 100)}`.padStart(3);
    const counts = `${done.toLocaleString("en-US")}/${this.#total.toLocaleString("en-US")}`;
    if (this.#tty) {
      const filled = Math.round(fraction * WIDTH);
      const bar = `${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}`;
      process.stderr.write(`\r  ${this.#label} [${bar}] ${percent}% ${counts} ${seconds}s\x1b[K`);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile === this.#lastDecile) return;
    this.#lastDecile = decile;
    process.stderr.write(`  ${this.#label}: ${percent}% ${counts} (${seconds}s)\n`);
  }

  finish(): void {
    this.update(this.#total);
    if (this.#tty) process.stderr.write("\n");
  }
}

/** A step that cannot report midway: one line when it starts, its duration when it ends. */
export async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  process.stderr.write(`  ${label} …`);
  const result = await work();
  process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)}s\n`);
  return result;
}
