-- The enabled gateways of a pool in allocation order, and nothing else:
-- the walks of Allocate (the first free gateway, the conflicts of a
-- refusal) and the count of a refusal read this index alone, without a
-- look-up of each gateway's row for its enabled flag.
CREATE INDEX gateways_pool_enabled ON gateways (pool, ord, id) WHERE enabled = 1;

-- The indexes of a gateway's bookings by start and by end hold the other
-- columns the allocation reads (the owner and the other end of the
-- slot), so that its probes and walks read the index alone, not the
-- table row as well.
DROP INDEX bookings_gateway_start;
DROP INDEX bookings_gateway_end;
CREATE INDEX bookings_gateway_start ON bookings (gateway_id, start_ns, end_ns, owner);
CREATE INDEX bookings_gateway_end ON bookings (gateway_id, end_ns, start_ns, owner);

-- The bookings of a gateway never overlap, which Allocate checks and the
-- queries rely on (one index probe decides whether a gateway is free,
-- see overlapFree in bookings.go). These triggers refuse a write that
-- would break it, as the exclusion constraint of store/postgres does:
-- they read the gateway's bookings ending after the new start, in end
-- order, so they stay exact whatever is already stored.
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN EXISTS (SELECT 1 FROM bookings b INDEXED BY bookings_gateway_end
	WHERE b.gateway_id = NEW.gateway_id AND b.owner <> NEW.owner
		AND b.end_ns > NEW.start_ns AND b.start_ns < NEW.end_ns)
BEGIN
	SELECT RAISE(ABORT, 'bookings overlap on one gateway');
END;

CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF gateway_id, start_ns, end_ns ON bookings
WHEN EXISTS (SELECT 1 FROM bookings b INDEXED BY bookings_gateway_end
	WHERE b.gateway_id = NEW.gateway_id AND b.owner <> NEW.owner
		AND b.end_ns > NEW.start_ns AND b.start_ns < NEW.end_ns)
BEGIN
	SELECT RAISE(ABORT, 'bookings overlap on one gateway');
END;
