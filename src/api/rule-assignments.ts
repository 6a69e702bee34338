import { invalidPayload } from '../core/errors.js';

/**
 * `validation_rules` in an update: rules name the objects they guard when those are created; an existing object
 * gets one through the assignments endpoint.
 */
export const onlyAtCreation = (object: string) =>
  invalidPayload(`Property .validation_rules is taken when a ${object} is created; assign a rule to an existing ${object} with POST /v1/validation-rules/{id}/assignments`);
