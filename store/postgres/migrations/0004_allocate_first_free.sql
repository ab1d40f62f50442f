-- Allocation without a pool-wide lock for the FirstFree rule.
--
-- Every writer of a gateway's bookings first takes the transaction-level
-- advisory locks of that gateway over the 4-hour buckets its slot spans
-- (the buckets of lockSpan in the Go code), and then checks the slot in a
-- snapshot taken after it got them: it sees every overlapping booking of
-- the gateway committed before, and no overlapping booking of the gateway
-- is in flight. Two allocators therefore never insert overlapping
-- bookings of one gateway at once, which the exclusion constraint (still
-- there) would settle by making each wait for the other, a deadlock
-- broken only after deadlock_timeout. Allocators of slots far apart, or
-- of other gateways, do not contend. The locks live in the lock manager:
-- nothing is written for them.
--
-- A FirstFree allocator never waits for a lock while it holds one: it
-- skips the gateways another allocator holds, and when every free gateway
-- it found is held it gives up its transaction and waits, in a new one,
-- for the first of them (see the Go caller). The other rules wait while
-- holding their pool's bucket locks, but two of them that want the same
-- gateway's bucket share that pool bucket, so only one at a time gets
-- there, and they wait only for FirstFree allocators. No wait can close a
-- cycle: allocators cannot deadlock.
--
-- Each statement of these functions runs in a new snapshot (they are
-- VOLATILE, and the store runs them in READ COMMITTED), which the checks
-- after a lock rely on.

-- bbbcast_lock_gateway takes the locks of gateway p_gateway over
-- [p_start, p_end), waiting for them when p_wait, else answering false as
-- soon as one is held by another transaction (keeping those it took).
CREATE FUNCTION bbbcast_lock_gateway(p_gateway bigint, p_start bigint, p_end bigint, p_wait boolean)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	bucket CONSTANT bigint := 4 * 3600 * 1000000000::bigint;
	-- Advisory locks are the database's, not the schema's: stores in
	-- other schemas of the database have gateways with the same IDs.
	prefix CONSTANT text := 'bbbcast-gateway:' || current_schema() || ':';
BEGIN
	FOR b IN (p_start / bucket)::int4 .. ((p_end - 1) / bucket)::int4 LOOP
		IF p_wait THEN
			PERFORM pg_advisory_xact_lock(hashtextextended(prefix || p_gateway || ':' || b, 0));
		ELSIF NOT pg_try_advisory_xact_lock(hashtextextended(prefix || p_gateway || ':' || b, 0)) THEN
			RETURN false;
		END IF;
	END LOOP;
	RETURN true;
END $$;

-- bbbcast_try_book books [p_start, p_end) for p_owner on gateway
-- p_gateway (its booking moves there, or changes in place) when that is
-- an enabled gateway of p_pool free for the slot. It answers 'booked', or
-- 'busy' (taken, disabled, gone: nothing changed), or, when p_wait is
-- false and another transaction holds one of the gateway's locks over
-- the slot, 'locked' without waiting.
CREATE FUNCTION bbbcast_try_book(p_gateway bigint, p_pool text, p_owner text, p_start bigint, p_end bigint, p_wait boolean)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	IF NOT bbbcast_lock_gateway(p_gateway, p_start, p_end, p_wait) THEN
		RETURN 'locked';
	END IF;
	PERFORM FROM gateways WHERE id = p_gateway AND pool = p_pool AND enabled;
	-- Free when no booking but the owner's overlaps the slot. One index
	-- entry: a gateway's bookings do not overlap, so among those ending
	-- after p_start the one ending first also starts first.
	IF FOUND AND COALESCE((SELECT b.start_ns >= p_end FROM bookings b
			WHERE b.gateway_id = p_gateway AND b.owner <> p_owner AND b.end_ns > p_start
			ORDER BY b.end_ns LIMIT 1), true) THEN
		INSERT INTO bookings (owner, gateway_id, start_ns, end_ns) VALUES (p_owner, p_gateway, p_start, p_end)
		ON CONFLICT (owner) DO UPDATE SET gateway_id = EXCLUDED.gateway_id,
			start_ns = EXCLUDED.start_ns, end_ns = EXCLUDED.end_ns;
		RETURN 'booked';
	END IF;
	RETURN 'busy';
