-- Gateways, bookings, webinars and leases. Instants are INTEGER Unix
-- nanoseconds, so they come back to the nanosecond.

CREATE TABLE gateways (
	id         INTEGER PRIMARY KEY AUTOINCREMENT, -- increasing, never reused
	name       TEXT    NOT NULL,
	pool       TEXT    NOT NULL,
	ord        INTEGER NOT NULL,
	rtmp_url   TEXT    NOT NULL,
	hls_url    TEXT    NOT NULL,
	server_url TEXT    NOT NULL,
	server_key TEXT    NOT NULL UNIQUE, -- gateway.ServerKey(server_url)
	token      TEXT    NOT NULL,
	protocol   TEXT    NOT NULL,
	insecure   INTEGER NOT NULL,
	enabled    INTEGER NOT NULL
);
CREATE INDEX gateways_pool_order ON gateways (pool, ord, id);

CREATE TABLE bookings (
	owner      TEXT    PRIMARY KEY,
	gateway_id INTEGER NOT NULL REFERENCES gateways (id) ON DELETE CASCADE,
	start_ns   INTEGER NOT NULL,
	end_ns     INTEGER NOT NULL,
	CHECK (start_ns < end_ns)
);
CREATE INDEX bookings_gateway_start ON bookings (gateway_id, start_ns);
CREATE INDEX bookings_gateway_end ON bookings (gateway_id, end_ns);

CREATE TABLE webinars (
	id           TEXT    PRIMARY KEY,
	owner        TEXT    NOT NULL,
	co_owners    TEXT    NOT NULL, -- JSON array of strings
	title        TEXT    NOT NULL,
	server       TEXT    NOT NULL,
	pool         TEXT    NOT NULL,
	start_ns     INTEGER,          -- NULL: the zero time
	end_ns       INTEGER,
	chat_enabled INTEGER NOT NULL,
	chat_shown   INTEGER NOT NULL,
	chat_visible INTEGER NOT NULL,
	gateway_id   INTEGER NOT NULL,
	meeting_id   TEXT    NOT NULL,
	create_time  INTEGER NOT NULL,
	bot_room     TEXT    NOT NULL,
	bot_secret   TEXT    NOT NULL,
	session      TEXT    NOT NULL,
	state        TEXT    NOT NULL,
	fail_reason  TEXT    NOT NULL,
	last_error   TEXT    NOT NULL,
	version      INTEGER NOT NULL,
	created_ns   INTEGER,
	updated_ns   INTEGER
);
CREATE UNIQUE INDEX webinars_meeting_id ON webinars (meeting_id) WHERE meeting_id <> '';
CREATE INDEX webinars_start ON webinars (start_ns, id);

CREATE TABLE leases (
	key      TEXT    PRIMARY KEY,
	holder   TEXT    NOT NULL,
	until_ns INTEGER NOT NULL
);
