-- Codes compare as the project's case_sensitive_codes says (Voucherify's project setting): exactly when it is true,
-- without case otherwise. Until now they always compared without case, though projects were made with true: every
-- existing project is set to false, what it did, and a new one is false unless it asks for true.
-- code_key is the code as compared (the code itself, or its lower case), kept by triggers: on a voucher's insert or
-- change of code, and for all of a project's codes when its setting changes (a unique violation then: two codes that
-- differ only in case, which the caller answers with a 409). Codes are unique per project by code_key, and lookups
-- compare code_key with tessera_code_key(project, given code).
UPDATE projects SET settings = jsonb_set(settings, '{case_sensitive_codes}', 'false');

CREATE FUNCTION tessera_code_key(p_project text, p_code text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN (SELECT settings ->> 'case_sensitive_codes' FROM projects WHERE id = p_project) = 'true' THEN p_code ELSE lower(p_code) END
$$;

ALTER TABLE vouchers ADD COLUMN code_key text;
UPDATE vouchers SET code_key = lower(code);
ALTER TABLE vouchers ALTER COLUMN code_key SET NOT NULL;

DROP INDEX vouchers_code_unique;
CREATE UNIQUE INDEX vouchers_code_unique ON vouchers (project_id, code_key);

CREATE FUNCTION tessera_voucher_code_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.code_key := tessera_code_key(NEW.project_id, NEW.code);
  RETURN NEW;
END
$$;

CREATE TRIGGER vouchers_code_key BEFORE INSERT OR UPDATE OF code, project_id ON vouchers
  FOR EACH ROW EXECUTE FUNCTION tessera_voucher_code_key();

CREATE FUNCTION tessera_project_code_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE vouchers SET code_key = CASE WHEN NEW.settings ->> 'case_sensitive_codes' = 'true' THEN code ELSE lower(code) END
   WHERE project_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER projects_code_keys AFTER UPDATE OF settings ON projects FOR EACH ROW
  WHEN ((OLD.settings ->> 'case_sensitive_codes' = 'true') IS DISTINCT FROM (NEW.settings ->> 'case_sensitive_codes' = 'true'))
  EXECUTE FUNCTION tessera_project_code_keys();
