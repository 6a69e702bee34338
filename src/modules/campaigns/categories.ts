import type { Clock } from '../../core/clock.js';
import { duplicate, notFound, resourceInUse } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { isUniqueViolation, type Db } from '../../store/db.js';
import * as sql from './sql.js';
import type { CategoryRow } from './types.js';

/** Categories (/v1/categories): names unique per project, a hierarchy number that orders them. */
export function createCategoriesService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function get(projectId: string, id: string): Promise<CategoryRow> {
    const row = await sql.selectCategory(db, projectId, id);
    if (!row) throw notFound('category', id);
    return row;
  }

  async function save(row: CategoryRow, insert: boolean): Promise<CategoryRow> {
    try {
      await (insert ? sql.insertCategory(db, row) : sql.updateCategory(db, row));
    } catch (err) {
      if (isUniqueViolation(err, 'categories_name_unique')) throw duplicate('category', 'name', row.name);
      throw err;
    }
    return row;
  }

  return {
    get,
    list: (projectId: string) => sql.selectCategories(db, projectId),
    create: (projectId: string, input: { name: string; hierarchy: number }) =>
      save({ id: newId('cat'), project_id: projectId, name: input.name, hierarchy: input.hierarchy, created_at: clock.now(), updated_at: null }, true),
    async update(projectId: string, id: string, input: { name: string; hierarchy: number }) {
      const current = await get(projectId, id);
      return save({ ...current, name: input.name, hierarchy: input.hierarchy, updated_at: clock.now() }, false);
    },
    async remove(projectId: string, id: string): Promise<void> {
      const outcome = await sql.deleteCategory(db, projectId, id);
      if (outcome === 'named') throw resourceInUse(`Category ${id} is named by the project's stacking rules (exclusive_categories or joint_categories): take it out of them first`, { resourceId: id, resourceType: 'category' });
      if (outcome === 'missing') throw notFound('category', id);
    },
  };
}

export type CategoriesService = ReturnType<typeof createCategoriesService>;
