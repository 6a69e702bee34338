import type { ListFilters } from '../../core/list-filters.js';
import type { Shape } from './shapes.js';

export interface LocationRow {
  id: string;
  project_id: string;
  name: string;
  shape: Shape;
  created_at: Date;
  updated_at: Date | null;
}

export interface LocationInput {
  name: string;
  shape: Shape;
}

export interface LocationListQuery {
  limit: number;
  order?: 'created_at' | '-created_at' | 'updated_at' | '-updated_at';
  filters?: ListFilters;
  end_date?: string;
}
