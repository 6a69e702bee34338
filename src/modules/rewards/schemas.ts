/** POST and PUT /v1/rewards (the dashboard's Add reward form checks the same). */
export const rewardBody = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    type: { type: 'string', enum: ['CAMPAIGN', 'MATERIAL', 'COIN'] },
    parameters: { type: 'object' },
    attributes: { type: 'object' },
    metadata: { type: 'object' },
    // A 32-bit count, as its redeemed count is.
    stock: { type: ['integer', 'null'], minimum: 0, maximum: 2_147_483_647 },
  },
} as const;
/** A reward's assignment to a program, at a price in points. */
export const assignmentBody = {
  type: 'object',
  properties: { campaign: { type: 'string', minLength: 1 }, reward: { type: 'string', minLength: 1 }, parameters: { type: 'object', properties: { loyalty: { type: 'object', properties: { points: { type: 'integer', maximum: 1e12 } } } } } },
} as const;
