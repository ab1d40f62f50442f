-- A v1.8 launcher starts only the gw_ids its host created in advance: a
-- gateway of protocol v1.8-launcher names its own. server_key then holds
-- gateway.Server.Key(), the URL's key and the gw_id.
ALTER TABLE gateways ADD COLUMN launcher_id TEXT NOT NULL DEFAULT '';
