// The results table: one row per database and scenario.
import type { Measurement } from "./load.ts";

export interface Row extends Measurement {
  database: string;
}

const COLUMNS: { title: string; value: (row: Row) => string; right?: boolean }[] = [
  { title: "database", value: (row) => row.database },
  { title: "scenario", value: (row) => row.request },
  {
    title: "req/s",
    value: (row) => Math.round(row.requestsPerSecond).toLocaleString("en-US"),
    right: true,
  },
  { title: "p50 ms", value: (row) => String(row.p50), right: true },
  { title: "p99 ms", value: (row) => String(row.p99), right: true },
  { title: "requests", value: (row) => row.requests.toLocaleString("en-US"), right: true },
  { title: "errors", value: (row) => String(row.errors), right: true },
  { title: "non-2xx", value: (row) => String(row.non2xx), right: true },
  {
    title: "bytes/resp",
    value: (row) => Math.round(row.bytesPerRequest).toLocaleString("en-US"),
    right: true,
  },
];

export function formatTable(rows: Row[]): string {
  const cells = rows.map((row) => COLUMNS.map((column) => column.value(row)));
  const widths = COLUMNS.map((column, index) =>
    Math.max(column.title.length, ...cells.map((line) => line[index]!.length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, index) =>
        COLUMNS[index]!.right ? value.padStart(widths[index]!) : value.padEnd(widths[index]!),
      )
      .join("  ");
  return [
    line(COLUMNS.map((column) => column.title)),
    line(widths.map((width) => "-".repeat(width))),
    ...cells.map(line),
  ].join("\n");
}

export function formatMarkdown(rows: Row[]): string {
  return [
    `| ${COLUMNS.map((column) => column.title).join(" | ")} |`,
    `| ${COLUMNS.map((column) => (column.right ? "---:" : "---")).join(" | ")} |`,
    ...rows.map((row) => `| ${COLUMNS.map((column) => column.value(row)).join(" | ")} |`),
  ].join("\n");
}
