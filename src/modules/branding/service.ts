import type { Clock } from '../../core/clock.js';
import { duplicate, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';

const defaultReminder = 'You are receiving this email because you opted in at our website.';

type Brand = { name: string; privacy_policy_url: string | null; terms_of_use_url: string | null; permission_reminder: string; website_url: string | null };
type Address = { street: string; city: string; postal: string | null; state: string | null; country: string };
type Contact = { email: string; phone: string | null };

export interface BrandingRow {
  id: string;
  project_id: string;
  brand: Brand;
  address: Address;
  contact: Contact;
  created_at: Date;
  updated_at: Date | null;
}

export interface BrandingInput {
  brand?: Partial<Brand>;
  address?: Partial<Address>;
  contact?: Partial<Contact>;
}

const columns = 'id, project_id, brand, address, contact, created_at, updated_at';
/** The brand object (ManagementProjectsBranding). */
export function brandingObject(b: BrandingRow) {
  return { id: b.id, brand: b.brand, address: b.address, contact: b.contact };
}

export function createBrandingService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  const select = async (ex: Executor, projectId: string) => (await ex.query<BrandingRow>(`SELECT ${columns} FROM brandings WHERE project_id = $1`, [projectId])).rows[0];

  async function get(projectId: string, id?: string): Promise<BrandingRow> {
    const b = await select(db, projectId);
    if (!b || (id !== undefined && b.id !== id)) throw notFound('brand', id ?? projectId);
    return b;
  }

  return {
    /** The project's brand, if it has one (a list of at most one). */
    find: (projectId: string) => select(db, projectId),
    get,
    async create(projectId: string, input: BrandingInput): Promise<BrandingRow> {
      const i = input as Required<BrandingInput>;
      const row: BrandingRow = {
        id: newId('brd', 20),
        project_id: projectId,
        brand: { name: i.brand.name!, privacy_policy_url: i.brand.privacy_policy_url ?? null, terms_of_use_url: i.brand.terms_of_use_url ?? null, permission_reminder: i.brand.permission_reminder ?? defaultReminder, website_url: i.brand.website_url ?? null },
        address: { street: i.address.street!, city: i.address.city!, postal: i.address.postal ?? null, state: i.address.state ?? null, country: i.address.country! },
        contact: { email: i.contact.email!, phone: i.contact.phone ?? null },
        created_at: clock.now(),
        updated_at: null,
      };
      const { rowCount } = await db.query(
        `INSERT INTO brandings (${columns}) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6, $7) ON CONFLICT (project_id) DO NOTHING`,
        [row.id, projectId, JSON.stringify(row.brand), JSON.stringify(row.address), JSON.stringify(row.contact), row.created_at, null],
      );
      // A project has one brand: a second is 409, to be changed with PUT instead.
      if (rowCount === 0) throw duplicate('brand', 'project', projectId);
      return row;
    },
    async update(projectId: string, id: string, input: BrandingInput): Promise<BrandingRow> {
      const b = await get(projectId, id);
      const next: BrandingRow = { ...b, brand: { ...b.brand, ...input.brand }, address: { ...b.address, ...input.address }, contact: { ...b.contact, ...input.contact }, updated_at: clock.now() };
      await db.query('UPDATE brandings SET brand = $3::jsonb, address = $4::jsonb, contact = $5::jsonb, updated_at = $6 WHERE project_id = $1 AND id = $2', [
        projectId, id, JSON.stringify(next.brand), JSON.stringify(next.address), JSON.stringify(next.contact), next.updated_at,
      ]);
      return next;
    },
    async remove(projectId: string, id: string): Promise<void> {
      const { rowCount } = await db.query('DELETE FROM brandings WHERE project_id = $1 AND id = $2', [projectId, id]);
      if (rowCount === 0) throw notFound('brand', id);
    },
  };
}

export type BrandingService = ReturnType<typeof createBrandingService>;
