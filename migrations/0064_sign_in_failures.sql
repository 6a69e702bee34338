-- Wrong passwords per dashboard login within the current window, counted in the database so that every process
-- holds a guessed account alike.
CREATE TABLE sign_in_failures (
  login    text PRIMARY KEY,
  failures integer NOT NULL,
  since    timestamptz NOT NULL
);
