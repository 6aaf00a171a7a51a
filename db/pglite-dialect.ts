import { createHash } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  PGliteDialect,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import { PREPARED } from "./sql-helpers.ts";

/** A parameter as an SQL literal that PostgreSQL coerces to the statement's parameter type. */
function literal(value: unknown): string | null {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" && Number.isFinite(value)) return `'${value}'`;
  if (typeof value === "boolean") return value ? "'true'" : "'false'";
  // standard_conforming_strings is on: doubling quotes is the whole of escaping.
  if (typeof value === "string" && !value.includes("\0")) {
    return `'${value.replaceAll("'", "''")}'`;
  }
  return null;
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

/**
 * PGlite's query() plans every statement anew, and its bind protocol cannot carry parameters
 * into EXECUTE. Texts marked PREPARED (the hot read paths) are therefore prepared once with
 * PREPARE and run as EXECUTE name(literals); planning the home page costs more than running it.
 * Statements with other kinds of parameters run as before.
 */
function prepareMarkedStatements(connection: DatabaseConnection): void {
  const execute = connection.executeQuery.bind(connection);
  const prepared = new Set<string>();
  const names = new Map<string, string>();
  const prepare = async (name: string, sql: string) => {
    try {
      await execute(CompiledQuery.raw(`PREPARE ${name} AS ${sql}`));
    } catch (error) {
      if (errorCode(error) !== "42P05") throw error; // already prepared in this session
    }
    prepared.add(name);
  };
  connection.executeQuery = async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
    const literals = query.sql.startsWith(PREPARED) ? query.parameters.map(literal) : [];
    if (!query.sql.startsWith(PREPARED) || literals.includes(null)) return execute<R>(query);
    let name = names.get(query.sql);
    if (!name) {
      name = `p_${createHash("sha256").update(query.sql).digest("hex").slice(0, 24)}`;
      names.set(query.sql, name);
    }
    const args = literals.length > 0 ? `(${literals.join(", ")})` : "";
    const run = () => execute<R>(CompiledQuery.raw(`EXECUTE ${name}${args}`));
    if (!prepared.has(name)) await prepare(name, query.sql);
    try {
      return await run();
    } catch (error) {
      const code = errorCode(error);
      // Gone (a new session), or its `*` no longer matches the table after a migration.
      if (code !== "26000" && code !== "0A000") throw error;
      if (code === "0A000") await execute(CompiledQuery.raw(`DEALLOCATE ${name}`));
      prepared.delete(name);
      await prepare(name, query.sql);
      return run();
    }
  };
}

/**
 * PGlite has one connection. Kysely's PGlite driver hands that connection to every caller at
 * once, so a query from one request could run inside another request's open transaction. This
 * driver queues callers instead: a transaction holds the connection until it ends.
 */
class QueuedDriver implements Driver {
  readonly #inner: Driver;
  readonly #patched = new WeakSet<DatabaseConnection>();
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
    const connection = await this.#inner.acquireConnection();
    if (!this.#patched.has(connection)) {
      prepareMarkedStatements(connection);
      this.#patched.add(connection);
    }
    return connection;
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
