-- The audit log finds the sendouts of one event (event_id filter), e.g. from a customer's activity.
CREATE INDEX sendouts_event ON sendouts (event_id);
