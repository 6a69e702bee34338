-- Campaigns, their vouchers (codes), categories, publications of codes to customers, gift balance transactions and
-- async actions (background code generation, imports). A generated voucher stores only what differs from its
-- campaign (overrides): a million codes cost a million small rows, not a million copies of the campaign.

CREATE TABLE categories (
  id          text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name        text NOT NULL,
  hierarchy   integer NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz,
  CONSTRAINT categories_name_unique UNIQUE (project_id, name)
);

CREATE TABLE campaigns (
  id                 text PRIMARY KEY,
  project_id         text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name               text NOT NULL,
  campaign_type      text NOT NULL,
  type               text NOT NULL,
  active             boolean NOT NULL,
  join_once          boolean NOT NULL,
  category_id        text REFERENCES categories (id) ON DELETE SET NULL,
  -- Everything else of the campaign as sent: description, voucher template (discount, gift, code_config,
  -- redemption), validity, metadata...
  definition         jsonb NOT NULL,
  generation_status  text NOT NULL,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz,
  CONSTRAINT campaigns_name_unique UNIQUE (project_id, name)
);
CREATE INDEX campaigns_project_created ON campaigns (project_id, created_at, id);

CREATE TABLE vouchers (
  id            text PRIMARY KEY,
  project_id    text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  campaign_id   text REFERENCES campaigns (id) ON DELETE CASCADE,
  code          text NOT NULL,
  type          text NOT NULL,
  active        boolean NOT NULL DEFAULT true,
  holder_id     text,
  publish_count integer NOT NULL DEFAULT 0,
  -- Gift vouchers' balance: spent and topped up only by guarded single statements.
  gift_balance  bigint,
  overrides     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz,
  CONSTRAINT vouchers_gift_balance_nonnegative CHECK (gift_balance IS NULL OR gift_balance >= 0)
);
-- Codes are unique per project regardless of case: SUMMER10 and summer10 are one code.
CREATE UNIQUE INDEX vouchers_code_unique ON vouchers (project_id, lower(code));
CREATE INDEX vouchers_project_created ON vouchers (project_id, created_at, id);
CREATE INDEX vouchers_campaign_created ON vouchers (campaign_id, created_at, id);
-- Codes of a campaign not yet published: what a publication takes from.
CREATE INDEX vouchers_campaign_unpublished ON vouchers (campaign_id, id) WHERE holder_id IS NULL;
CREATE INDEX vouchers_holder ON vouchers (project_id, holder_id) WHERE holder_id IS NOT NULL;

CREATE TABLE publications (
  id           text PRIMARY KEY,
  project_id   text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  customer_id  text NOT NULL,
  campaign_id  text,
  -- [{id, code}] of the published vouchers.
  vouchers     jsonb NOT NULL,
  source_id    text,
  channel      text NOT NULL,
  metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL,
  CONSTRAINT publications_source_id_unique UNIQUE (project_id, source_id)
);
CREATE INDEX publications_project_created ON publications (project_id, created_at, id);
CREATE INDEX publications_customer ON publications (project_id, customer_id);

-- join_once: a customer joins a campaign once; the row is taken by the first publication, which later ones return.
CREATE TABLE campaign_joins (
  campaign_id    text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  customer_id    text NOT NULL,
  publication_id text NOT NULL,
  PRIMARY KEY (campaign_id, customer_id)
);

CREATE TABLE voucher_transactions (
  id           text PRIMARY KEY,
  project_id   text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  voucher_id   text NOT NULL REFERENCES vouchers (id) ON DELETE CASCADE,
  campaign_id  text,
  type         text NOT NULL,
  source_id    text,
  reason       text,
  amount       bigint NOT NULL,
  balance      bigint NOT NULL,
  created_at   timestamptz NOT NULL
);
CREATE INDEX voucher_transactions_voucher ON voucher_transactions (voucher_id, created_at, id);

-- Background work a request started (code generation, imports): status and progress. A step locks its row
-- (FOR UPDATE SKIP LOCKED) for one short transaction: two workers never run the same action at once.
CREATE TABLE async_actions (
  id           text PRIMARY KEY,
  project_id   text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  type         text NOT NULL,
  status       text NOT NULL,
  campaign_id  text,
  target       integer NOT NULL DEFAULT 0,
  progress     integer NOT NULL DEFAULT 0,
  -- Rounds in a row that added nothing (every drawn code taken): past a bound the action fails.
  idle_rounds  integer NOT NULL DEFAULT 0,
  result       jsonb,
  -- The request that started it ({projectId, groupId, source}): events of the action carry its group_id.
  cause        jsonb NOT NULL,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz
);
CREATE INDEX async_actions_pending ON async_actions (created_at) WHERE status IN ('ENQUEUED', 'IN_PROGRESS');
CREATE INDEX async_actions_project ON async_actions (project_id, created_at, id);
