/**
 * Voucherify's filter operators (DIGEST d.2), by the kind of value they apply to, with how many operands each
 * takes. Spelling variants seen in Voucherify's documents are accepted as aliases (DIGEST j.6).
 */
export type Arity = 'none' | 'one' | 'many';

export const equalityOps: Record<string, Arity> = {
  $is: 'one',
  $is_not: 'one',
  $in: 'many',
  $not_in: 'many',
  $has_value: 'none',
  $is_unknown: 'none',
};

export const stringOps: Record<string, Arity> = {
  $contains: 'one',
  $not_contain: 'one',
  $starts_with: 'one',
  $ends_with: 'one',
};

export const numberOps: Record<string, Arity> = {
  $more_than: 'one',
  $less_than: 'one',
  $more_than_equal: 'one',
  $less_than_equal: 'one',
};

/** Operators on dates; the N of the relative ones is a number of days (years for $is_years_ago). */
export const dateOps: Record<string, Arity> = {
  $after: 'one',
  $before: 'one',
  $more_than_ago: 'one',
  $less_than_ago: 'one',
  $is_days_ago: 'one',
  $more_than_future: 'one',
  $less_than_future: 'one',
  $is_days_in_future: 'one',
  $is_years_ago: 'one',
  $today: 'none',
  $yesterday: 'none',
  $tomorrow: 'none',
  $this_week: 'none',
  $last_week: 'none',
  $next_week: 'none',
  $this_month: 'none',
  $last_month: 'none',
  $next_month: 'none',
  $this_year: 'none',
  $last_year: 'none',
  $next_year: 'none',
  $is_day_of_month: 'one',
  $is_day: 'one',
  $is_month: 'one',
  $is_year: 'one',
  $today_md: 'none',
  $tomorrow_md: 'none',
  $yesterday_md: 'none',
  $this_week_md: 'none',
  $this_month_md: 'none',
  $next_month_md: 'none',
  $last_month_md: 'none',
};

export const arrayOps: Record<string, Arity> = {
  $count: 'one',
  $count_less: 'one',
  $count_more: 'one',
};

export const aliases: Record<string, string> = {
  $more_than_or_equal: '$more_than_equal',
  $less_than_or_equal: '$less_than_equal',
  $greater_than_or_equal: '$more_than_equal',
  $greater_than: '$more_than',
};

/** Which operator families a value type accepts. */
export function opsFor(type: 'string' | 'number' | 'date' | 'boolean' | 'any'): Record<string, Arity> {
  switch (type) {
    case 'string':
      return { ...equalityOps, ...stringOps };
    case 'number':
      return { ...equalityOps, ...numberOps };
    case 'date':
      return { ...equalityOps, ...numberOps, ...dateOps };
    case 'boolean':
      return { ...equalityOps };
    case 'any':
      return { ...equalityOps, ...stringOps, ...numberOps, ...dateOps, ...arrayOps };
  }
}
