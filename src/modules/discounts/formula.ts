/**
 * Discount formulas (`IF(ORDER_AMOUNT > 150;15;10)`), parsed and evaluated by a small interpreter, never eval.
 * Grammar: numbers, "strings", variables, FUNCTION(arg; arg) (`,` also separates), + - * /, comparisons
 * (> < >= <= = != <>), `contains`, AND / OR / NOT, parentheses. Money variables are in the currency's major units
 * (ORDER_AMOUNT 150 is 150.00), as the formulas are written. Pure.
 */

export class FormulaError extends Error {}

type Node =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'var'; name: string }
  | { k: 'call'; name: string; args: Node[] }
  | { k: 'un'; op: string; x: Node }
  | { k: 'bin'; op: string; a: Node; b: Node };

export interface FormulaContext {
  /** Variables by name (ORDER_AMOUNT, ORDER_UNITS_QUANTITY, ORDER_ITEM_PRICE, VOUCHER_PUBLISH_COUNT...). */
  vars: Record<string, number | string | undefined>;
  /** Metadata readable through CUSTOMER_METADATA("k"), ORDER_METADATA, ORDER_ITEM_METADATA, REDEMPTION_METADATA, VOUCHER_METADATA. */
  metadata?: Partial<Record<'CUSTOMER' | 'ORDER' | 'ORDER_ITEM' | 'REDEMPTION' | 'VOUCHER' | 'CAMPAIGN', Record<string, unknown>>>;
}

const maxLength = 2000;

function tokenize(src: string): string[] {
  if (src.length > maxLength) throw new FormulaError(`A formula has at most ${maxLength} characters`);
  const out: string[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?)|("(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_.]*)|(>=|<=|!=|<>|[-+*/()<>=;,]))/y;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw new FormulaError(`Unexpected character at ${i}: '${src[i]}'`);
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
    i = re.lastIndex;
  }
  return out;
}

/** Parses a formula into a tree (syntax errors throw FormulaError). */
export function parseFormula(src: string): Node {
  const t = tokenize(src);
  let i = 0;
  const peek = () => t[i];
  const upper = () => t[i]?.toUpperCase();
  const expect = (tok: string) => {
    if (t[i] !== tok) throw new FormulaError(`Expected '${tok}' at token ${i + 1}, got '${t[i] ?? 'end'}'`);
    i++;
  };
  const primary = (): Node => {
    const tok = t[i++];
    if (tok === undefined) throw new FormulaError('The formula ends too early');
    if (tok === '(') {
      const e = or();
      expect(')');
      return e;
    }
    if (tok === '-' || tok === '+') return { k: 'un', op: tok, x: primary() };
    if (/^\d/.test(tok)) return { k: 'num', v: Number(tok) };
    if (tok.startsWith('"')) return { k: 'str', v: JSON.parse(tok) as string };
    if (/^[A-Za-z_]/.test(tok)) {
      if (tok.toUpperCase() === 'NOT') return { k: 'un', op: 'NOT', x: primary() };
      if (peek() === '(') {
        i++;
        const args: Node[] = [];
        if (peek() !== ')') {
          args.push(or());
          while (peek() === ';' || peek() === ',') {
            i++;
            args.push(or());
          }
        }
        expect(')');
        return { k: 'call', name: tok.toUpperCase(), args };
      }
      return { k: 'var', name: tok.toUpperCase() };
    }
    throw new FormulaError(`Unexpected '${tok}'`);
  };
  const mul = (): Node => {
    let a = primary();
    while (peek() === '*' || peek() === '/') a = { k: 'bin', op: t[i++]!, a, b: primary() };
    return a;
  };
  const add = (): Node => {
    let a = mul();
    while (peek() === '+' || peek() === '-') a = { k: 'bin', op: t[i++]!, a, b: mul() };
    return a;
  };
  const cmp = (): Node => {
    let a = add();
    while (['>', '<', '>=', '<=', '=', '!=', '<>'].includes(peek() ?? '') || upper() === 'CONTAINS') a = { k: 'bin', op: t[i++]!.toUpperCase(), a, b: add() };
    return a;
  };
  const and = (): Node => {
    let a = cmp();
    while (upper() === 'AND') {
      i++;
      a = { k: 'bin', op: 'AND', a, b: cmp() };
    }
    return a;
  };
  const or = (): Node => {
    let a = and();
    while (upper() === 'OR') {
      i++;
      a = { k: 'bin', op: 'OR', a, b: and() };
    }
    return a;
  };
  const tree = or();
  if (i < t.length) throw new FormulaError(`Unexpected '${t[i]}' after the end of the formula`);
  return tree;
}

type Value = number | string | boolean | unknown[];

