/**
 * Request examples shown in /openapi.json and /docs, by "METHOD url" as Fastify registers the route. Kept apart
 * from the route schemas so the validation schemas stay as they are; the quickstart test sends the same shapes.
 */
export const requestExamples: Record<string, unknown> = {
  'POST /management/v1/projects': { name: 'Shop', timezone: 'Europe/Warsaw', client_trusted_domains: ['shop.example.com'] },
  'PUT /management/v1/projects/:projectId': { client_trusted_domains: ['shop.example.com', 'm.shop.example.com'] },
  'POST /management/v1/projects/users/invite': { email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', projects: { proj_ExPr0jID: 'USER' } },
  'POST /management/v1/projects/:projectId/users': { login: 'ada@example.com', role: 'VIEWER' },
  'PUT /management/v1/projects/:projectId/users/:userId': { role: 'ADMIN' },
  'POST /management/v1/projects/:projectId/custom-event-schemas': {
    name: 'sign_up',
    schema: { properties: { plan: { type: 'string', optional: true }, seats: { type: 'number', optional: true } } },
  },
  'PUT /management/v1/projects/:projectId/custom-event-schemas/:schemaId': {
    schema: { properties: { referrer: { type: 'string', optional: true } } },
  },
  'POST /management/v1/projects/:projectId/webhooks': {
    target_url: 'https://example.com/hooks/tessera',
    events: ['customer.created', 'customer.updated'],
    description: 'CRM sync',
    headers: { 'X-Api-Key': 'receiver-key' },
  },
  'PUT /management/v1/projects/:projectId/webhooks/:webhookId': { target_url: 'https://example.com/hooks/tessera', events: ['*'], active: true },
  'POST /management/v1/projects/:projectId/webhooks/:webhookId/test': { type: 'customer.deleted' },
  'POST /management/v1/projects/:projectId/webhooks/:webhookId/retry-failed': { start_date: '2026-12-01T00:00:00Z', end_date: '2026-12-02T00:00:00Z' },
  'POST /v1/customers': { source_id: 'alice@example.com', name: 'Alice', email: 'alice@example.com', metadata: { tier: 'gold' } },
  'PUT /v1/customers/:customerId': { metadata: { tier: 'platinum' } },
  'POST /v1/events': { event: 'sign_up', customer: { source_id: 'alice@example.com', name: 'Alice' }, metadata: { plan: 'pro' } },
  'POST /client/v1/events': { event: 'sign_up', customer: { source_id: 'alice@example.com' }, metadata: { plan: 'pro' } },
  'POST /v1/segments': {
    name: 'Pro sign-ups',
    type: 'auto-update',
    filter: { junction: 'and', 'events.sign_up.count': { conditions: { $more_than_equal: [1] } } },
  },
  'POST /v1/distributions': {
    name: 'Welcome',
    trigger: { type: 'customer.custom_event', event: 'sign_up' },
    channel: { type: 'webhook', target_url: 'https://example.com/hooks/welcome', event_name: 'welcome-message', template: { greeting: 'Hi {{customer.name}}' } },
  },
  'POST /v1/distributions/:distributionId/send': { customer: 'alice@example.com', delay_seconds: 0 },
  'POST /v1/distributions/:distributionId/test': { email: 'me@example.com' },
};
