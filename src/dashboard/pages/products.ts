import type { FastifyInstance, FastifyReply } from 'fastify';
import { productBody, skuBody, type ProductRow, type ProductsService, type SkuRow } from '../../modules/products/index.js';
import { dashOf, field, projectCtx, type ProjectCtx, refusalText } from '../context.js';
import { html, money, query, when, type Html } from '../html.js';
import { csrfField, postButton } from '../layout.js';
import { bodyProblem } from '../v1.js';

/** Products and their SKUs: the catalog that discounts, validation rules and orders name. */
export interface ProductServices {
  products: Pick<ProductsService, 'listProducts' | 'createProduct' | 'updateProduct' | 'getProduct' | 'skusOf' | 'getSku' | 'createSku' | 'deleteProduct' | 'deleteSku'>;
}

type P = { Params: { projectId: string; productId: string; skuId: string }; Querystring: { page?: string } };
const pageSize = 50;

/** Hundredths of the currency from the form's decimal; undefined when empty, NaN when not a number. */
function priceOf(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? Math.round(n * 100) : Number.NaN;
}

/** The body of a product or SKU from the form, checked against the API's schema; or what is wrong. */
function bodyOf(form: unknown, nameField: 'name' | 'sku', schema: object): { body?: Record<string, unknown>; problem?: string } {
  const name = field(form, nameField).trim();
  const sourceId = field(form, 'source_id').trim();
  const price = priceOf(field(form, 'price'));
  if (name === '') return { problem: nameField === 'name' ? 'Give the product a name.' : 'Give the SKU a name.' };
  if (Number.isNaN(price)) return { problem: 'The price is a number (12.5 is 12.50), or empty.' };
  const body = { [nameField]: name, ...(sourceId ? { source_id: sourceId } : {}), ...(price !== undefined ? { price } : {}) };
  const problem = bodyProblem(schema, body);
  return problem ? { problem } : { body };
}

function productForm(c: ProjectCtx, error?: string, values: Record<string, string> = {}): Html {
  return html`<form method="post" action="${c.base}/products" class="card" aria-labelledby="new-product-h">${csrfField(c.session)}<h2 id="new-product-h">New product</h2>
${error ? html`<div class="notice error" role="alert" id="form-error">${error}</div>` : ''}
<label for="product-name">Name</label><input type="text" id="product-name" name="name" required maxlength="200" value="${values.name ?? ''}">
<label for="product-source">Source ID <span class="muted">(your catalog's id; optional)</span></label><input type="text" id="product-source" name="source_id" maxlength="200" value="${values.source_id ?? ''}">
<label for="product-price">Price <span class="muted">(12.5 is 12.50; optional)</span></label><input type="number" id="product-price" name="price" min="0" step="0.01" value="${values.price ?? ''}">
<p><button type="submit">Add product</button></p></form>`;
}

function skuForm(c: ProjectCtx, product: ProductRow, error?: string, values: Record<string, string> = {}): Html {
  return html`<form method="post" action="${c.base}/products/${encodeURIComponent(product.id)}/skus" class="card" aria-labelledby="new-sku-h">${csrfField(c.session)}<h2 id="new-sku-h">New SKU</h2>
${error ? html`<div class="notice error" role="alert" id="form-error">${error}</div>` : ''}
<label for="sku-name">SKU</label><input type="text" id="sku-name" name="sku" required maxlength="200" value="${values.sku ?? ''}">
<label for="sku-source">Source ID <span class="muted">(optional)</span></label><input type="text" id="sku-source" name="source_id" maxlength="200" value="${values.source_id ?? ''}">
<label for="sku-price">Price <span class="muted">(empty: the product's)</span></label><input type="number" id="sku-price" name="price" min="0" step="0.01" value="${values.price ?? ''}">
<p><button type="submit">Add SKU</button></p></form>`;
}