const num = (v: Value, what: string): number => {
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new FormulaError(`${what} is not a number`);
  return n;
};
const truthy = (v: Value) => (typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : Array.isArray(v) ? v.length > 0 : v !== '');

const metadataFunctions: Record<string, keyof NonNullable<FormulaContext['metadata']>> = {
  CUSTOMER_METADATA: 'CUSTOMER',
  ORDER_METADATA: 'ORDER',
  ORDER_ITEM_METADATA: 'ORDER_ITEM',
  REDEMPTION_METADATA: 'REDEMPTION',
  VOUCHER_METADATA: 'VOUCHER',
  CAMPAIGN_METADATA: 'CAMPAIGN',
};

function evalNode(n: Node, ctx: FormulaContext, depth: number): Value {
  if (depth > 100) throw new FormulaError('The formula nests too deeply');
  const ev = (x: Node) => evalNode(x, ctx, depth + 1);
  switch (n.k) {
    case 'num':
    case 'str':
      return n.v;
    case 'var': {
      const v = ctx.vars[n.name];
      if (v === undefined) throw new FormulaError(`${n.name} is not known here`);
      return v;
    }
    case 'un': {
      const x = ev(n.x);
      if (n.op === 'NOT') return !truthy(x);
      return n.op === '-' ? -num(x, 'The operand of -') : num(x, 'The operand of +');
    }
    case 'bin': {
      if (n.op === 'AND') return truthy(ev(n.a)) && truthy(ev(n.b));
      if (n.op === 'OR') return truthy(ev(n.a)) || truthy(ev(n.b));
      const a = ev(n.a);
      const b = ev(n.b);
      switch (n.op) {
        case '+':
          return num(a, 'The left of +') + num(b, 'The right of +');
        case '-':
          return num(a, 'The left of -') - num(b, 'The right of -');
        case '*':
          return num(a, 'The left of *') * num(b, 'The right of *');
        case '/': {
          const d = num(b, 'The divisor');
          if (d === 0) throw new FormulaError('Division by zero');
          return num(a, 'The dividend') / d;
        }
        case 'CONTAINS':
          return Array.isArray(a) ? a.some((x) => String(x) === String(b)) : String(a).includes(String(b));
        case '=':
        case '!=':
        case '<>': {
          const eq = typeof a === 'number' || typeof b === 'number' ? num(a, 'The left of =') === num(b, 'The right of =') : String(a) === String(b);
          return n.op === '=' ? eq : !eq;
        }
        default: {
          const x = num(a, `The left of ${n.op}`);
          const y = num(b, `The right of ${n.op}`);
          return n.op === '>' ? x > y : n.op === '<' ? x < y : n.op === '>=' ? x >= y : x <= y;
        }
      }
    }
    case 'call': {
      const src = metadataFunctions[n.name];
      if (src) {
        if (n.args.length !== 1) throw new FormulaError(`${n.name} takes one key`);
        const key = String(ev(n.args[0]!));
        // Own keys only: a key named like an inherited property (constructor, toString) is not in the metadata.
        const of = ctx.metadata?.[src];
        const v = of && Object.hasOwn(of, key) ? of[key] : undefined;
        if (v === undefined || v === null || (typeof v === 'object' && !Array.isArray(v))) throw new FormulaError(`${n.name}(${JSON.stringify(key)}) has no value`);
        return v as Value;
      }
      const args = () => n.args.map((a, i) => num(ev(a), `Argument ${i + 1} of ${n.name}`));
      switch (n.name) {
        case 'IF':
          if (n.args.length !== 3) throw new FormulaError('IF takes a condition and two values');
          return truthy(ev(n.args[0]!)) ? ev(n.args[1]!) : ev(n.args[2]!);
        case 'MIN':
        case 'MAX': {
          const xs = args();
          if (xs.length === 0) throw new FormulaError(`${n.name} needs values`);
          return n.name === 'MIN' ? Math.min(...xs) : Math.max(...xs);
        }
        case 'ROUND': {
          const [x, places = 0] = args();
          const f = 10 ** places;
          return Math.round(x! * f) / f;
        }
        case 'ROUND_UP':
        case 'CEIL':
        case 'CEILING':
          return Math.ceil(args()[0]!);
        case 'ROUND_DOWN':
        case 'FLOOR':
          return Math.floor(args()[0]!);
        case 'ABS':
          return Math.abs(args()[0]!);
        default:
          throw new FormulaError(`Unknown function ${n.name}`);
      }
    }
  }
}

/** The formula's number; FormulaError when it cannot be computed (the discount then uses its static value). */
export function evaluateFormula(src: string, ctx: FormulaContext): number {
  const v = evalNode(parseFormula(src), ctx, 0);
  const n = num(v, 'The formula result');
  return n;
}
