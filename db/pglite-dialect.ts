import type { PGlite } from "@electric-sql/pglite";
import { type DatabaseConnection, type Driver, PGliteDialect, type TransactionSettings } from "kysely";

/**
 * PGlite has one connection. Kysely's PGlite driver hands that connection to every caller at
 * once, so a query from one request could run inside another request's open transaction. This
 * driver queues callers instead: a transaction holds the connection until it ends.
 */
class QueuedDriver implements Driver {
  readonly #inner: Driver;
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(inner: Driver) {
    this.#inner = inner;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => turn);
    await previous;
    this.#release = release;
    return this.#inner.acquireConnection();
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.#inner.releaseConnection(connection);
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
  }

  savepoint: Driver["savepoint"] = (...args) => this.#inner.savepoint!(...args);
  rollbackToSavepoint: Driver["rollbackToSavepoint"] = (...args) =>
    this.#inner.rollbackToSavepoint!(...args);
  releaseSavepoint: Driver["releaseSavepoint"] = (...args) => this.#inner.releaseSavepoint!(...args);

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

export class QueuedPGliteDialect extends PGliteDialect {
  constructor(pglite: PGlite) {
    // Kysely's interface for PGlite is structural; the real class satisfies it.
    super({ pglite: pglite as never });
  }

  override createDriver(): Driver {
    return new QueuedDriver(super.createDriver());
  }
}
