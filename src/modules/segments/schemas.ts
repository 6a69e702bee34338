export const createSegmentBody = {
  type: 'object',
  required: ['name', 'type'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    type: { type: 'string', enum: ['static', 'passive', 'auto-update'] },
    filter: { type: 'object' },
    customers: { type: 'array', maxItems: 20000, items: { type: 'string', minLength: 1, maxLength: 500 } },
  },
} as const;

export const updateSegmentBody = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    // Taken only to refuse a change: a segment keeps the type it was created with.
    type: { type: 'string', enum: ['static', 'passive', 'auto-update'] },
    filter: { type: 'object' },
  },
} as const;
