import { systemClock, type Clock } from '../core/clock.js';
import { idempotencyHooks } from './idempotency.js';
import type { Idempotency } from '../modules/idempotency/index.js';
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import qs from 'qs';
import { invalidPayload, invalidQueryParams } from '../core/errors.js';
import { newRequestId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { EventLog } from '../modules/event-log/index.js';
import type { CampaignsService, CategoriesService } from '../modules/campaigns/index.js';
import type { Balances, VoucherBulk, VouchersService } from '../modules/vouchers/index.js';
import type { MetadataSchemasService } from '../modules/metadata-schemas/index.js';
import type { PublicationsService } from '../modules/publications/index.js';
import type { RedemptionsService, RollbacksService } from '../modules/redemptions/index.js';
import type { PromotionsService } from '../modules/promotions/index.js';
import type { CustomersService } from '../modules/customers/index.js';
import type { EventSchemasService } from '../modules/event-schemas/index.js';
import type { EventsService } from '../modules/events/index.js';
import type { Audit } from '../modules/delivery/index.js';
import type { ManagementAuth, OAuth, ProjectsService, SigningSecretsService } from '../modules/projects/index.js';
import type { DistributionsService } from '../modules/distributions/index.js';
import type { OrdersService } from '../modules/orders/index.js';
import type { CatalogImport, ProductBulk, ProductsService } from '../modules/products/index.js';
import type { ValidationRulesService } from '../modules/validation-rules/index.js';
import type { SegmentsService } from '../modules/segments/index.js';
import type { WebhooksService } from '../modules/webhooks/index.js';
import { clientAuth, managementAuth, serverAuth, teamAuthorization } from './auth.js';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandling, routeNotFound } from './errors.js';
import { poisoningKeyIn, unstorableInBody, urlHasNul } from '../core/storable.js';
import { campaignRoutes } from './routes/campaigns.js';
import type { CampaignTemplatesService } from '../modules/campaign-templates/index.js';
import { campaignTemplateManagementRoutes, campaignTemplateRoutes } from './routes/campaign-templates.js';
import { registerOpenApi } from './openapi.js';
import { installRequestMetrics } from './request-metrics.js';
import { operationsRoutes, type Operations } from './routes/operations.js';
import { clientCustomerRoutes, customerRoutes } from './routes/customers.js';
import { eventSchemaRoutes } from './routes/event-schemas.js';
import { eventRoutes } from './routes/events.js';
import { metadataSchemaManagementRoutes, metadataSchemaRoutes } from './routes/metadata-schemas.js';
import { distributionRoutes } from './routes/distributions.js';
import { orderRoutes } from './routes/orders.js';
import { productRoutes } from './routes/products.js';
import { exportDownloadRoute, exportRoutes } from './routes/exports.js';
import type { ExportsService } from '../modules/exports/index.js';
import type { Wallets } from '../modules/wallets/index.js';
import type { CustomerBulk } from '../modules/customer-bulk/index.js';
import type { CustomerErasure } from '../modules/customer-erasure/index.js';
import type { CampaignSummary } from '../modules/campaign-summary/index.js';
import { validationRuleRoutes } from './routes/validation-rules.js';
import { projectRoutes } from './routes/projects.js';
import { stackingRuleRoutes } from './routes/stacking-rules.js';
import type { EarningRules, LoyaltiesService, MemberActivity, Pending, PointsEstimate, Tiers } from '../modules/loyalties/index.js';
import type { RewardsService } from '../modules/rewards/index.js';
import type { ReferralsService } from '../modules/referrals/index.js';
import { clientPublicationRoutes, publicationRoutes } from './routes/publications.js';
import { loyaltyRoutes } from './routes/loyalties.js';
import { referralRoutes } from './routes/referrals.js';
import { csvImportRoutes } from './routes/csv-import.js';
import type { Holders } from '../modules/referrals/index.js';
import { rewardRoutes } from './routes/rewards.js';
import { segmentRoutes } from './routes/segments.js';
import { clientRedemptionRoutes, redemptionRoutes } from './routes/redemptions.js';
import { clientPromotionRoutes, promotionRoutes } from './routes/promotions.js';
import { clientVoucherRoutes, voucherRoutes } from './routes/vouchers.js';
import { webhookRoutes } from './routes/webhooks.js';
import { oauthRoutes } from './routes/oauth.js';
import { logApiCalls } from './api-call-log.js';
import { apiCallRoutes } from './routes/api-calls.js';
import type { ApiCalls } from '../modules/api-calls/index.js';
import { trashBinRoutes } from './routes/trash-bin.js';
import { brandingRoutes } from './routes/branding.js';
import { teamRoutes } from './routes/team.js';
import type { Delegation, TeamService } from '../modules/team/index.js';
import type { BrandingService } from '../modules/branding/index.js';
import { locationRoutes } from './routes/locations.js';
import type { LocationsService } from '../modules/locations/index.js';
import type { TrashBin } from '../modules/trash-bin/index.js';
import { bodyAjv, queryAjv } from './validation.js';
import { installRateLimits, rateLimitHeaders, type RateLimitDefaults } from './rate-limits.js';

