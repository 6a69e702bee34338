/** Server-side HTML: a tagged template that escapes every interpolated value unless it is already Html. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(v: unknown): string {
  return String(v).replace(/[&<>"']/g, (c) => escapes[c]!);
}

function part(v: unknown): string {
  if (v === undefined || v === null || v === false) return '';
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(part).join('');
  return esc(v);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1]!;
  return new Html(out);
}

export const raw = (s: string): Html => new Html(s);

/** A date as the dashboard shows it: ISO in UTC, to the second. */
export function when(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : '—';
}

/** Minor units (hundredths) as a decimal amount, such as 1250 -> 12.50; '—' for none (the currency is the project's). */
export function money(minor: number | string | null | undefined): string {
  if (minor === null || minor === undefined) return '—';
  const n = Number(minor);
  return Number.isFinite(n) ? (n / 100).toFixed(2) : String(minor);
}

/** Hundredths of the currency, from a form's decimal ("10.5" is 1050); NaN when it is not a number. */
export const cents = (s: string) => (s.trim() === '' ? Number.NaN : Math.round(Number(s) * 100));

/** Query string from defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
