/**
 * The payload designer: a JSON design whose strings may hold `{{path}}` placeholders (dot paths into the event's
 * data, e.g. `{{customer.name}}`). A string that is exactly one placeholder takes the value's own type; inside
 * longer text values are written as text; a path that leads nowhere gives null (alone) or '' (in text).
 */
const placeholder = /\{\{\s*([\w.-]+)\s*\}\}/g;

function lookup(data: unknown, path: string): unknown {
  let cur = data;
  for (const p of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function fill(value: unknown, data: unknown, escape: (text: string) => string): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([\w.-]+)\s*\}\}$/.exec(value);
    if (whole && escape === asIs) return lookup(data, whole[1]!) ?? null;
    return value.replace(placeholder, (_, path: string) => {
      const v = lookup(data, path);
      return escape(v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
    });
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, data, escape));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, data, escape)]));
  }
  return value;
}

const asIs = (text: string) => text;
const htmlEscaped = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderTemplate(template: Record<string, unknown>, data: unknown): Record<string, unknown> {
  return fill(template, data, asIs) as Record<string, unknown>;
}

/** An e-mail template: every value is text, and the values placed in `html` are HTML-escaped. */
export function renderEmail(template: Record<string, unknown>, data: unknown): Record<string, unknown> {
  const { html, ...rest } = template;
  const out = fill(rest, data, (text) => text.replace(/[\r\n]+/g, ' ')) as Record<string, unknown>;
  // Line breaks are kept in the text body only.
  if (typeof template.text === 'string') out.text = fill(template.text, data, (text) => text);
  if (typeof html === 'string') out.html = fill(html, data, htmlEscaped);
  return out;
}