END $$;

-- bbbcast_allocate_first_free books [p_start, p_end) for p_owner on its
-- current gateway when that is an enabled gateway of p_pool free for the
-- slot, else on the first free enabled gateway of p_pool in order that no
-- other allocator is deciding on for an overlapping time, and returns the
-- gateway; NULL when no gateway of the pool is free. A negative answer
-- -g asks the caller to commit (nothing was written) and call again with
-- p_wait_for g: every free gateway it found was held by another
-- allocator, which may yet leave it free, and it holds locks, so it must
-- not wait in this transaction. The call that gets p_wait_for waits for
-- that gateway first, holding nothing.
--
-- Allocators rushing one slot spread over the first free gateways instead
-- of queueing for the first: each skips those the others hold.
CREATE FUNCTION bbbcast_allocate_first_free(p_pool text, p_owner text, p_start bigint, p_end bigint, p_wait_for bigint)
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	g       bigint;
	cands   bigint[];
	tried   bigint[] := '{}';
	skipped bigint;
	holding boolean := false;
BEGIN
	IF p_wait_for IS NOT NULL THEN
		IF bbbcast_try_book(p_wait_for, p_pool, p_owner, p_start, p_end, true) = 'booked' THEN
			RETURN p_wait_for;
		END IF;
		tried := tried || p_wait_for;
		holding := true;
	END IF;

	SELECT c.gateway_id INTO g FROM bookings c JOIN gateways gw ON gw.id = c.gateway_id
	WHERE c.owner = p_owner AND gw.pool = p_pool AND gw.enabled AND gw.id <> ALL (tried);
	IF FOUND THEN
		CASE bbbcast_try_book(g, p_pool, p_owner, p_start, p_end, NOT holding)
		WHEN 'booked' THEN
			RETURN g;
		WHEN 'locked' THEN
			RETURN -g;
		ELSE
			tried := tried || g;
			holding := true;
		END CASE;
	END IF;

	LOOP
		-- The first free gateways, in order, in this statement's
		-- snapshot: among the pool's first eight, probed one by one (one
		-- index entry each, as in bbbcast_try_book), which finds them on
		-- a pool with few gateways busy; else the pool minus the gateways
		-- busy over the slot, read in one scan of bookings_span, which
		-- does not probe every busy gateway of a nearly full pool. Up to
		-- sixteen, so that allocators rushing the slot find one nobody
		-- else holds.
		cands := ARRAY(SELECT gw.id FROM (SELECT id, ord FROM gateways
				WHERE pool = p_pool AND enabled AND id <> ALL (tried) ORDER BY ord, id LIMIT 8) gw
			WHERE COALESCE((SELECT b.start_ns >= p_end FROM bookings b
				WHERE b.gateway_id = gw.id AND b.owner <> p_owner AND b.end_ns > p_start
				ORDER BY b.end_ns LIMIT 1), true)
			ORDER BY gw.ord, gw.id);
		IF cardinality(cands) = 0 THEN
			cands := ARRAY(SELECT gw.id FROM gateways gw
				WHERE gw.pool = p_pool AND gw.enabled AND gw.id <> ALL (tried) AND gw.id NOT IN (
					SELECT b.gateway_id FROM bookings b
					WHERE int8range(b.start_ns, b.end_ns) && int8range(p_start, p_end) AND b.owner <> p_owner)
				ORDER BY gw.ord, gw.id LIMIT 16);
		END IF;
		IF cardinality(cands) = 0 THEN
			RETURN NULL;
		END IF;
		skipped := NULL;
		FOREACH g IN ARRAY cands LOOP
			CASE bbbcast_try_book(g, p_pool, p_owner, p_start, p_end, false)
			WHEN 'booked' THEN
				RETURN g;
			WHEN 'locked' THEN
				skipped := COALESCE(skipped, g);
			ELSE
				tried := tried || g;
			END CASE;
			-- A refused try may keep some of the gateway's locks.
			holding := true;
		END LOOP;
		IF skipped IS NOT NULL THEN
			RETURN -skipped;
		END IF;
	END LOOP;
END $$;
