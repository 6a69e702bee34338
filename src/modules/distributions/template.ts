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

function fill(value: unknown, data: unknown): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([\w.-]+)\s*\}\}$/.exec(value);
    if (whole) return lookup(data, whole[1]!) ?? null;
    return value.replace(placeholder, (_, path: string) => {
      const v = lookup(data, path);
      return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, data));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, data)]));
  }
  return value;
}

export function renderTemplate(template: Record<string, unknown>, data: unknown): Record<string, unknown> {
  return fill(template, data) as Record<string, unknown>;
}
