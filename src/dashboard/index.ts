/**
 * The dashboard: server-rendered pages under /dashboard, signed in with the management credentials or as a team
 * user (login and password; what their role in each project allows). Screens call
 * the management HTTP API in-process (see api-client.ts); what has no management API (customers, segments,
 * distributions) goes through the same services the /v1 routes call, with the same body schemas.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidPayload, TesseraError } from '../core/errors.js';
import { unstorableInBody } from '../core/storable.js';
import type { Logger } from '../core/logger.js';
import { apiClient, ApiRefusal } from './api-client.js';
import { css, js } from './assets.js';
import { isFetch, parseForm } from './context.js';
import { html } from './html.js';
import { signedOutPage } from './layout.js';
import { authRoutes } from './pages/auth.js';
import { binRoutes, type BinServices } from './pages/bin.js';
import { balanceRoutes, type BalanceServices } from './pages/balances.js';
import { campaignRuleRoutes } from './pages/campaign-rules.js';
import { cardHistoryRoutes } from './pages/card-history.js';
import { campaignEditRoutes } from './pages/campaign-edit.js';
import { cardTransferRoutes } from './pages/card-transfers.js';
import { loyaltyProgramRoutes } from './pages/loyalty-program.js';
import type { LoyaltiesService, Pending } from '../modules/loyalties/index.js';
import type { Balances } from '../modules/vouchers/index.js';
import { loyaltyRewardRoutes } from './pages/loyalty-rewards.js';
import { productRoutes, type ProductServices } from './pages/products.js';
import { redemptionListRoutes } from './pages/redemptions.js';
import { orderRoutes } from './pages/orders.js';
import { counterRoutes } from './pages/counter.js';
import { publicationListRoutes } from './pages/publications.js';
import { collectionRoutes } from './pages/collections.js';
import type { SegmentsService } from '../modules/segments/index.js';
import type { ValidationRulesService } from '../modules/validation-rules/index.js';
import { campaignNewRoutes, type NewCampaignServices } from './pages/campaign-new.js';
import { rollbackRoutes } from './pages/rollbacks.js';
import { exportRoutes, type ExportServices } from './pages/exports.js';
import { campaignRoutes, type CampaignServices } from './pages/campaigns.js';
import { promotionTierRoutes } from './pages/promotion-tiers.js';
import { validationRuleRoutes } from './pages/validation-rules.js';
import { settingsRoutes } from './pages/settings.js';
import { customerRoutes } from './pages/customers.js';
import { distributionRoutes } from './pages/distributions.js';
import { overviewRoutes } from './pages/overview.js';
import { segmentRoutes } from './pages/segments.js';
import { eventSchemaRoutes } from './pages/event-schemas.js';
import { metadataSchemaRoutes } from './pages/metadata-schemas.js';
import { sendoutRoutes } from './pages/sendouts.js';
import { apiCallRoutes } from './pages/api-calls.js';
import { accountRoutes } from './pages/account.js';
import { teamRoutes } from './pages/team.js';
import { webhookRoutes } from './pages/webhooks.js';
import type { V1Services } from './v1.js';
import { cookieName, createSessions, readCookie, sameToken, type Session } from './session.js';
import { refusal, type Delegation, type Role, type SessionStore, type SignInThrottle, type TeamService } from '../modules/team/index.js';
import type { PublicationsService } from '../modules/publications/index.js';
import type { RollbacksService } from '../modules/redemptions/index.js';
import type { RewardsService } from '../modules/rewards/index.js';
import type { OrdersService } from '../modules/orders/index.js';
import type { ProductsService } from '../modules/products/index.js';
import type { PromotionsService } from '../modules/promotions/index.js';

export interface DashboardDeps extends V1Services, ProductServices, CampaignServices, BinServices, BalanceServices, ExportServices, NewCampaignServices {
  segments: SegmentsService;
  validationRules: ValidationRulesService;
  promotions: PromotionsService;
  rewards: RewardsService;
  loyalties: LoyaltiesService;
  balances: Balances;
  pendingPoints: Pending;
  orders: OrdersService;
  products: ProductsService;
  management: { check(id: string, token: string): Promise<boolean>; fingerprint(): Promise<string | undefined> };
  dashboardSessions: SessionStore;
  signInThrottle: SignInThrottle;
  team: TeamService;
  delegation: Delegation;
  publications: Pick<PublicationsService, 'publish' | 'list'>;
  rollbacks: Pick<RollbacksService, 'rollback'>;
  logger: Logger;
}

const securityHeaders = {
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

const publicPaths = new Set(['/dashboard/sign-in', '/dashboard/assets/dashboard.css', '/dashboard/assets/dashboard.js']);
const isPublic = (path: string) => publicPaths.has(path) || path.startsWith('/dashboard/invitation/');

/**
 * A team user's screens of a project: those of projects they are assigned to (others are not found), and changes
 * their role allows, by the rule the management API applies (the project's own id and the rest of the path).
 */
async function teamGate(team: TeamService, session: Session, req: FastifyRequest): Promise<{ status: number; text: string } | { role: Role | undefined }> {
  if (session.user.kind !== 'user') return { role: undefined };
  const access = await team.access(session.user.id);
  if (!access) return { status: 401, text: 'This user no longer exists: sign in again' };
  const { projectId } = (req.params ?? {}) as { projectId?: string };
  if (projectId === undefined) return { role: undefined };
  const no = refusal(access, projectId, req.method, (req.routeOptions.url ?? '').replace(/^\/dashboard\/p\/:projectId/, ''));
  if (no?.status === 404) return { status: 404, text: `Cannot find project with id ${projectId}` };
  if (no?.status === 403) return { status: 403, text: `Your role in this project (${no.role}) does not allow this` };
  return { role: access.get(projectId) };
}