export interface ApiServices {
  projects: ProjectsService;
  oauth: OAuth;
  secrets: SigningSecretsService;
  webhooks: WebhooksService;
  audit: Audit;
  segments: SegmentsService;
  distributions: DistributionsService;
  orders: OrdersService;
  products: ProductsService;
  productBulk: ProductBulk;
  catalogImport: CatalogImport;
  validationRules: ValidationRulesService;
  management: ManagementAuth;
  customers: CustomersService;
  schemas: EventSchemasService;
  events: EventsService;
  log: EventLog;
  campaigns: CampaignsService;
  categories: CategoriesService;
  vouchers: VouchersService;
  balances: Balances;
  voucherBulk: VoucherBulk;
  metadataSchemas: MetadataSchemasService;
  publications: PublicationsService;
  redemptions: RedemptionsService;
  promotions: PromotionsService;
  campaignTemplates: CampaignTemplatesService;
  rollbacks: RollbacksService;
  loyalties: LoyaltiesService;
  exports: ExportsService;
  earningRules: EarningRules;
  loyaltyTiers: Tiers;
  pendingPoints: Pending;
  pointsEstimate: PointsEstimate;
  memberActivity: MemberActivity;
  rewards: RewardsService;
  idempotency: Idempotency;
  apiCalls: ApiCalls;
  referralHolders: Holders;
  referrals: ReferralsService;
  wallets: Wallets;
  customerBulk: CustomerBulk;
  customerErasure: CustomerErasure;
  campaignSummary: CampaignSummary;
  trashBin: TrashBin;
  branding: BrandingService;
  team: TeamService;
  delegation: Delegation;
  locations: LocationsService;
  /** Readiness and metrics sampling; without it /ready always answers ready and /metrics has no database gauges. */
  operations?: Operations;
}

export interface ApiOptions {
  bodyLimit: number;
  logger: Logger;
  /** The composition's clock, for the times routes stamp themselves (stacking-rules records). */
  clock?: Clock;
  version?: string;
  /** TESSERA_PUBLIC_URL: the origin of the links Tessera hands out (else the address each request reached). */
  publicUrl?: string;
  /** The instance's default API call limits (a project's own settings win). */
  rateLimits?: RateLimitDefaults;
  /** Fastify's trustProxy: which proxies' forwarded headers give the client's address and protocol. */
  trustProxy?: boolean | string;
}

