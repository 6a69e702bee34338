import { withItemRefs } from './item-refs.js';
import type { Clock } from '../../core/clock.js';
import { duplicate, invalidValidationRules, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import type { Definitions } from '../../store/definitions.js';
import type { Cause, EventLog } from '../event-log/index.js';
import type { LocationsService } from '../locations/index.js';
import { evaluateRules, type RuleContext, type Verdict } from './evaluate.js';
import { checkRuleSet, locationRefs } from './grammar.js';
import * as sql from './sql.js';
import type { AssignmentRow, RelatedObjectType, Target, ValidationRuleInput, ValidationRuleRow } from './types.js';
import { assignmentObject, assignmentPayload, validationRuleObject } from './view.js';

/** JSON with object keys sorted, so values read back from jsonb (keys reordered) compare equal to those sent. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x)) ?? '';
const definitionKeys = ['name', 'type', 'context_type', 'rules', 'bundle_rules', 'error', 'applicable_to'] as const;
/** Whether an update leaves what a rule says as it was. */
const sameDefinition = (a: ValidationRuleRow, b: ValidationRuleRow) => definitionKeys.every((k) => canonical(a[k] ?? null) === canonical(b[k] ?? null));

/** Assignments a project may have for its rules to be kept per process; a project with more reads them each time. */
const maxCachedAssignments = 5_000;

/** A project's rules and assignments as a validation reads them: assignments by `type:id`, in assignment order. */
interface ProjectRules {
  project_id: string;
  complete: boolean;
  byObject: Map<string, AssignmentRow[]>;
  rules: Map<string, ValidationRuleRow>;
}

/** Completes and checks a rule's targets against the catalog (given at composition; without it they are kept as sent). */
export type TargetResolver = (tx: Executor, projectId: string, targets: Target[], where: string) => Promise<Target[]>;

export function createValidationRulesService(deps: { db: Db; clock: Clock; log: EventLog; definitions?: Pick<Definitions, 'cache' | 'changed'>; resolveTargets?: TargetResolver; locations?: Pick<LocationsService, 'shapes'> }) {
  const { db, clock, log } = deps;

  /** Rules as read, each that names locations with their shapes (one read for all of them; none otherwise). */
  async function located<T extends ValidationRuleRow>(ex: Executor, projectId: string, rows: T[]): Promise<T[]> {
    const refs = rows.map((r) => locationRefs(r.rules));
    const ids = [...new Set(refs.flat())];
    if (ids.length === 0 || !deps.locations) return rows;
    const shapes = await deps.locations.shapes(ex, projectId, ids);
    return rows.map((r, i) => (refs[i]!.length > 0 ? { ...r, locations: Object.fromEntries(refs[i]!.flatMap((id) => (shapes[id] ? [[id, shapes[id]]] : []))) } : r));
  }

  /** A rule set may name only locations of its project: 400 otherwise. */
  async function checkLocations(ex: Executor, row: ValidationRuleRow): Promise<void> {
    const ids = locationRefs(row.rules);
    if (ids.length === 0) return;
    // Held shared until the rule is saved: a location cannot be deleted from under it meanwhile.
    const shapes = deps.locations ? await deps.locations.shapes(ex, row.project_id, ids, 'share') : {};
    const missing = ids.find((id) => !shapes[id]);
    if (missing !== undefined) throw invalidValidationRules(`Location ${missing} named by $in_location or $not_in_location does not exist`);
  }

  /** The rule with its targets and item rules' products and SKUs as stored: by both keys, every one of them existing. */
  async function withTargets(tx: Executor, row: ValidationRuleRow, input: ValidationRuleInput): Promise<ValidationRuleRow> {
    const resolve = deps.resolveTargets;
    if (input.rules) row = { ...row, rules: await withItemRefs(tx, row.project_id, row.rules, resolve) };
    if (!resolve || !input.applicable_to) return row;
    const a = row.applicable_to;
    return {
      ...row,
      applicable_to: {
        included: await resolve(tx, row.project_id, a.included, 'applicable_to.included'),
        excluded: await resolve(tx, row.project_id, a.excluded, 'applicable_to.excluded'),
        included_all: a.included_all,
      },
    };
  }
  /** Per-process copies of each project's rules and assignments, dropped when one of them changes (`announce`). */
  const cached = deps.definitions?.cache(async (ex, projectIds): Promise<ProjectRules[]> =>
    Promise.all(
      projectIds.map(async (projectId) => {
        const assignments = await sql.selectProjectAssignments(ex, projectId, maxCachedAssignments + 1);
        if (assignments.length > maxCachedAssignments) return { project_id: projectId, complete: false, byObject: new Map(), rules: new Map() };
        const rules = new Map((await located(ex, projectId, await sql.selectRules(ex, projectId, [...new Set(assignments.map((a) => a.rule_id))]))).map((r) => [r.id, r]));
        const byObject = new Map<string, AssignmentRow[]>();
        for (const a of assignments) {
          const k = `${a.related_object_type}:${a.related_object_id}`;
          byObject.set(k, [...(byObject.get(k) ?? []), a]);
        }
        return { project_id: projectId, complete: true, byObject, rules };
      }),
    ),
  );
  const announce = async (projectId: string) => {
    await deps.definitions?.changed(projectId);
  };

  /** The rules assigned to these objects, in assignment order: from the per-process copy, else read. */
  async function assignedRules(tx: Executor, projectId: string, objects: { type: RelatedObjectType; id: string }[]): Promise<{ rule: ValidationRuleRow; assignment: AssignmentRow }[]> {
    if (objects.length === 0) return [];
    const copy = cached ? (await cached.get(tx, [projectId]))[0] : undefined;
    if (copy?.complete) {
      const wanted = new Set(objects.map((o) => `${o.type}:${o.id}`));
      const assigned = [...wanted].flatMap((k) => copy.byObject.get(k) ?? []);
      assigned.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return assigned.flatMap((a) => {
        const rule = copy.rules.get(a.rule_id);
        return rule ? [{ rule, assignment: a }] : [];
      });
    }
    const assigned = await sql.selectAssignedTo(tx, projectId, objects);
    if (assigned.length === 0) return [];
    const rules = new Map((await located(tx, projectId, await sql.selectRules(tx, projectId, [...new Set(assigned.map((a) => a.rule_id))]))).map((r) => [r.id, r]));
    return assigned.flatMap((a) => {
      const rule = rules.get(a.rule_id);
      return rule ? [{ rule, assignment: a }] : [];
    });
  }

  const record = (tx: Executor, cause: Cause, type: string, entityId: string, data: Record<string, unknown>) =>
    log.record(tx, [{ cause, event: { type, customerId: null, entityId, data } }]);

  async function get(projectId: string, id: string, tx: Executor = db): Promise<ValidationRuleRow> {
    const r = await sql.selectRule(tx, projectId, id);
    if (!r) throw notFound('validation_rules', id);
    return (await located(tx, projectId, [r]))[0]!;
  }

  function build(current: ValidationRuleRow, input: ValidationRuleInput): ValidationRuleRow {
    const next = { ...current };
    if (input.name !== undefined) next.name = input.name;
    if (input.type !== undefined) next.type = input.type;
    if (input.context_type !== undefined) next.context_type = input.context_type;
    if (input.rules !== undefined) next.rules = checkRuleSet(input.rules);
    if (input.bundle_rules !== undefined) next.bundle_rules = input.bundle_rules;
    if (input.error !== undefined) next.error = input.error;
    if (input.applicable_to !== undefined) {
      const a = input.applicable_to ?? {};
      next.applicable_to = { included: a.included ?? [], excluded: a.excluded ?? [], included_all: a.included_all ?? false };
    }
    return next;
  }

  async function create(cause: Cause, input: ValidationRuleInput & { name: string }): Promise<ValidationRuleRow> {
    const now = clock.now();
    const blank: ValidationRuleRow = {
      id: newId('val', 12),
      project_id: cause.projectId,
      name: input.name,
      type: 'expression',
      context_type: 'global',
      rules: { logic: '' },
      bundle_rules: null,
      error: null,
      applicable_to: { included: [], excluded: [], included_all: false },
      created_at: now,
      updated_at: null,
      assignments_count: 0,
    };
    const row = build(blank, { rules: { logic: '' }, ...input });
    return db.transaction((tx) => insertRule(tx, cause, row, input));
  }

  async function insertRule(tx: Executor, cause: Cause, built: ValidationRuleRow, input: ValidationRuleInput): Promise<ValidationRuleRow> {
    const row = await withTargets(tx, built, input);
    await checkLocations(tx, row);
    if (!(await sql.insertRule(tx, row))) throw duplicate('validation_rules', 'name', row.name);
    await record(tx, cause, 'business_validation_rule.created', row.id, { rule: validationRuleObject(row), created_at: row.created_at.toISOString() });
    return row;
  }

  /**
   * A new rule with the definition of an existing one (campaign templates): the same rules, error, targets and
   * type under a new id and the given name, in the caller's transaction.
   */
  async function copyIn(tx: Executor, cause: Cause, source: Pick<ValidationRuleRow, 'type' | 'context_type' | 'rules' | 'bundle_rules' | 'error' | 'applicable_to'>, name: string): Promise<ValidationRuleRow> {
    const row: ValidationRuleRow = { ...source, id: newId('val', 12), project_id: cause.projectId, name, created_at: clock.now(), updated_at: null, assignments_count: 0 };
    return insertRule(tx, cause, row, { applicable_to: source.applicable_to });
  }

  /** PUT: sent fields change (rules as a whole); the rest stay. */
  async function update(cause: Cause, id: string, input: ValidationRuleInput): Promise<ValidationRuleRow> {
    const row = await db.transaction(async (tx) => {
      const current = await sql.selectRule(tx, cause.projectId, id, true);
      if (!current) throw notFound('validation_rules', id);
      const now = clock.now();
      const row = await withTargets(tx, { ...build(current, input), updated_at: now }, input);
      // Nothing sent changes the rule: it stays as it was (no new updated_at, no webhook).
      if (sameDefinition(current, row)) return current;
      await checkLocations(tx, row);
      try {
        await sql.updateRule(tx, row);
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw duplicate('validation_rules', 'name', row.name);
        throw err;
      }
      await record(tx, cause, 'business_validation_rule.updated', row.id, { rule: validationRuleObject(row), updated_at: now.toISOString() });
      return row;
    });
    await announce(cause.projectId);
    return row;
  }

  async function remove(cause: Cause, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      const current = await sql.selectRule(tx, cause.projectId, id, true);
      if (!current) throw notFound('validation_rules', id);
      // Its assignments go with it: each is announced as deleted, as an unassignment is.
      const { rows: assignments } = await sql.selectAssignments(tx, { projectId: cause.projectId, ruleId: id, ascending: true, offset: 0, limit: 1_000_000 });
      await sql.deleteRule(tx, cause.projectId, id);
      for (const [i, gone] of assignments.entries()) {
        const counted = { ...current, assignments_count: Math.max(0, assignments.length - i - 1) };
        await record(tx, cause, 'business_validation_rule.assignment.deleted', gone.id, { rule: validationRuleObject(counted), assignment: assignmentPayload(gone) });
      }
      await record(tx, cause, 'business_validation_rule.deleted', id, { rule: validationRuleObject(current), deleted_at: clock.now().toISOString() });
    });
    await announce(cause.projectId);
  }

  /**
   * Assigns the rule to an object, stored by type and id (the object is not looked up: it may belong to a module that
   * comes later). The same object twice is 409 duplicate_found, unless `force` replaces the assignment.
   */
  async function assign(cause: Cause, ruleId: string, input: { related_object_type?: RelatedObjectType; related_object_id: string }, force = false): Promise<AssignmentRow> {
    const assignment = await db.transaction((tx) => assignIn(tx, cause, ruleId, input, force));
    await announce(cause.projectId);
    return assignment;
  }

  /** assign, joining the caller's transaction; the caller calls `changed` once it commits. */
  async function assignIn(tx: Executor, cause: Cause, ruleId: string, input: { related_object_type?: RelatedObjectType; related_object_id: string }, force = false): Promise<AssignmentRow> {
    const rule = await sql.selectRule(tx, cause.projectId, ruleId, true);
    if (!rule) throw notFound('validation_rules', ruleId);
    const type = input.related_object_type ?? 'voucher';
    const replaced = force ? await sql.deleteAssignmentOf(tx, rule.id, type, input.related_object_id) : undefined;
    const row: AssignmentRow = { id: newId('asgm', 16), project_id: cause.projectId, rule_id: rule.id, related_object_type: type, related_object_id: input.related_object_id, created_at: clock.now() };
    if (!(await sql.insertAssignment(tx, row))) throw duplicate('validation_rules_assignment', 'related_object_id', input.related_object_id);
    const counted = { ...rule, assignments_count: (rule.assignments_count ?? 0) + (replaced ? 0 : 1) };
    await record(tx, cause, 'business_validation_rule.assignment.created', row.id, { rule: validationRuleObject(counted), assignment: assignmentPayload(row) });
    return row;
  }

  async function unassign(cause: Cause, ruleId: string, assignmentId: string): Promise<void> {
    await db.transaction(async (tx) => {
      const rule = await sql.selectRule(tx, cause.projectId, ruleId, true);
      if (!rule) throw notFound('validation_rules', ruleId);
      const gone = await sql.deleteAssignment(tx, rule.id, assignmentId);
      if (!gone) throw notFound('validation_rules_assignment', assignmentId);
      const counted = { ...rule, assignments_count: Math.max(0, (rule.assignments_count ?? 1) - 1) };
      await record(tx, cause, 'business_validation_rule.assignment.deleted', gone.id, { rule: validationRuleObject(counted), assignment: assignmentPayload(gone) });
    });
    await announce(cause.projectId);
  }

  return {
    /** The ids of the rules whose conditions name this location (a location they name cannot be deleted). */
    async rulesNamingLocation(ex: Executor, projectId: string, locationId: string): Promise<string[]> {
      return (await sql.selectRulesMentioning(ex, projectId, locationId)).filter((r) => locationRefs(r.rules).includes(locationId)).map((r) => r.id);
    },
    create,
    get,
    update,
    remove,
    assign,
    assignIn,
    copyIn,
    /**
     * The rules a new object names in its `validation_rules`, assigned to it in the transaction that creates it (a
     * rule that does not exist is 404 and nothing is created); the caller calls `changed` once it commits.
     */
    async assignNamed(tx: Executor, cause: Cause, ruleIds: readonly string[] | undefined, type: RelatedObjectType, objectId: string): Promise<void> {
      for (const id of new Set(ruleIds ?? [])) await assignIn(tx, cause, id, { related_object_type: type, related_object_id: objectId });
    },
    /** An object's assignments as Voucherify's campaign, voucher and tier objects list them. */
    async assignmentsOf(projectId: string, type: RelatedObjectType, objectId: string, tx: Executor = db) {
      const data = (await assignedRules(tx, projectId, [{ type, id: objectId }])).map(({ assignment }) => assignmentObject(assignment));
      return { object: 'list' as const, data_ref: 'data' as const, data, total: data.length };
    },
    unassign,
    /** Objects' rules with their assignments (which name the object), oldest assignment first, in one read. */
    async rulesOf(projectId: string, objects: { type: RelatedObjectType; id: string }[]) {
      return (await assignedRules(db, projectId, objects)).map(({ rule, assignment }) => ({ rule, assignment: assignmentObject(assignment) }));
    },
    /** After a transaction that assigned rules (assignIn) committed: cached copies of the project's rules are dropped. */
    changed: announce,
    /** GET /v1/validation-rules: newest first by default; `start_date` / `end_date` bound their creation. */
    async list(projectId: string, q: { limit: number; page: number; order?: string; start_date?: Date; end_date?: Date }) {
      const order = q.order ?? '-created_at';
      const window = { from: q.start_date, to: q.end_date };
      const rows = await sql.selectRulePage(db, projectId, { ...window, column: order.replace(/^-/, '') as 'created_at' | 'updated_at' | 'name', ascending: !order.startsWith('-'), offset: (q.page - 1) * q.limit, limit: q.limit });
      return { rules: rows, total: await sql.countRules(db, projectId, window) };
    },
    async assignments(projectId: string, q: { rule?: string; related_object_id?: string; limit: number; page: number; order?: string }) {
      if (q.rule !== undefined) await get(projectId, q.rule);
      return sql.selectAssignments(db, {
        projectId,
        ruleId: q.rule,
        relatedObjectId: q.related_object_id,
        ascending: q.order !== '-created_at',
        offset: (q.page - 1) * q.limit,
        limit: q.limit,
      });
    },
    /** The rules assigned to these objects, with the object each guards (in assignment order). */
    async assignedTo(tx: Executor, projectId: string, objects: { type: RelatedObjectType; id: string }[]): Promise<{ rule: ValidationRuleRow; objectId: string; objectType: string; assignment: AssignmentRow }[]> {
      return (await assignedRules(tx, projectId, objects)).map(({ rule, assignment: a }) => ({ rule, objectId: a.related_object_id, objectType: a.related_object_type, assignment: a }));
    },
    /**
     * For validations (and distributions, earning rules): the rules assigned to these objects, each evaluated
     * against the caller's context at `now` (in assignment order). The first failure is the answer's reason.
     */
    async evaluateAssigned(tx: Executor, projectId: string, objects: { type: RelatedObjectType; id: string }[], ctx: RuleContext, now: Date): Promise<{ rule: ValidationRuleRow; verdict: Verdict }[]> {
      return (await assignedRules(tx, projectId, objects)).map(({ rule }) => ({ rule, verdict: evaluateRules(rule.rules, ctx, now, rule.error, rule.locations) }));
    },
  };
}

export type ValidationRulesService = ReturnType<typeof createValidationRulesService>;