/** A form a browser posted: its refusal is a page the browser shows, as a page's is (the script's writes get bare text). */
const isBrowserForm = (req: FastifyRequest) => req.method === 'POST' && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

function refuse(req: FastifyRequest, reply: FastifyReply, status: number, text: string): FastifyReply {
  if (isFetch(req) || (req.method !== 'GET' && !isBrowserForm(req))) return reply.code(status).type('text/plain; charset=utf-8').send(text);
  return reply.code(status).type('text/html; charset=utf-8').send(signedOutPage(text, html`<div class="card"><h1>${text}</h1><p><a href="/dashboard">Back to the dashboard</a></p></div>`));
}

/** Registers the dashboard on the API's app: `/` redirects to `/dashboard`. */
export async function registerDashboard(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const sessions = createSessions({ store: deps.dashboardSessions, delegation: deps.delegation, management: deps.management });
  const throttle = deps.signInThrottle;
  // Pages, not API: kept out of /openapi.json (which documents every route not marked hidden).
  app.get('/', { schema: { hide: true } as object }, async (_req, reply) => reply.redirect('/dashboard', 302));

  await app.register(
    async (d) => {
      d.addHook('onRoute', (route) => {
        route.schema = { ...(route.schema ?? {}), hide: true } as typeof route.schema;
      });
      // A form's text PostgreSQL cannot store (the NUL character, unpaired surrogates) is refused as the API's is.
      d.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
        const form = parseForm(body as string);
        const problem = unstorableInBody(form);
        return problem ? done(invalidPayload(problem.replace(/^Property \./, 'Field ')), undefined) : done(null, form);
      });

      d.addHook('onRequest', async (req, reply) => {
        reply.headers(securityHeaders);
        const path = req.url.split('?')[0]!.replace(/\/+$/, '');
        if (isPublic(path)) return;
        const session = await sessions.find(readCookie(req.headers.cookie, cookieName));
        if (!session) {
          if (req.method === 'GET' && !isFetch(req)) return reply.redirect('/dashboard/sign-in', 303);
          return refuse(req, reply, 401, 'Sign in first');
        }
        const gate = await teamGate(deps.team, session, req);
        if ('status' in gate) {
          if (gate.status === 401) await sessions.endFor(session.user.id);
          return refuse(req, reply, gate.status, gate.text);
        }
        req.dash = { session, api: apiClient(app, session), role: gate.role };
      });

      // A message set for the next page (or shown and so cleared) is stored before the answer leaves.
      d.addHook('onSend', async (req, _reply, payload) => {
        if (req.dash) await sessions.saveFlash(req.dash.session);
        return payload;
      });

      // Every change carries the session's CSRF token, in the form (_csrf) or, from the page's script, a header.
      d.addHook('preHandler', async (req, reply) => {
        if (req.method === 'GET' || req.method === 'HEAD' || !req.dash) return;
        const sent = req.headers['x-csrf-token'] ?? (req.body as Record<string, unknown> | undefined)?._csrf;
        if (!sameToken(sent, req.dash.session.csrf)) return refuse(req, reply, 403, 'The form expired or did not come from this dashboard (CSRF token missing or wrong): reload the page and try again');
      });

      d.setErrorHandler(async (err: Error & { statusCode?: number }, req, reply) => {
        if (err instanceof ApiRefusal) {
          if (err.status === 401 && req.dash) {
            await sessions.endFor(req.dash.session.user.id);
            return refuse(req, reply, 401, req.dash.session.user.kind === 'user' ? 'Your sign-in stopped working: sign in again' : 'The management credentials stopped working: sign in again');
          }
          return refuse(req, reply, err.status, err.message);
        }
        if (err instanceof TesseraError) return refuse(req, reply, err.code, err.details ?? err.publicMessage);
        if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return refuse(req, reply, err.statusCode, err.message);
        deps.logger.error({ err }, 'dashboard error');
        return refuse(req, reply, 500, 'Something went wrong on our side; the error is logged');
      });

      // A path no page answers: after the hooks above (signed out, a GET leads to the sign-in as a real page's does).
      d.setNotFoundHandler(async (req, reply) => refuse(req, reply, 404, 'Cannot find this page'));

      d.get('/assets/dashboard.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(css));
      d.get('/assets/dashboard.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(js));

      authRoutes(d, { sessions, management: deps.management, team: deps.team, throttle });
      webhookRoutes(d);
      sendoutRoutes(d);
      apiCallRoutes(d);
      eventSchemaRoutes(d);
      metadataSchemaRoutes(d);
      overviewRoutes(d, deps);
      customerRoutes(d, deps);
      campaignNewRoutes(d, deps);
      campaignRoutes(d, deps);
      campaignEditRoutes(d, deps);
      loyaltyProgramRoutes(d, deps);
      cardHistoryRoutes(d, deps);
      cardTransferRoutes(d, deps);
      campaignRuleRoutes(d, deps);
      promotionTierRoutes(d, deps);
      validationRuleRoutes(d, deps);
      loyaltyRewardRoutes(d, deps);
      productRoutes(d, deps);
      redemptionListRoutes(d, deps);
      orderRoutes(d, deps);
      publicationListRoutes(d, deps);
      collectionRoutes(d, deps);
      balanceRoutes(d, deps);
      rollbackRoutes(d, deps);
      counterRoutes(d, deps);
      exportRoutes(d, deps);
      binRoutes(d, deps);
      segmentRoutes(d, deps);
      distributionRoutes(d, deps);
      teamRoutes(d);
      settingsRoutes(d);
      accountRoutes(d, { team: deps.team, sessions, throttle });
    },
    { prefix: '/dashboard' },
  );
}
