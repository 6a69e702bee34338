-- The instance's team: people who sign in to the dashboard with a login and a password, each assigned to projects
-- with a role (Voucherify's project users). A user is invited first: until the invitation is accepted the user has
-- no password, only the digest of the invitation's token.
CREATE TABLE team_users (
  id                text PRIMARY KEY,
  login             text NOT NULL UNIQUE,
  email             text NOT NULL,
  first_name        text NOT NULL,
  last_name         text NOT NULL,
  password_hash     text,
  invitation_digest text UNIQUE,
  invited_until     timestamptz,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz
);

CREATE TABLE project_users (
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  user_id    text NOT NULL REFERENCES team_users (id) ON DELETE CASCADE,
  role       text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_users_user ON project_users (user_id);
