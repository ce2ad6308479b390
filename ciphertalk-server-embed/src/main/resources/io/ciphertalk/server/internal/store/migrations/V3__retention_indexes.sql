-- The periodic sweep deletes room timeline entries and queued envelopes older than the retention
-- horizon by sent_at; without these indexes each sweep (every 30 s by default) read the whole
-- table on the writer thread, a stall that grows with the history kept.
CREATE INDEX room_messages_by_time ON room_messages (sent_at);
CREATE INDEX direct_queue_by_time ON direct_queue (sent_at);
