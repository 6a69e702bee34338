import { invalidPayload } from '../core/errors.js';
import type { Cause } from '../modules/event-log/index.js';
import type { ValidationRulesService } from '../modules/validation-rules/index.js';
import type { VoucherInput, VouchersService } from '../modules/vouchers/index.js';

/**
 * `validation_rules` in an update: rules name the objects they guard when those are created; an existing object
 * gets one through the assignments endpoint.
 */
export const onlyAtCreation = (object: string) =>
  invalidPayload(`Property .validation_rules is taken when a ${object} is created; assign a rule to an existing ${object} with POST /v1/validation-rules/{id}/assignments`);

/**
 * A new voucher (POST /v1/vouchers[/{code}], or a campaign's .../vouchers[/{code}]) with the rules its
 * `validation_rules` names assigned in the creating transaction, answered with its assignments.
 */
export async function createVoucher(deps: { vouchers: VouchersService; validationRules: ValidationRulesService }, cause: Cause, input: VoucherInput) {
  const rules = deps.validationRules;
  const v = await deps.vouchers.create(cause, input, (tx, row) => rules.assignNamed(tx, cause, input.validation_rules, 'voucher', row.id));
  if (input.validation_rules?.length) await rules.changed(cause.projectId);
  return { ...v, validation_rules_assignments: await rules.assignmentsOf(cause.projectId, 'voucher', v.id) };
}
