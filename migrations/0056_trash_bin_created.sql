-- The bin's retention job deletes the oldest entries first.
CREATE INDEX trash_bin_created ON trash_bin (created_at);
