import { html, query, type Html } from '../html.js';

/** The campaign, customer and code filters that the Redemptions and Publications screens share. */
export function campaignCustomerCodeFields(campaigns: Array<{ id: string; name: string }>, v: { campaign: string; customer: string; code: string }): Html {
  return html`<label for="f-campaign">Campaign</label><select id="f-campaign" name="campaign"><option value="">Any</option>${campaigns.map(
    (x) => html`<option value="${x.id}"${v.campaign === x.id ? ' selected' : ''}>${x.name}</option>`,
  )}</select>
<label for="f-customer">Customer <span class="muted">(id or source ID)</span></label><input type="text" id="f-customer" name="customer" maxlength="200" value="${v.customer}">
<label for="f-code">Code</label><input type="text" id="f-code" name="code" maxlength="200" value="${v.code}">`;
}

/** Previous and Next links of a paged list (pages from 1), keeping its filters. */
export function pager(href: string, params: Record<string, string>, pageNo: number, pageSize: number, total: number): Html {
  return html`<nav class="pager" aria-label="Pages">${pageNo > 1 ? html`<a href="${href}${query({ ...params, page: pageNo - 1 })}">« Previous</a>` : ''}${
    pageNo * pageSize < total ? html`<a href="${href}${query({ ...params, page: pageNo + 1 })}">Next »</a>` : ''
  }</nav>`;
}
