import type { Clock } from '../../core/clock.js';
import { duplicate, invalidCodeConfig, invalidVoucher, notFound, TesseraError } from '../../core/errors.js';
import { newId, newSortableId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';
import { checkTemplate, checkValidity, codeShape, drawCodes, type CampaignRow, type CampaignsService, type CodeConfig, type VoucherTemplate } from '../campaigns/index.js';
import type { TrashBin } from '../trash-bin/index.js';
import * as sql from './sql.js';
import { changesOf, nullsAsNone } from './input.js';
import type { VoucherInput, VoucherListQuery, VoucherOverrides, VoucherRow } from './types.js';
import { effective, simpleVoucher, voucherObject } from './view.js';
import { dateBounds } from '../../core/time-range.js';
import { checkUnitTypes, type UnknownUnits } from '../discounts/index.js';

/** When a campaign's codes that set no expiration_date of their own expire (ISO text), or null. */
const campaignExpiry = (campaign: CampaignRow): string | null => effective({ overrides: {} } as VoucherRow, campaign).expiration_date ?? null;

/** Whether a campaign makes codes on demand now: an AUTO_UPDATE one with a voucher template, not yet expired. */
const makesCodes = (campaign: CampaignRow, expiry: string | null, now: Date): boolean =>
  campaign.type === 'AUTO_UPDATE' && campaign.definition.voucher !== undefined && (expiry === null || Date.parse(expiry) > now.getTime());

/** Codes are printable text without surrounding spaces, up to 100 characters. */
function checkCode(code: string): string {
  // eslint-disable-next-line no-control-regex
  if (code.length === 0 || code.length > 100 || code.trim() !== code || /[\u0000-\u001f\u007f]/.test(code)) {
    throw invalidVoucher(`Code '${code.slice(0, 120)}' must be 1 to 100 printable characters without leading or trailing spaces`);
  }
  return code;
}

const overrideKeys = ['discount', 'gift', 'loyalty_card', 'redemption', 'start_date', 'expiration_date', 'validity_timeframe', 'validity_day_of_week', 'validity_hours', 'additional_info', 'metadata', 'is_referral_code'] as const;

function overridesOf(input: VoucherInput): VoucherOverrides {
  const o: Record<string, unknown> = {};
  for (const k of overrideKeys) if (input[k] !== undefined) o[k] = input[k];
  return o as VoucherOverrides;
}

/** What each type of code is made of (its value: a discount, credits, points). */
const valueOfType = { DISCOUNT_VOUCHER: 'discount', GIFT_VOUCHER: 'gift', LOYALTY_CARD: 'loyalty_card' } as const;

/** Attempts at a random code for one voucher before giving up (each a fresh draw; the space is at most half full). */
const drawAttempts = 8;

export function createVouchersService(deps: { db: Db; clock: Clock; log: Pick<EventLog, 'record'>; campaigns: CampaignsService; bin?: Pick<TrashBin, 'keep'>; unknownUnits?: UnknownUnits }) {
  const { db, clock, log, campaigns } = deps;

  /** A discount sent that gives away a product or SKU the catalog does not know is a 404 naming it. */
  const checkUnits = (ex: Executor, projectId: string, discount: unknown) => checkUnitTypes(ex, projectId, discount, deps.unknownUnits);

  async function campaignOf(tx: Executor, v: VoucherRow): Promise<CampaignRow | undefined> {
    return v.campaign_id ? (await campaigns.byIds(tx, v.project_id, [v.campaign_id]))[0] : undefined;
  }

  async function find(projectId: string, codeOrId: string, tx: Executor = db, lock = false): Promise<VoucherRow> {
    const v = await sql.selectVoucher(tx, projectId, codeOrId, lock);
    if (!v) throw notFound('voucher', codeOrId);
    return v;
  }

  /** Rows with the redeemed count of unlimited vouchers filled in (limited ones keep theirs in the row). */
  async function withCounts(ex: Executor, projectId: string, rows: Array<{ v: VoucherRow; c: CampaignRow | undefined }>): Promise<VoucherRow[]> {
    const unlimited = rows.filter(({ v, c }) => typeof effective(v, c).redemption?.quantity !== 'number').map(({ v }) => v.id);
    const counts = await sql.countRedeemed(ex, projectId, unlimited);
    return rows.map(({ v }) => (counts.has(v.id) ? { ...v, redeemed_quantity: counts.get(v.id) } : v));
  }

  async function view(v: VoucherRow, tx: Executor = db) {
    const c = await campaignOf(tx, v);
    const [counted] = await withCounts(tx, v.project_id, [{ v, c }]);
    return voucherObject(counted!, c, effective(v, c).category_id ? await campaigns.categories(v.project_id, tx) : []);
  }

  function event(cause: Cause, type: string, v: VoucherRow, c: CampaignRow | undefined, extra: Record<string, unknown> = {}): CausedEvent {
    return {
      cause,
      event: { type, customerId: null, entityId: v.id, data: { voucher: voucherObject(v, c), campaign: c ? campaigns.simple(c) : null, ...extra } },
    };
  }

  /** The row of a new voucher: in a campaign (its template) or standalone (a template of its own). */
  async function build(cause: Cause, sent: VoucherInput): Promise<{ row: VoucherRow; campaign?: CampaignRow; config?: CodeConfig }> {
    const input = nullsAsNone(sent);
    const key = input.campaign_id ?? input.campaign;
    const campaign = key !== undefined ? await campaigns.get(cause.projectId, key) : undefined;
    const overrides = overridesOf(input);
    if (input.category_id !== undefined || input.category !== undefined) overrides.category_id = await campaigns.categoryId(cause.projectId, input.category_id, input.category);
    let template: VoucherTemplate;
    if (campaign) {
      if (!campaign.definition.voucher) throw invalidVoucher(`Campaign ${campaign.id} is a ${campaign.campaign_type} and holds no codes`);
      if (input.type !== undefined && input.type !== campaign.definition.voucher.type) {
        throw invalidVoucher(`Property .type must be ${campaign.definition.voucher.type}, the type of campaign ${campaign.id}`);
      }
      template = { ...campaign.definition.voucher, ...(overrides as Partial<VoucherTemplate>) };
    } else {
      template = checkTemplate({ type: input.type ?? 'DISCOUNT_VOUCHER', ...(overrides as Partial<VoucherTemplate>), code_config: input.code_config } as VoucherTemplate);
      if (template.gift) overrides.gift = { amount: template.gift.amount, ...(template.gift.effect ? { effect: template.gift.effect } : {}) };
    }
    const now = clock.now();
    const row: VoucherRow = {
      id: newSortableId('v', now),
      project_id: cause.projectId,
      campaign_id: campaign?.id ?? null,
      code: input.code !== undefined ? checkCode(input.code) : '',
      type: template.type,
      active: input.active ?? true,
      holder_id: null,
      publish_count: 0,
      gift_balance: template.type === 'GIFT_VOUCHER' ? (template.gift?.amount ?? 0) : null,
      overrides,
      created_at: now,
      updated_at: null,
    };
    checkValidity(effective(row, campaign));
    await campaigns.checkMetadata(cause.projectId, 'voucher', input.metadata);
    await checkUnits(db, cause.projectId, overrides.discount);
    return { row, campaign, config: input.code_config ?? campaign?.definition.voucher?.code_config };
  }

  /** Inserts a voucher: with its own code (a taken code is a 409), or with a random one from the code_config. */
  async function insert(tx: Executor, row: VoucherRow, config: CodeConfig | undefined): Promise<VoucherRow> {
    if (row.code !== '') {
      if (!(await sql.insertVoucher(tx, row))) throw duplicate('voucher', 'code', row.code);
      return row;
    }
    const shape = codeShape(config);
    for (let i = 0; i < drawAttempts; i++) {
      const candidate = { ...row, code: drawCodes(shape, 1)[0]! };
      if (await sql.insertVoucher(tx, candidate)) return candidate;
    }
    throw invalidCodeConfig(`No free code found in ${drawAttempts} draws from code_config ${JSON.stringify(config ?? {})}: its code space is nearly used up`);
  }

  /** POST /v1/vouchers; `within` runs in the creating transaction (rule assignments). */
  async function create(cause: Cause, input: VoucherInput, within?: (tx: Executor, row: VoucherRow) => Promise<void>) {
    const { row, campaign, config } = await build(cause, input);
    return db.transaction(async (tx) => {
      const saved = await insert(tx, row, config);
      await log.record(tx, [event(cause, 'voucher.created', saved, campaign)]);
      await within?.(tx, saved);
      return voucherObject(saved, campaign);
    });
  }

  /**
   * A gift card's `gift` in an update: its `effect` may change; its `amount` (the credits it was given, transactions
   * included) only with a transaction (POST .../balance), so another amount is refused; `balance` is read-only.
   */
  function giftChange(current: VoucherRow, campaign: CampaignRow | undefined, sent: NonNullable<VoucherInput['gift']>) {
    const base = effective(current, campaign).gift;
    const shown = voucherObject(current, campaign).gift;
    if (!base || !shown) throw invalidVoucher(`Voucher ${current.code} is not a gift card: it has no gift`);
    if (sent.amount !== undefined && sent.amount !== shown.amount) {
      throw invalidVoucher(`A gift card's gift.amount changes only with a transaction: POST /v1/vouchers/${current.code}/balance with the credits to add or take (it is ${shown.amount})`);
    }
    const effect = sent.effect ?? base.effect;
    return { amount: base.amount, ...(effect ? { effect } : {}) };
  }

  /** PUT /v1/vouchers/{code}: the attributes sent change (the code, its campaign and type do not). */
  async function update(cause: Cause, codeOrId: string, sent: VoucherInput) {
    return db.transaction(async (tx) => {
      const current = await find(cause.projectId, codeOrId, tx, true);
      // null is "none" (what GET shows where there is none), but a code cannot be without what its type is made of.
      const needed = valueOfType[current.type];
      if (sent[needed] === null) throw invalidVoucher(`Property .${needed} cannot be null: a ${current.type} needs its ${needed} (send another ${needed} to change it)`);
      const input = changesOf(nullsAsNone(sent), voucherObject(current, await campaignOf(tx, current)));
      if (input.metadata !== undefined) await campaigns.checkMetadata(cause.projectId, 'voucher', input.metadata, tx);
      if (input.type !== undefined && input.type !== current.type) throw invalidVoucher('Property .type of a voucher cannot be changed');
      const overrides = { ...current.overrides, ...overridesOf(input) };
      if (input.category_id !== undefined || input.category !== undefined) overrides.category_id = await campaigns.categoryId(cause.projectId, input.category_id, input.category, tx);
      const campaign = await campaignOf(tx, current);
      if (input.gift !== undefined) overrides.gift = giftChange(current, campaign, input.gift);
      if (input.discount !== undefined) await checkUnits(tx, cause.projectId, input.discount);
      const row: VoucherRow = { ...current, active: input.active ?? current.active, overrides, updated_at: clock.now() };
      checkValidity(effective(row, campaign));
      await sql.updateVoucher(tx, row);
      // A limit on a code redeemed while unlimited counts those redemptions.
      const limited = (v: VoucherRow) => typeof effective(v, campaign).redemption?.quantity === 'number';
      if (limited(row) && !limited(current)) await sql.recountRedeemed(tx, cause.projectId, row.id);
      await log.record(tx, [event(cause, 'voucher.updated', row, campaign)]);
      return voucherObject(row, campaign);
    });
  }

  /** Deletes a voucher: into the bin (restorable), or for good with `force`. */
  async function remove(cause: Cause, codeOrId: string, force = false): Promise<void> {
    await db.transaction(async (tx) => {
      const current = await find(cause.projectId, codeOrId, tx, true);
      const campaign = await campaignOf(tx, current);
      if (!force && deps.bin) await deps.bin.keep(tx, { projectId: cause.projectId, type: 'voucher', id: current.id, name: current.code, parentId: current.campaign_id, userId: cause.source.user?.id });
      await sql.deleteVoucher(tx, cause.projectId, current.id);
      await log.record(tx, [event(cause, 'voucher.deleted', current, campaign)]);
    });
  }

  async function setActive(cause: Cause, codeOrId: string, active: boolean) {
    return db.transaction(async (tx) => {
      const current = await find(cause.projectId, codeOrId, tx, true);
      const row = { ...current, active, updated_at: clock.now() };
      await sql.updateVoucher(tx, row);
      const campaign = await campaignOf(tx, row);
      await log.record(tx, [event(cause, active ? 'voucher.enabled' : 'voucher.disabled', row, campaign)]);
      return voucherObject(row, campaign);
    });
  }

  async function list(projectId: string, q: VoucherListQuery) {
    let campaignId = q.campaign_id;
    if (q.campaign !== undefined) {
      const c = await campaigns.get(projectId, q.campaign).catch(() => undefined);
      // An unknown campaign name filters everything out, as an unknown id does.
      campaignId = c?.id ?? `unknown:${q.campaign}`;
    }
    // A category by id or name; an unknown one filters everything out, as an unknown campaign does.
    const category = q.category !== undefined ? ((await campaigns.categories(projectId)).find((c) => c.id === q.category || c.name === q.category)?.id ?? `unknown:${q.category}`) : undefined;
    const order = q.order ?? '-created_at';
    const { rows, total } = await sql.selectPage(
      db,
      {
        projectId,
        campaignId,
        holderId: q.customer,
        code: q.code,
        ids: q.ids,
        categoryId: category,
        ...dateBounds(q),
      },
      { column: order.replace('-', '') as sql.VoucherOrder, ascending: !order.startsWith('-'), offset: (q.page - 1) * q.limit, limit: q.limit },
    );
    const ids = [...new Set(rows.map((r) => r.campaign_id).filter((x): x is string => x !== null))];
    const byId = new Map((ids.length > 0 ? await campaigns.byIds(db, projectId, ids) : []).map((c) => [c.id, c]));
    const pairs = rows.map((v) => ({ v, c: v.campaign_id ? byId.get(v.campaign_id) : undefined }));
    const counted = await withCounts(db, projectId, pairs);
    const categories = pairs.some((x) => effective(x.v, x.c).category_id) ? await campaigns.categories(projectId) : [];
    return { vouchers: counted.map((v, i) => voucherObject(v, pairs[i]!.c, categories)), total };
  }

  /**
   * POST /v1/vouchers/import: each item a voucher with its own code. Valid items are added, the others (bad
   * attributes, taken codes) reported; the result is kept as a finished async action, as Voucherify answers 202.
   */
  async function importMany(cause: Cause, items: VoucherInput[], refused: Array<{ code: string | null; reason: string }> = []): Promise<{ async_action_id: string }> {
    const now = clock.now();
    // Items refused before (a CSV row that could not be read) are reported with the others.
    const failed: Array<{ code: string | null; reason: string }> = [...refused];
    const built: Array<{ row: VoucherRow; campaign?: CampaignRow }> = [];
    for (const item of items) {
      if (item.code === undefined) {
        failed.push({ code: null, reason: "Item should have required property 'code'" });
        continue;
      }
      try {
        built.push(await build(cause, item));
      } catch (err) {
        failed.push({ code: item.code, reason: err instanceof TesseraError ? (err.details ?? err.message) : 'Invalid voucher' });
      }
    }
    const id = newId('aa');
    await db.transaction(async (tx) => {
      const events: CausedEvent[] = [];
      for (const b of built) {
        if (await sql.insertVoucher(tx, b.row)) events.push(event(cause, 'voucher.created', b.row, b.campaign));
        else failed.push({ code: b.row.code, reason: `Duplicated voucher exists with code ${b.row.code}` });
      }
      await log.record(tx, events);
      await campaigns.actions.insert(tx, {
        id,
        project_id: cause.projectId,
        type: 'VOUCHERS_IMPORT',
        status: 'DONE',
        campaign_id: null,
        target: items.length + refused.length,
        progress: events.length,
        idle_rounds: 0,
        result: { message: `${events.length} vouchers imported, ${failed.length} failed`, done_count: events.length, failed_count: failed.length, failed },
        cause,
        created_at: now,
        updated_at: now,
      });
    });
    return { async_action_id: id };
  }

  /**
   * A code of the campaign for a holder, in tx: an unpublished one that is active and not expired (never one a
   * concurrent publication holds), or, for an AUTO_UPDATE campaign without one left and not expired itself, a new
   * code made for the holder. Undefined when none can be had.
   */
  async function takeFor(tx: Executor, campaign: CampaignRow, holderId: string): Promise<VoucherRow | undefined> {
    const now = clock.now();
    const expiry = campaignExpiry(campaign);
    const free = await sql.takeUnpublished(tx, campaign.id, holderId, now, expiry);
    if (free || !makesCodes(campaign, expiry, now)) return free;
    const t = campaign.definition.voucher!;
    const shape = codeShape(t.code_config);
    for (let i = 0; i < drawAttempts; i++) {
      const made = await sql.insertForHolder(tx, {
        projectId: campaign.project_id,
        campaignId: campaign.id,
        type: t.type,
        giftBalance: t.type === 'GIFT_VOUCHER' ? (t.gift?.amount ?? 0) : null,
        now,
        holderId,
        candidates: drawCodes(shape, 4).map((c) => [newSortableId('v', now), c]),
      });
      if (made) return made;
    }
    throw invalidCodeConfig(`No free code found in ${drawAttempts * 4} draws from the code_config of campaign ${campaign.id}: its code space is nearly used up`);
  }

  /**
   * takeFor for several holders of one campaign in one go (a group-committed batch of publications): the codes in
   * the order of the holders, or undefined when the campaign (not AUTO_UPDATE) has too few unpublished codes.
   */
  async function takeManyFor(tx: Executor, campaign: CampaignRow, holderIds: string[]): Promise<VoucherRow[] | undefined> {
    const now = clock.now();
    const t = campaign.definition.voucher;
    const expiry = campaignExpiry(campaign);
    const making = makesCodes(campaign, expiry, now);
    const shape = making ? codeShape(t!.code_config) : undefined;
    const draw = (n: number) => {
      const codes = drawCodes(shape!, n);
      return { codes, ids: codes.map(() => newSortableId('v', now)) };
    };
    const made = (holders: string[], d: { codes: string[]; ids: string[] }) => ({
      projectId: campaign.project_id,
      campaignId: campaign.id,
      type: t!.type,
      giftBalance: t!.type === 'GIFT_VOUCHER' ? (t!.gift?.amount ?? 0) : null,
      now,
      ids: d.ids,
      codes: d.codes,
      holders,
      campaignExpiry: expiry,
    });
    // An AUTO_UPDATE campaign takes its free codes and makes the rest in one statement.
    const got = making ? await sql.takeOrInsertForHolders(tx, made(holderIds, draw(holderIds.length))) : await sql.takeUnpublishedMany(tx, campaign.id, holderIds, now, expiry);
    let missing = holderIds.length - got.length;
    if (missing > 0 && !making) return undefined;
    if (missing > 0 && t) {
      // Holders the campaign's stock did not cover get new codes, drawn again for those a taken code left out.
      const left = new Map<string, number>();
      for (const h of holderIds) left.set(h, (left.get(h) ?? 0) + 1);
      for (const v of got) left.set(v.holder_id!, left.get(v.holder_id!)! - 1);
      for (let i = 1; i < drawAttempts && missing > 0; i++) {
        const holders = [...left].flatMap(([h, n]) => Array.from({ length: n }, () => h));
        const again = await sql.insertForHolders(tx, made(holders, draw(holders.length)));
        for (const v of again) left.set(v.holder_id!, left.get(v.holder_id!)! - 1);
        got.push(...again);
        missing -= again.length;
      }
      if (missing > 0) throw invalidCodeConfig(`No free code found in ${drawAttempts} draws from the code_config of campaign ${campaign.id}: its code space is nearly used up`);
    }
    // In the holders' order (a holder named twice takes its codes in turn).
    const byHolder = new Map<string, VoucherRow[]>();
    for (const v of got) byHolder.set(v.holder_id!, [...(byHolder.get(v.holder_id!) ?? []), v]);
    return holderIds.map((h) => byHolder.get(h)!.shift()!);
  }

  return {
    find,
    /** Per customer and program, the oldest active loyalty card, locked in id order. */
    oldestCardsLocked: (tx: Executor, projectId: string, customerIds: string[], campaignIds: string[]) => sql.selectOldestCardsLocked(tx, projectId, customerIds, campaignIds),
    /** Vouchers by code or id, at once (unknown keys are left out). */
    findMany: (tx: Executor, projectId: string, keys: string[]) => sql.selectVouchers(tx, projectId, keys),
    view,
    takeFor,
    takeManyFor,
    /** Publishes a given code to a holder in tx: undefined when another customer holds it. */
    assign: (tx: Executor, v: VoucherRow, holderId: string) => sql.assignHolder(tx, v.id, holderId, clock.now()),
    byIds: (tx: Executor, ids: string[]) => sql.selectByIds(tx, ids),
    create,
    update,
    remove,
    list,
    importMany,
    enable: (cause: Cause, code: string) => setActive(cause, code, true),
    disable: (cause: Cause, code: string) => setActive(cause, code, false),
    campaignOf,
    simple: simpleVoucher,
    object: voucherObject,
  };
}

export type VouchersService = ReturnType<typeof createVouchersService>;
