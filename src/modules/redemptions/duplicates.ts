import { duplicatedRedeemables } from '../../core/errors.js';
import type { Checked } from './check.js';

/**
 * One voucher or tier named twice in a request, by different forms (a code and its `v_` id, a code in another
 * case), is refused as the request's shape is when the same form is repeated: judged on what the names resolved to,
 * so that one code is never spent, nor its credits counted, twice in one stack.
 */
export function refuseDuplicates(checked: readonly Checked[]): void {
  const seen = new Map<string, string>();
  for (const c of checked) {
    const key = c.voucher ? `voucher:${c.voucher.id}` : c.tier ? `promotion_tier:${c.tier.id}` : undefined;
    if (key === undefined) continue;
    const earlier = seen.get(key);
    if (earlier !== undefined) throw duplicatedRedeemables(`Redeemable ${c.input.object} ${c.input.id} is given twice (as ${earlier} too)`);
    seen.set(key, c.input.id);
  }
}
