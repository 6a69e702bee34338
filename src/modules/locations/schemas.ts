/** Bodies of the locations routes (the shapes' inner rules, such as closed rings, are checked by checkShape). */
const circle = {
  type: 'object',
  required: ['type', 'distance'],
  additionalProperties: false,
  properties: {
    type: { const: 'circle' },
    format: { const: 'distance', default: 'distance' },
    distance: { type: 'object', required: ['center', 'radius'], additionalProperties: false, properties: { center: { type: 'string', maxLength: 100 }, radius: { type: 'string', maxLength: 50 } } },
  },
} as const;
const polygon = {
  type: 'object',
  required: ['type', 'geojson'],
  additionalProperties: false,
  properties: {
    type: { const: 'polygon' },
    format: { const: 'geojson', default: 'geojson' },
    geojson: { type: 'object', required: ['type', 'coordinates'], additionalProperties: false, properties: { type: { enum: ['Polygon', 'MultiPolygon'] }, coordinates: { type: 'array', maxItems: 1000 } } },
  },
} as const;
const shape = {
  type: 'object',
  required: ['type'],
  properties: { type: { enum: ['circle', 'polygon'] } },
  allOf: [
    { if: { properties: { type: { const: 'circle' } } }, then: circle },
    { if: { properties: { type: { const: 'polygon' } } }, then: polygon },
  ],
} as const;

export const locationInputSchema = { type: 'object', required: ['name', 'shape'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, shape } } as const;
export const locationUpdateSchema = { type: 'object', minProperties: 1, additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, shape } } as const;
