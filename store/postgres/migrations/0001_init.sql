-- Gateways, bookings, webinars and leases. Instants are BIGINT Unix
-- nanoseconds, so they come back to the nanosecond (timestamptz keeps
-- microseconds only).

-- btree_gist gives GiST the = of bigint, for the exclusion constraint
-- of bookings.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE gateways (
	id         BIGSERIAL PRIMARY KEY, -- increasing, never reused
	name       TEXT    NOT NULL,
	pool       TEXT    NOT NULL,
	ord        BIGINT  NOT NULL,
	rtmp_url   TEXT    NOT NULL,
	hls_url    TEXT    NOT NULL,
	server_url TEXT    NOT NULL,
	server_key TEXT    NOT NULL CONSTRAINT gateways_server_key UNIQUE, -- gateway.ServerKey(server_url)
	token      TEXT    NOT NULL,
	protocol   TEXT    NOT NULL,
	insecure   BOOLEAN NOT NULL,
	enabled    BOOLEAN NOT NULL
);
CREATE INDEX gateways_pool_order ON gateways (pool, ord, id);

CREATE TABLE bookings (
	owner      TEXT   PRIMARY KEY,
	gateway_id BIGINT NOT NULL REFERENCES gateways (id) ON DELETE CASCADE,
	start_ns   BIGINT NOT NULL,
	end_ns     BIGINT NOT NULL,
	CHECK (start_ns < end_ns),
	-- No two bookings of one gateway overlap, whatever the caller does:
	-- int8range is half-open, [start, end), so back-to-back is allowed.
	CONSTRAINT bookings_no_overlap EXCLUDE USING gist (gateway_id WITH =, int8range(start_ns, end_ns) WITH &&)
);
CREATE INDEX bookings_gateway_start ON bookings (gateway_id, start_ns);
CREATE INDEX bookings_gateway_end ON bookings (gateway_id, end_ns);

CREATE TABLE webinars (
	id           TEXT    PRIMARY KEY,
	owner        TEXT    NOT NULL,
	co_owners    TEXT[]  NOT NULL,
	title        TEXT    NOT NULL,
	server       TEXT    NOT NULL,
	pool         TEXT    NOT NULL,
	start_ns     BIGINT,           -- NULL: the zero time
	end_ns       BIGINT,
	chat_enabled BOOLEAN NOT NULL,
	chat_shown   BOOLEAN NOT NULL,
	chat_visible BOOLEAN NOT NULL,
	gateway_id   BIGINT  NOT NULL,
	meeting_id   TEXT    NOT NULL,
	create_time  BIGINT  NOT NULL,
	bot_room     TEXT    NOT NULL,
	bot_secret   TEXT    NOT NULL,
	session      TEXT    NOT NULL,
	state        TEXT    NOT NULL,
	fail_reason  TEXT    NOT NULL,
	last_error   TEXT    NOT NULL,
	version      BIGINT  NOT NULL,
	created_ns   BIGINT,
	updated_ns   BIGINT
);
CREATE UNIQUE INDEX webinars_meeting_id ON webinars (meeting_id) WHERE meeting_id <> '';
CREATE INDEX webinars_start ON webinars (start_ns, id);

CREATE TABLE leases (
	key      TEXT   PRIMARY KEY,
	holder   TEXT   NOT NULL,
	until_ns BIGINT NOT NULL
);
