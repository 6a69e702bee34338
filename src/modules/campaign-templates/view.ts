import type { TemplateRow } from './types.js';

/** The campaign_template object. */
export function templateObject(t: TemplateRow) {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    campaign_type: t.campaign_type,
    created_at: t.created_at.toISOString(),
    updated_at: t.updated_at ? t.updated_at.toISOString() : null,
    object: 'campaign_template' as const,
  };
}
