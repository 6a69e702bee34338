/** One logged call to a project's API. */
export interface ApiCall {
  id: string;
  project_id: string;
  request_id: string;
  method: string;
  /** The path and query as sent. */
  path: string;
  /** The route's pattern (`/v1/customers/:customerId`); null when no route matched. */
  route: string | null;
  status: number;
  error_key: string | null;
  channel: 'API' | 'CLIENT_API';
  app_id: string | null;
  ip: string | null;
  duration_ms: number;
  request_body: string | null;
  response_body: string | null;
  created_at: Date;
}

export type ApiLogMode = 'off' | 'errors' | 'all';

export interface ApiCallFilter {
  projectId: string;
  limit: number;
  startingAfterId?: string;
  requestId?: string;
  method?: string;
  status?: number;
  /** 4 for 4xx, 5 for 5xx. */
  statusClass?: number;
  errorKey?: string;
  channel?: 'API' | 'CLIENT_API';
  appId?: string;
  pathPrefix?: string;
  createdAfter?: Date;
  createdBefore?: Date;
}
