/**
 * What a JSON body may not hold although JSON allows it: text PostgreSQL cannot store (the NUL character, unpaired
 * UTF-16 surrogates, both only reachable through `\u` escapes), numbers too large for a double (`1e400` parses to
 * Infinity, which JSON cannot give back and stores as null) and nesting deep enough to exhaust a stack.
 * Refused at the edge as 400, instead of failing deep in the store as 500.
 */
export const maxBodyDepth = 64;

// In unicode mode \p{Cs} matches only surrogates that are not part of a pair.
const unstorable = /[\u0000\p{Cs}]/u;

function where(path: string): string {
  return path === '' ? 'Payload' : `Property ${path}`;
}

/** The first problem found, worded like the other payload errors, or undefined when the body can be stored. */
export function unstorableInBody(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value === 'string') {
    return unstorable.test(value) ? `${where(path)} must not contain the NUL character or unpaired surrogates` : undefined;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${where(path)} must be a finite number`;
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= maxBodyDepth) return `${where(path)} is nested deeper than ${maxBodyDepth} levels`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = unstorableInBody(value[i], `${path}[${i}]`, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  for (const [key, v] of Object.entries(value)) {
    if (unstorable.test(key)) return `${where(path)} has a key with the NUL character or unpaired surrogates`;
    const problem = unstorableInBody(v, `${path}.${key}`, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** The NUL character can reach a path or query parameter only percent-encoded. */
export function urlHasNul(url: string): boolean {
  return url.includes('%00');
}

/**
 * Where valid JSON holds a key the body parser refuses against prototype poisoning (`__proto__`, or `constructor`
 * holding `prototype`), worded like the other payload errors; undefined for text that is no valid JSON or has none.
 * `JSON.parse` makes `__proto__` an own key (it sets no prototype), so the text can be walked safely.
 */
export function poisoningKeyIn(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return poisoningKeyAt(value, '', 0);
}

function poisoningKeyAt(value: unknown, path: string, depth: number): string | undefined {
  if (typeof value !== 'object' || value === null || depth > maxBodyDepth) return undefined;
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : Object.entries(value).map(([k, v]) => [`.${k}`, v]);
  for (const [step, v] of entries) {
    const at = `${path}${step}`;
    if (step === '.__proto__') return `${where(at)}: the key __proto__ is not accepted in a request body (the JSON is valid)`;
    if (step === '.constructor' && typeof v === 'object' && v !== null && Object.hasOwn(v, 'prototype')) {
      return `${where(at)}: the key constructor with a prototype key inside is not accepted in a request body (the JSON is valid)`;
    }
    const found = poisoningKeyAt(v, at, depth + 1);
    if (found) return found;
  }
  return undefined;
}
