import type { AssignmentRow, ValidationRuleRow } from './types.js';

export function validationRuleObject(r: ValidationRuleRow) {
  return {
    id: r.id,
    name: r.name,
    rules: r.rules,
    ...(r.bundle_rules ? { bundle_rules: r.bundle_rules } : {}),
    ...(r.error ? { error: r.error } : {}),
    applicable_to: r.applicable_to,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at ? r.updated_at.toISOString() : null,
    type: r.type,
    context_type: r.context_type,
    assignments_count: r.assignments_count ?? 0,
    object: 'validation_rules' as const,
  };
}

export function assignmentObject(a: AssignmentRow) {
  return {
    id: a.id,
    rule_id: a.rule_id,
    related_object_id: a.related_object_id,
    related_object_type: a.related_object_type,
    created_at: a.created_at.toISOString(),
    // An assignment is never changed (the official SDK's type declares the field).
    updated_at: null,
    object: 'validation_rules_assignment' as const,
  };
}

/** The assignment as business_validation_rule.assignment.* webhooks carry it (its validation is never partial here). */
export const assignmentPayload = (a: AssignmentRow) => ({ ...assignmentObject(a), validation_status: 'VALID' as const, validation_omitted_rules: [] });
