/**
 * The payload designer: a JSON design whose strings may hold `{{path}}` placeholders (dot paths into the event's
 * data, e.g. `{{customer.name}}`). A string that is exactly one placeholder takes the value's own type; inside
 * longer text values are written as text; a path that leads nowhere (also one naming an inherited property, such as
 * `constructor`) gives null (alone) or '' (in text).
 */
const placeholder = /\{\{\s*([\w.-]+)\s*\}\}/g;

function lookup(data: unknown, path: string): unknown {
  let cur = data;
  for (const p of path.split('.')) {
    // Own keys only: `{{constructor}}` or `{{customer.__proto__}}` is no value of the data, it leads nowhere.
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, p)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** Fills placeholders; with `escape`, every value is written as text through it (no typed whole placeholders). */
function fill(value: unknown, data: unknown, escape?: (text: string) => string): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([\w.-]+)\s*\}\}$/.exec(value);
    if (whole && !escape) return lookup(data, whole[1]!) ?? null;
    return value.replace(placeholder, (_, path: string) => {
      const v = lookup(data, path);
      const text = v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return escape ? escape(text) : text;
    });
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, data, escape));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, data, escape)]));
  }
  return value;
}

export function renderTemplate(template: Record<string, unknown>, data: unknown): Record<string, unknown> {
  return fill(template, data) as Record<string, unknown>;
}

/** How an e-mail template's values are written: HTML-escaped in `html`, as is in `text`, on one line elsewhere. */
const emailEscapes: Record<string, (text: string) => string> = {
  html: (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
  text: (text) => text,
};
const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ');

/** An e-mail template: every value is text, escaped as its field needs. */
export function renderEmail(template: Record<string, unknown>, data: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fill(v, data, emailEscapes[k] ?? oneLine)]));
}
