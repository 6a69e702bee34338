/**
 * Benchmark options: flags (node:util parseArgs) beat BENCH_* environment variables, which beat defaults.
 * The one place a benchmark reads process.env for its settings.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; env?: string; help: string; default?: string }>;

export function parseOptions<S extends OptionSpec>(
  usage: string,
  spec: S,
  argv = process.argv.slice(2),
): { [K in keyof S]: S[K]['type'] extends 'boolean' ? boolean : string | undefined } {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, s] of Object.entries(spec)) options[name] = { type: s.type };
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  if (values.help) {
    const lines = Object.entries(spec).map(([name, s]) => {
      const flag = `--${name}${s.type === 'string' ? ' <value>' : ''}`;
      const extra = [s.env ? `env ${s.env}` : '', s.default !== undefined ? `default ${s.default}` : ''].filter(Boolean);
      return `  ${flag.padEnd(26)} ${s.help}${extra.length ? ` (${extra.join('; ')})` : ''}`;
    });
    process.stdout.write(`${usage}\n\nOptions:\n${lines.join('\n')}\n`);
    process.exit(0);
  }
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(spec)) {
    const flag = values[name];
    const env = s.env ? process.env[s.env] : undefined;
    if (s.type === 'boolean') out[name] = flag === true || (env !== undefined && !['', '0', 'false', 'no'].includes(env.toLowerCase()));
    else out[name] = (flag as string | undefined) ?? (env !== undefined && env !== '' ? env : s.default);
  }
  return out as never;
}

export function positiveNumber(name: string, raw: string | undefined): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got '${raw}'`);
  return n;
}

export function positiveInt(name: string, raw: string | undefined): number {
  const n = positiveNumber(name, raw);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got '${raw}'`);
  return n;
}
