import { randomFillSync } from 'node:crypto';
import { invalidCodeConfig } from '../../core/errors.js';

/** Voucherify's code_config: `#` in pattern is one random charset character, everything else is literal. */
export interface CodeConfig {
  length?: number;
  charset?: string;
  prefix?: string;
  postfix?: string;
  pattern?: string;
}

export const defaultCharset = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const defaultLength = 8;
/** Longest code a config may produce (prefix + pattern + postfix). */
export const maxCodeLength = 100;
/**
 * A config must hold at least this many times the codes asked of it: drawing at random from a space that is at
 * most half full costs on average under two draws per code, however unlucky the collisions.
 */
export const spaceMargin = 2;

export interface CodeShape {
  prefix: string;
  postfix: string;
  pattern: string;
  charset: string[];
  /** Random positions in pattern. */
  slots: number;
  /** How many distinct codes (compared without case) the config can make. */
  space: number;
}

/** Checks a code_config and computes its code space. */
export function codeShape(config: CodeConfig = {}): CodeShape {
  const prefix = config.prefix ?? '';
  const postfix = config.postfix ?? '';
  const charset = [...new Set([...(config.charset ?? defaultCharset)])];
  if (charset.length === 0) throw invalidCodeConfig('code_config.charset must hold at least one character');
  const pattern = config.pattern ?? '#'.repeat(config.length ?? defaultLength);
  const slots = pattern.split('#').length - 1;
  const total = prefix.length + pattern.length + postfix.length;
  if (total > maxCodeLength) throw invalidCodeConfig(`code_config makes codes of ${total} characters; at most ${maxCodeLength} are allowed`);
  if (total === 0) throw invalidCodeConfig('code_config makes empty codes: give a length or a pattern');
  // Counted as if codes compared without case (A and a one choice), whatever the project's case_sensitive_codes:
  // the smaller space, a safe bound either way.
  const folded = new Set(charset.map((c) => c.toLowerCase())).size;
  const space = Math.pow(folded, slots);
  return { prefix, postfix, pattern, charset, slots, space };
}

/** Refuses, before anything is written, a request the code space cannot hold with the safety margin. */
export function checkCapacity(shape: CodeShape, config: CodeConfig | undefined, wanted: number): void {
  if (wanted * spaceMargin > shape.space) {
    const c = JSON.stringify({ ...config, pattern: shape.pattern, charset: config?.charset ?? defaultCharset });
    throw invalidCodeConfig(
      `code_config ${c} can make ${shape.space} distinct codes (case-insensitive); ${wanted} codes need a space of at least ${wanted * spaceMargin}: lengthen the pattern or widen the charset`,
    );
  }
}

const buffer = Buffer.alloc(65536);
let used = buffer.length;

function randomIndex(n: number): number {
  // Rejection sampling on 16 bits keeps every character equally likely.
  const limit = 65536 - (65536 % n);
  for (;;) {
    if (used + 2 > buffer.length) {
      randomFillSync(buffer);
      used = 0;
    }
    const v = buffer.readUInt16LE(used);
    used += 2;
    if (v < limit) return v % n;
  }
}

/** Draws n random codes of a shape (they may repeat or collide with stored codes: the insert decides). */
export function drawCodes(shape: CodeShape, n: number): string[] {
  const out: string[] = new Array(n);
  const parts = shape.pattern.split('#');
  const cs = shape.charset;
  for (let i = 0; i < n; i++) {
    let s = shape.prefix + parts[0]!;
    for (let j = 1; j < parts.length; j++) s += cs[randomIndex(cs.length)]! + parts[j]!;
    out[i] = s + shape.postfix;
  }
  return out;
}
