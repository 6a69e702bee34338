/**
 * Projects: the unit of isolation. Glossary:
 * - project (`proj_`): owns customers, schemas, events, webhooks; nothing crosses projects.
 * - server key: X-App-Id / X-App-Token, for /v1 (secret; stored as a SHA-256 digest).
 * - client key: X-Client-Application-Id / X-Client-Token, for /client/v1, only from `client_trusted_domains`.
 * - webhook token: the project's webhook signing secret (kept readable, since signing needs it).
 * - management credentials: X-Management-Id / X-Management-Token, one pair per instance, for /management/v1.
 */
import { defineModule } from '../module.js';
import { createManagementAuth } from './management.js';
import { createSigningSecrets } from './secrets.js';
import { createProjectsService } from './service.js';
import { createOAuth } from './oauth.js';
export { createProjectsService, type ProjectsService, type CreatedProject, type ProjectInput } from './service.js';
export { createManagementAuth, type ManagementAuth } from './management.js';
export { projectObject, createdProjectObject } from './view.js';
export { originAllowed } from './origins.js';
export { createOAuth, scopesAllow, scopesFor, oauthScopes, tokenLifetimeSeconds, type MintingKey, type OAuth, type TokenAuth } from './oauth.js';
export { createSigningSecrets, liveSecrets, rotationOverlapMs, type SigningSecretsService, type ProjectSecrets } from './secrets.js';
export type { Caller, ProjectRow, KeyPair } from './types.js';

export const projectsModule = defineModule({
  name: 'projects',
  create: ({ db, clock, definitions }) => {
    const projects = createProjectsService({ db, clock, definitions });
    return {
      services: {
        projects,
        oauth: createOAuth({ db, clock, projects, definitions }),
      secrets: createSigningSecrets({ db, clock }),
        management: createManagementAuth({ db }),
      },
    };
  },
});
