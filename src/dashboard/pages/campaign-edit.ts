import type { FastifyInstance } from 'fastify';
import type { CampaignsService } from '../../modules/campaigns/index.js';
import { dashOf, field, projectCtx, type ProjectCtx } from '../context.js';
import { html, type Html } from '../html.js';
import { csrfField } from '../layout.js';
import { userCause } from '../v1.js';
import { utc } from './campaign-new.js';

export interface CampaignEditServices {
  campaigns: Pick<CampaignsService, 'update'>;
}

/** A date of the API (ISO, UTC) as a datetime-local field shows it: `2026-12-31T23:59:59`, or `2026-12-31T23:59` at 0 seconds. */
const local = (iso: string | null | undefined) => (iso ? iso.slice(0, 19).replace(/:00$/, '') : '');

/** The field's time (UTC), or the stored one (`<name>_was`) when the field still shows it, milliseconds and all. */
function timeOf(form: unknown, name: string): string | undefined | null {
  const shown = field(form, name).trim();
  const was = new Date(field(form, `${name}_was`));
  if (shown !== '' && !Number.isNaN(was.getTime()) && local(was.toISOString()) === shown) return was.toISOString();
  return utc(shown);
}

/** *Edit campaign* on a campaign's page: its description and when it is valid (UTC), as the signed-in user. */
export function campaignEditForm(c: ProjectCtx, at: string, campaign: { description: string | null; start_date: string | null; expiration_date: string | null }): Html {
  return html`<details><summary>Edit campaign</summary><form method="post" action="${at}/edit">${csrfField(c.session)}
<label for="edit-description">Description</label><textarea id="edit-description" name="description" rows="2" maxlength="5000">${campaign.description ?? ''}</textarea>
<label for="edit-start">Starts <span class="muted">(UTC; empty: at once)</span></label><input type="datetime-local" id="edit-start" name="start_date" step="1" value="${local(campaign.start_date)}">
<label for="edit-end">Expires <span class="muted">(UTC; empty: never)</span></label><input type="datetime-local" id="edit-end" name="expiration_date" step="1" value="${local(campaign.expiration_date)}">
<input type="hidden" name="start_date_was" value="${campaign.start_date ?? ''}"><input type="hidden" name="expiration_date_was" value="${campaign.expiration_date ?? ''}">
<p><button type="submit" class="secondary">Save campaign</button></p></form></details>`;
}

export function campaignEditRoutes(d: FastifyInstance, s: CampaignEditServices): void {
  d.post<{ Params: { projectId: string; campaignId: string } }>('/p/:projectId/campaigns/:campaignId/edit', async (req, reply) => {
    const c = await projectCtx(req);
    const at = `${c.base}/campaigns/${encodeURIComponent(req.params.campaignId)}`;
    const start = timeOf(req.body, 'start_date');
    const end = timeOf(req.body, 'expiration_date');
    if (start === null || end === null) return c.done(reply, at, 'Give the dates as a day and a time (UTC).', 'error');
    if (start && end && end <= start) return c.done(reply, at, 'The campaign must expire after it starts.', 'error');
    const description = field(req.body, 'description').trim().slice(0, 5000);
    return c.attempt(reply, at, async () => {
      await s.campaigns.update(userCause(req, c.project.id, dashOf(req).session), req.params.campaignId, { description: description || null, start_date: start ?? null, expiration_date: end ?? null });
      return 'Campaign saved.';
    });
  });
}
