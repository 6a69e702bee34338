import type { FastifyInstance, FastifyReply } from 'fastify';
import { collectionBody, type ProductsService } from '../../modules/products/index.js';
import { field, fields, projectCtx, type ProjectCtx, refusalText } from '../context.js';
import { html, when, type Html } from '../html.js';
import { csrfField, postButton } from '../layout.js';
import { bodyProblem } from '../v1.js';

/** Product collections: products listed by hand (static) or matched by a filter (auto-update), for discounts and rules. */
export interface CollectionServices {
  products: Pick<ProductsService, 'listProducts' | 'listCollections' | 'createCollection' | 'getCollection' | 'deleteCollection' | 'collectionProducts'>;
}

type P = { Params: { projectId: string; collectionId: string } };
const example = '{"junction": "and", "price": {"conditions": {"$more_than": [1000]}}}';

export function collectionRoutes(d: FastifyInstance, s: CollectionServices): void {
  async function listPage(c: ProjectCtx, reply: FastifyReply, error?: string, values: Record<string, string> = {}): Promise<FastifyReply> {
    const [{ collections, total }, { products }] = await Promise.all([s.products.listCollections(c.project.id, { limit: 100, page: 1 }), s.products.listProducts(c.project.id, { limit: 100, page: 1 })]);
    const body: Html = html`<p class="crumb"><a href="${c.base}/products">Products</a> › Collections</p><h1>Collections</h1>
<p class="muted">Products grouped for discounts and validation rules: listed by hand, or matched by a filter as products change.</p>
<div class="table-wrap"><table id="collections"><thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Created</th></tr></thead>
<tbody>${collections.length === 0 ? html`<tr><td colspan="3" class="muted">No collections yet.</td></tr>` : ''}${collections.map(
      (x) => html`<tr data-collection="${x.id}"><td><a href="${c.base}/collections/${encodeURIComponent(x.id)}">${x.name}</a></td><td>${x.type === 'STATIC' ? 'Listed products' : 'Matched by a filter'}</td><td>${when(x.created_at.toISOString())}</td></tr>`,
    )}</tbody></table></div>${total > collections.length ? html`<p class="muted">The first ${collections.length} of ${total}.</p>` : ''}
<form method="post" action="${c.base}/collections" class="card" aria-labelledby="new-collection-h">${csrfField(c.session)}<h2 id="new-collection-h">New collection</h2>
${error ? html`<div class="notice error" role="alert" id="form-error">${error}</div>` : ''}
<label for="collection-name">Name</label><input type="text" id="collection-name" name="name" required maxlength="500" value="${values.name ?? ''}">
<label for="collection-type">Products</label><select id="collection-type" name="type"><option value="STATIC"${values.type === 'AUTO_UPDATE' ? '' : ' selected'}>the ones I tick</option><option value="AUTO_UPDATE"${values.type === 'AUTO_UPDATE' ? ' selected' : ''}>those a filter matches</option></select>
<fieldset class="events" aria-label="Products of the collection"><legend>Products <span class="muted">(listed products)</span></legend>${products.length === 0 ? html`<p class="muted">No products yet.</p>` : ''}${products.map(
      ({ product: p }) => html`<label class="inline"><input type="checkbox" name="products" value="${p.id}"> ${p.name ?? p.id}</label>`,
    )}</fieldset>
<label for="collection-filter">Filter <span class="muted">(JSON, for a filter: fields id, source_id, name, price, image_url or metadata.KEY, e.g. ${example})</span></label><textarea id="collection-filter" name="filter" rows="3">${values.filter ?? ''}</textarea>
<p><button type="submit">Add collection</button></p></form>`;
    return c.render(error ? reply.code(400) : reply, 'products', 'Collections', body);
  }

  d.get<P>('/p/:projectId/collections', async (req, reply) => listPage(await projectCtx(req), reply));

  d.post<P>('/p/:projectId/collections', async (req, reply) => {
    const c = await projectCtx(req);
    const values = { name: field(req.body, 'name'), type: field(req.body, 'type'), filter: field(req.body, 'filter') };
    const name = values.name.trim();
    let body: Record<string, unknown>;
    if (values.type === 'AUTO_UPDATE') {
      let filter: unknown;
      try {
        filter = JSON.parse(values.filter);
      } catch {
        return listPage(c, reply, `The filter is not valid JSON, such as ${example}`, values);
      }
      body = { name, type: 'AUTO_UPDATE', filter };
    } else {
      const ids = fields(req.body, 'products');
      if (ids.length === 0) return listPage(c, reply, 'Tick the products of the collection.', values);
      body = { name, type: 'STATIC', products: ids.map((id) => ({ id, object: 'product' })) };
    }
    const problem = bodyProblem(collectionBody, body);
    if (problem) return listPage(c, reply, problem, values);
    try {
      const made = await s.products.createCollection(c.project.id, body as never);
      return c.done(reply, `${c.base}/collections/${encodeURIComponent(made.id)}`, `Collection ${made.name} added.`);
    } catch (err) {
      const why = refusalText(err);
      if (why !== undefined) return listPage(c, reply, why, values);
      throw err;
    }
  });

  d.get<P>('/p/:projectId/collections/:collectionId', async (req, reply) => {
    const c = await projectCtx(req);
    const x = await s.products.getCollection(c.project.id, req.params.collectionId);
    // The first 100 (the API's largest page), and how many there are.
    const { items, total } = await s.products.collectionProducts(c.project.id, x.id, { limit: 100, page: 1 });
    const at = `${c.base}/collections/${encodeURIComponent(x.id)}`;
    const body = html`<p class="crumb"><a href="${c.base}/products">Products</a> › <a href="${c.base}/collections">Collections</a> › ${x.name}</p><h1>${x.name}</h1>
<div class="card"><dl class="grid2"><div><dt>ID</dt><dd class="mono">${x.id}</dd></div><div><dt>Type</dt><dd>${x.type === 'STATIC' ? 'Listed products' : 'Matched by a filter'}</dd></div>
${x.filter ? html`<div><dt>Filter</dt><dd><code>${JSON.stringify(x.filter)}</code></dd></div>` : ''}<div><dt>Created</dt><dd>${when(x.created_at.toISOString())}</dd></div></dl>
<div class="actions">${postButton(c.session, `${at}/delete`, 'Delete collection', { danger: true, confirm: `Delete the collection ${x.name}? Its products stay.` })}</div></div>
<h2>Products (${total})</h2>
<ul id="collection-products">${items.map((i) => (i.sku ? html`<li>${i.sku.sku ?? i.sku.id} <span class="muted">(SKU)</span></li>` : html`<li><a href="${c.base}/products/${encodeURIComponent(i.product.id)}">${i.product.name ?? i.product.id}</a></li>`))}</ul>
${total > items.length ? html`<p class="muted">The first ${items.length} are shown.</p>` : ''}${total === 0 ? html`<p class="muted">No product is in it now.</p>` : ''}`;
    return c.render(reply, 'products', x.name, body);
  });

  d.post<P>('/p/:projectId/collections/:collectionId/delete', async (req, reply) => {
    const c = await projectCtx(req);
    const x = await s.products.getCollection(c.project.id, req.params.collectionId);
    await s.products.deleteCollection(c.project.id, x.id);
    return c.done(reply, `${c.base}/collections`, `Collection ${x.name} deleted.`);
  });
}
