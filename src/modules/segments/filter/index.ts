/**
 * Voucherify's segment filter language (DIGEST d.2), parsed once and evaluated per customer. Extensions:
 * `events.<name>.count` with `"timeframe": {"last_days": N}`, and `events.<name>.last_occurred` with date operators.
 */
export { parseFilter, FilterError, maxRelativeDays, maxWindowDays } from './parse.js';
export { evaluate, valueOf } from './evaluate.js';
export { dependenciesOf, nextCheckAt, windowsOf, type Dependencies } from './dependencies.js';
export type { EventFacts, Facts, Filter, Criterion, Condition, Field } from './types.js';
