import { invalidPayload } from '../../core/errors.js';

/** Voucherify's predefined project roles that Tessera knows. */
export const roles = ['ADMIN', 'USER', 'VIEWER', 'MERCHANT'] as const;
export type Role = (typeof roles)[number];

/**
 * What a request needs: to read a project, to validate and redeem a code at the counter, to change its data, or to
 * change its settings, keys, webhooks and team.
 */
export type Access = 'read' | 'redeem' | 'write' | 'admin';

const grants: Record<Role, readonly Access[]> = {
  ADMIN: ['read', 'redeem', 'write', 'admin'],
  USER: ['read', 'redeem', 'write'],
  VIEWER: ['read'],
  // Voucherify's merchants validate and redeem at the till: the dashboard's counter (a voucher's page), nothing else.
  MERCHANT: ['read', 'redeem'],
};

export const allows = (role: Role, access: Access): boolean => grants[role].includes(access);

/** A role from a request body: one of the predefined roles; Enterprise roles and custom role ids are refused. */
export function roleOf(value: string): Role {
  if ((roles as readonly string[]).includes(value)) return value as Role;
  if (value === 'USER_RESTRICTED') throw invalidPayload('Role USER_RESTRICTED belongs to areas and stores, which Tessera does not have: use ADMIN, USER, VIEWER or MERCHANT');
  throw invalidPayload(`Unknown role ${value}: Tessera has no custom roles; use ADMIN, USER, VIEWER or MERCHANT`);
}

/**
 * What a request on a project needs, from its method and the path after the project's id (the same rule for the
 * management API, `/management/v1/projects/{id}...`, and the dashboard, `/dashboard/p/{id}...`): reading is `read`
 * (but the signing secrets, the project's and an endpoint's own, are `admin` even to read); the dashboard's counter (`POST /vouchers/{code}/redeem`:
 * validate or redeem a code) is `redeem`; changing the project itself, its keys, webhooks, signing secret, stacking
 * rules, brand or team is `admin`; every other change is `write`.
 */
export function accessNeeded(method: string, rest: string): Access {
  if (/^\/webhook-secret(\/|$)/.test(rest) || /^\/webhooks\/[^/]+\/secret(\/|$)/.test(rest)) return 'admin';
  // The dashboard's account page: every user changes their own password, whatever their role.
  if (/^\/account(\/|$)/.test(rest)) return 'read';
  if (method === 'GET' || method === 'HEAD') return 'read';
  if (method === 'POST' && /^\/vouchers\/[^/]+\/redeem$/.test(rest)) return 'redeem';
  const settings = rest === '' || rest === '/' || /^\/(webhooks|users|team|server-side-key|client-side-key|branding|stacking-rules|settings)(\/|$)/.test(rest);
  return settings ? 'admin' : 'write';
}

/**
 * Why a user with these roles may not make a request on a project (undefined when they may): the project is not
 * theirs (404: it is not found for them), or their role does not give what the request needs (403).
 */
export function refusal(access: Map<string, Role>, projectId: string, method: string, rest: string): { status: 404 } | { status: 403; role: Role; needed: Access } | undefined {
  const role = access.get(projectId);
  if (!role) return { status: 404 };
  const needed = accessNeeded(method, rest);
  return allows(role, needed) ? undefined : { status: 403, role, needed };
}