/** Builds the HTTP API without listening: tests drive it with inject, `serve` calls listen. */
export async function buildApp(services: ApiServices, options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    // Per-request lines cost more than they tell at ingest rates; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy ?? false,
    genReqId: () => newRequestId(),
    // Malformed percent-encoding and overlong path parameters, which the router meets before any hook.
    frameworkErrors: frameworkErrorHandler(options.bodyLimit),
    clientErrorHandler,
    routerOptions: {
      ignoreTrailingSlash: true,
      maxParamLength: 500,
      // Depth 4: Voucherify's list filters (`filters[holder_role][conditions][$in][0]=REFEREE`).
      querystringParser: (s) => qs.parse(s, { depth: 4, arrayLimit: 100, parameterLimit: 200 }) as Record<string, unknown>,
    },
  }) as unknown as FastifyInstance;

  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema));
  installErrorHandling(app, options.bodyLimit);

  // The SDK sends Content-Type: application/json on every request, DELETE included: an empty body is no body.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  // JSON only: Fastify's text/plain parser would hand routes a string, refused as "Payload must be object".
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '') return done(null, undefined);
    parseJson(req, body as string, (err, value) => {
      // The parser answers a refused `__proto__` key as malformed JSON: name the key instead.
      const poisoning = err ? poisoningKeyIn(body as string) : undefined;
      if (poisoning) return done(invalidPayload(poisoning), undefined);
      if (err) return done(err, undefined);
      const problem = unstorableInBody(value);
      return problem ? done(invalidPayload(problem), undefined) : done(null, value);
    });
  });

  app.decorateRequest('publicOrigin', '');
  app.addHook('onRequest', async (req, reply) => {
    req.publicOrigin = options.publicUrl ?? `${req.protocol}://${req.host}`;
    reply.header('x-request-id', req.id);
    if (urlHasNul(req.url)) throw invalidQueryParams('The URL must not contain the NUL character (%00)');
  });

  // Before any route: the document is collected as routes are added.
  await registerOpenApi(app, options.version ?? '0.1.0');

  installRequestMetrics(app);
  const limits = await installRateLimits(app, options.rateLimits ?? {});
  operationsRoutes(app, services.operations ?? { readiness: async () => ({ ready: true }), sample: async () => undefined });

  await app.register(async (v1) => {
    v1.addHook('onRequest', serverAuth(services.projects, services.oauth));
    v1.addHook('onRequest', limits.api);
    v1.addHook('onRequest', limits.bulk);
    logApiCalls(v1, services.apiCalls, 'API');
    idempotencyHooks(v1, services.idempotency);
    // An unknown /v1 route asks for a key first, and is logged with the project's calls.
    v1.setNotFoundHandler(routeNotFound);
    customerRoutes(v1, services);
    eventRoutes(v1, { events: services.events, clientSide: false });
    metadataSchemaRoutes(v1, services);
    segmentRoutes(v1, services);
    distributionRoutes(v1, services);
    campaignRoutes(v1, services);
    voucherRoutes(v1, services);
    publicationRoutes(v1, services);
    orderRoutes(v1, services);
    productRoutes(v1, services);
    validationRuleRoutes(v1, services);
    redemptionRoutes(v1, services);
    promotionRoutes(v1, services);
    campaignTemplateRoutes(v1, services);
    loyaltyRoutes(v1, services);
    rewardRoutes(v1, services);
    referralRoutes(v1, services);
    exportRoutes(v1, services);
    trashBinRoutes(v1, services);
    locationRoutes(v1, services);
    await csvImportRoutes(v1, services);
  }, { prefix: '/v1' });
  // OAuth tokens are minted with a key sent as HTTP Basic, not the /v1 key headers.
  await app.register(
    async (o) => {
      logApiCalls(o, services.apiCalls, 'API');
      await oauthRoutes(o, { ...services, limit: limits.api, clientLimit: limits.client });
    },
    { prefix: '/v1/oauth' },
  );
  // An export's file is fetched with the token in its URL, without API keys.
  await app.register(async (files) => exportDownloadRoute(files, services), { prefix: '/v1' });

  await app.register(async (client) => {
    // An OPTIONS without Origin or Access-Control-Request-Method is no preflight: refused in the error shape (the
    // CORS plugin, whose hook runs after this one, would answer in plain text).
    client.addHook('onRequest', async (req) => {
      if (req.method === 'OPTIONS' && (!req.headers.origin || !req.headers['access-control-request-method'])) {
        throw invalidPayload('A CORS preflight (OPTIONS) needs the Origin and Access-Control-Request-Method headers');
      }
    });
    // Browsers ask before sending key headers; the key's trusted domains are checked on the real request.
    await client.register(cors, {
      origin: true,
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['Content-Type', 'Authorization', 'X-Client-Application-Id', 'X-Client-Token', 'X-Voucherify-Channel', 'X-Voucherify-Double-Opt-In', 'Idempotency-Key'],
      exposedHeaders: ['x-request-id', 'idempotent-replayed', ...rateLimitHeaders],
      maxAge: 600,
    });
    client.addHook('onRequest', clientAuth(services.projects, services.oauth));
    client.addHook('onRequest', limits.client);
    logApiCalls(client, services.apiCalls, 'CLIENT_API');
    idempotencyHooks(client, services.idempotency, 'client');
    client.setNotFoundHandler(routeNotFound);
    eventRoutes(client, { events: services.events, clientSide: true });
    clientPublicationRoutes(client, services);
    clientVoucherRoutes(client, services);
    clientCustomerRoutes(client, services);
    clientRedemptionRoutes(client, services);
    clientPromotionRoutes(client, services);
  }, { prefix: '/client/v1' });

  await app.register(async (mgmt) => {
    mgmt.addHook('onRequest', managementAuth(services.management, services));
    // Routes under a project answer 404 about the project when it does not exist (or, to a team user, is not theirs).
    mgmt.addHook('preHandler', async (req) => {
      const { projectId } = (req.params ?? {}) as { projectId?: string };
      if (projectId !== undefined) await services.projects.get(projectId);
      teamAuthorization(req);
    });
    projectRoutes(mgmt, services);
    stackingRuleRoutes(mgmt, { projects: services.projects, categories: services.categories, clock: options.clock ?? systemClock });
    eventSchemaRoutes(mgmt, services);
    metadataSchemaManagementRoutes(mgmt, services);
    webhookRoutes(mgmt, { ...services, clock: options.clock ?? systemClock });
    campaignTemplateManagementRoutes(mgmt, services);
    brandingRoutes(mgmt, services);
    teamRoutes(mgmt, services);
    apiCallRoutes(mgmt, services);
  }, { prefix: '/management/v1' });

  return app;
}
