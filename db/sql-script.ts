import { type Kysely, sql } from "kysely";

/**
 * Runs a script of several SQL statements one by one. PGlite's query protocol takes a single
 * statement at a time, so migrations written as one script are split at semicolons that end a
 * line outside dollar-quoted bodies.
 */
export async function runScript(db: Kysely<any>, script: string): Promise<void> {
  for (const statement of splitStatements(script)) {
    await sql.raw(statement).execute(db);
  }
}

export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = "";
  let inDollarQuote = false;
  for (const line of script.split("\n")) {
    const stripped = line.replace(/--.*$/, "");
    const dollarMarks = stripped.match(/\$\$/g)?.length ?? 0;
    if (dollarMarks % 2 === 1) inDollarQuote = !inDollarQuote;
    current += `${line}\n`;
    if (!inDollarQuote && /;\s*$/.test(stripped)) {
      statements.push(current.trim().replace(/;$/, ""));
      current = "";
    }
  }
  if (current.trim()) statements.push(current.trim());
  return statements.filter((statement) => statement.replace(/--.*$/gm, "").trim() !== "");
}