export function productRoutes(d: FastifyInstance, s: ProductServices): void {
  async function listPage(c: ProjectCtx, reply: FastifyReply, pageNo: number, error?: string, values?: Record<string, string>) {
    const { products, total } = await s.products.listProducts(c.project.id, { limit: pageSize, page: pageNo });
    const body = html`<h1>Products</h1>
<p class="muted">The catalog that discounts, validation rules and orders name (by id or source ID). <a href="${c.base}/collections">Collections</a> group them.</p>
<div class="table-wrap"><table id="products"><caption class="visually-hidden">Products</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Source ID</th><th scope="col">Price</th><th scope="col">SKUs</th><th scope="col">Created</th></tr></thead>
<tbody>${products.length === 0 ? html`<tr><td colspan="5" class="muted">No products yet.</td></tr>` : ''}${products.map(
      ({ product: p, skus }) => html`<tr data-product="${p.id}"><td><a href="${c.base}/products/${encodeURIComponent(p.id)}">${p.name ?? p.id}</a></td><td class="mono">${p.source_id ?? '—'}</td>
<td>${money(p.price)}</td><td>${skus.length}</td><td>${when(p.created_at.toISOString())}</td></tr>`,
    )}</tbody></table></div>
<nav class="pager" aria-label="Pages">${pageNo > 1 ? html`<a href="${c.base}/products${query({ page: pageNo - 1 })}">« Previous</a>` : ''}${
      pageNo * pageSize < total ? html`<a href="${c.base}/products${query({ page: pageNo + 1 })}">Next »</a>` : ''
    }</nav>
${productForm(c, error, values)}`;
    return c.render(error ? reply.code(400) : reply, 'products', 'Products', body);
  }

  async function productPage(c: ProjectCtx, reply: FastifyReply, product: ProductRow, error?: string, values?: Record<string, string>) {
    const skus: SkuRow[] = await s.products.skusOf(c.project.id, product.id);
    const at = `${c.base}/products/${encodeURIComponent(product.id)}`;
    const body = html`<p class="crumb"><a href="${c.base}/products">Products</a> › ${product.name ?? product.id}</p><h1>${product.name ?? product.id}</h1>
<div class="card"><dl class="grid2"><div><dt>ID</dt><dd class="mono">${product.id}</dd></div><div><dt>Source ID</dt><dd class="mono">${product.source_id ?? '—'}</dd></div>
<div><dt>Price</dt><dd>${money(product.price)}</dd></div><div><dt>Created</dt><dd>${when(product.created_at.toISOString())}</dd></div></dl>
<div class="actions">${postButton(c.session, `${at}/delete`, 'Delete product', { danger: true, confirm: `Move ${product.name ?? product.id} and its SKUs to the bin?` })}</div>
<details><summary>Edit product</summary><form method="post" action="${at}/edit">${csrfField(c.session)}
<label for="edit-product-name">Name</label><input type="text" id="edit-product-name" name="name" required maxlength="1000" value="${product.name ?? ''}">
<label for="edit-product-price">Price <span class="muted">(12.5 is 12.50; empty: none)</span></label><input type="number" id="edit-product-price" name="price" min="0" step="0.01" value="${product.price === null || product.price === undefined ? '' : money(product.price)}">
<label for="edit-product-metadata">Metadata <span class="muted">(JSON; keys left out are removed)</span></label><textarea id="edit-product-metadata" name="metadata" rows="3">${JSON.stringify(product.metadata ?? {})}</textarea>
<p><button type="submit" class="secondary">Save product</button></p></form></details></div>
<h2>SKUs (${skus.length})</h2>
<div class="table-wrap"><table id="skus"><thead><tr><th scope="col">SKU</th><th scope="col">Source ID</th><th scope="col">Price</th><th scope="col">Actions</th></tr></thead>
<tbody>${skus.length === 0 ? html`<tr><td colspan="4" class="muted">No SKUs.</td></tr>` : ''}${skus.map(
      (k) => html`<tr data-sku="${k.id}"><td>${k.sku ?? k.id}</td><td class="mono">${k.source_id ?? '—'}</td><td>${money(k.price ?? product.price)}</td>
<td class="actions">${postButton(c.session, `${at}/skus/${encodeURIComponent(k.id)}/delete`, 'Delete', { danger: true, confirm: `Move the SKU ${k.sku ?? k.id} to the bin?` })}</td></tr>`,
    )}</tbody></table></div>
${skuForm(c, product, error, values)}`;
    return c.render(error ? reply.code(400) : reply, 'products', product.name ?? product.id, body);
  }

  const typed = (form: unknown, names: string[]) => Object.fromEntries(names.map((n) => [n, field(form, n)]));

  d.get<P>('/p/:projectId/products', async (req, reply) => {
    const c = await projectCtx(req);
    return listPage(c, reply, Math.min(1000, Math.max(1, Number.parseInt(req.query.page ?? '', 10) || 1)));
  });

  d.post<P>('/p/:projectId/products', async (req, reply) => {
    const c = await projectCtx(req);
    const values = typed(req.body, ['name', 'source_id', 'price']);
    const { body, problem } = bodyOf(req.body, 'name', productBody);
    if (!body) return listPage(c, reply, 1, problem, values);
    // An existing source ID would update that product (the API's upsert): the form only adds.
    if (body.source_id && (await s.products.getProduct(c.project.id, String(body.source_id)).catch(() => undefined))) {
      return listPage(c, reply, 1, `A product with the source ID ${String(body.source_id)} exists already.`, values);
    }
    try {
      const p = await s.products.createProduct(c.project.id, body);
      return c.done(reply, `${c.base}/products/${encodeURIComponent(p.id)}`, `Product ${p.name} added.`);
    } catch (err) {
      const why = refusalText(err);
      if (why !== undefined) return listPage(c, reply, 1, why, values);
      throw err;
    }
  });

  d.get<P>('/p/:projectId/products/:productId', async (req, reply) => {
    const c = await projectCtx(req);
    return productPage(c, reply, await s.products.getProduct(c.project.id, req.params.productId));
  });

  // Edited as the API's PUT does: the name, the price (empty: none) and the metadata.
  d.post<P>('/p/:projectId/products/:productId/edit', async (req, reply) => {
    const c = await projectCtx(req);
    const product = await s.products.getProduct(c.project.id, req.params.productId);
    const at = `${c.base}/products/${encodeURIComponent(product.id)}`;
    const name = field(req.body, 'name').trim();
    const price = priceOf(field(req.body, 'price'));
    let metadata: unknown;
    try {
      metadata = JSON.parse(field(req.body, 'metadata').trim() || '{}');
    } catch {
      metadata = undefined;
    }
    if (!name) return c.done(reply, at, 'Give the product a name.', 'error');
    if (Number.isNaN(price)) return c.done(reply, at, 'The price is a number (12.5 is 12.50), or empty.', 'error');
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return c.done(reply, at, 'The metadata is a JSON object, such as {"color": "blue"}.', 'error');
    const body = { name, price: price ?? null, metadata: metadata as Record<string, unknown> };
    const problem = bodyProblem(productBody, body);
    if (problem) return c.done(reply, at, problem, 'error');
    return c.attempt(reply, at, async () => {
      await s.products.updateProduct(c.project.id, product.id, body);
      return `Product ${name} saved.`;
    });
  });

  d.post<P>('/p/:projectId/products/:productId/skus', async (req, reply) => {
    const c = await projectCtx(req);
    const product = await s.products.getProduct(c.project.id, req.params.productId);
    const values = typed(req.body, ['sku', 'source_id', 'price']);
    const { body, problem } = bodyOf(req.body, 'sku', skuBody);
    if (!body) return productPage(c, reply, product, problem, values);
    if (body.source_id && (await s.products.getSku(c.project.id, String(body.source_id)).catch(() => undefined))) {
      return productPage(c, reply, product, `An SKU with the source ID ${String(body.source_id)} exists already.`, values);
    }
    try {
      const k = await s.products.createSku(c.project.id, product.id, body);
      return c.done(reply, `${c.base}/products/${encodeURIComponent(product.id)}`, `SKU ${k.sku} added.`);
    } catch (err) {
      const why = refusalText(err);
      if (why !== undefined) return productPage(c, reply, product, why, values);
      throw err;
    }
  });

  d.post<P>('/p/:projectId/products/:productId/delete', async (req, reply) => {
    const c = await projectCtx(req);
    const product = await s.products.getProduct(c.project.id, req.params.productId);
    await s.products.deleteProduct(c.project.id, product.id, false, dashOf(req).session.user.id);
    return c.done(reply, `${c.base}/products`, `Product ${product.name ?? product.id} moved to the bin.`);
  });

  d.post<P>('/p/:projectId/products/:productId/skus/:skuId/delete', async (req, reply) => {
    const c = await projectCtx(req);
    const product = await s.products.getProduct(c.project.id, req.params.productId);
    await s.products.deleteSku(c.project.id, product.id, req.params.skuId, false, dashOf(req).session.user.id);
    return c.done(reply, `${c.base}/products/${encodeURIComponent(product.id)}`, 'SKU moved to the bin.');
  });
}
