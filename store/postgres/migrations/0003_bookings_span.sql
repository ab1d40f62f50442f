-- The bookings over a span of time, whatever their gateway: an
-- allocation reads the gateways busy over its slot in one index scan and
-- takes the first gateway of the pool not among them, instead of probing
-- the busy gateways one by one (a walk of every busy gateway when the
-- pool is nearly full). The exclusion constraint's index leads with the
-- gateway, so it cannot serve that scan.
CREATE INDEX bookings_span ON bookings USING gist (int8range(start_ns, end_ns));
