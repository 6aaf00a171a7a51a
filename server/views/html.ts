// A tiny HTML builder: interpolated values are escaped unless they are already Html.
import { escapeHtml } from "../services/statuses/html.ts";

export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | boolean | null | undefined | Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return "";
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join("");
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  values.forEach((value, index) => {
    out += render(value) + strings[index + 1]!;
  });
  return new Html(out);
}

export function page(title: string, instanceName: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · ${instanceName}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; background: #f3f4f6; color: #111827; margin: 0; }
  main { max-width: 26rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 0.75rem;
         box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  label { display: block; margin: 1rem 0 0.25rem; font-weight: 600; }
  input[type=text], input[type=password], input[type=email] { width: 100%; box-sizing: border-box;
         padding: 0.6rem; border: 1px solid #d1d5db; border-radius: 0.4rem; font-size: 1rem; }
  button { margin-top: 1.25rem; padding: 0.6rem 1.2rem; border: 0; border-radius: 0.4rem; font-size: 1rem;
           background: #2563eb; color: #fff; cursor: pointer; }
  button.secondary { background: #e5e7eb; color: #111827; }
  .error { background: #fee2e2; color: #991b1b; padding: 0.6rem; border-radius: 0.4rem; }
  .scopes li { margin: 0.2rem 0; }
  code.auth-code { display: block; word-break: break-all; background: #f3f4f6; padding: 0.8rem;
                   border-radius: 0.4rem; font-size: 1.05rem; user-select: all; }
  .muted { color: #6b7280; font-size: 0.9rem; }
</style>
</head>
<body><main>${body}</main></body>
</html>`.value;
}
