import type { KeyPair, ProjectRow } from './types.js';

/** The management API's project object (ManagementProjectBaseWithConfig). */
export function projectObject(p: ProjectRow) {
  return {
    id: p.id,
    name: p.name,
    ...p.settings,
    webhook_version: 'v2024-01-01',
    api_version: 'v2018-08-01',
    cluster_id: 'local',
    is_sandbox: false,
    webhook_token: p.webhook_token,
    created_at: p.created_at.toISOString(),
    updated_at: p.updated_at ? p.updated_at.toISOString() : null,
    object: 'project',
  };
}

export function createdProjectObject(p: ProjectRow, serverKey: KeyPair, clientKey: KeyPair) {
  return { ...projectObject(p), server_side_key: serverKey, client_side_key: clientKey };
}
