-- Removing a deleted customer's re-checks looks them up by customer.
CREATE INDEX segment_checks_customer ON segment_checks (customer_id);
