-- Superuser half of the hostile-database fixture (CVE-2018-1058 family).
-- Run as a superuser connected to any database of the cluster, with psql:
--   psql -X -v ON_ERROR_STOP=1 -d postgres -f hostile-role-setup.sql
-- It makes an ordinary role that owns a database of its own; hostile-role.sql,
-- run afterwards as that role in that database, plants the trap.
-- Fixed names: role mallory, database mallorydb. mallory has no password, so
-- no password login (over TCP) lets anyone in as mallory while the test makes
-- mallory a superuser for its control step; it logs in over the socket.
\set ON_ERROR_STOP on

CREATE ROLE mallory LOGIN
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE mallorydb OWNER mallory;

\connect mallorydb
-- 15+ only lets the database owner (pg_database_owner) create in public;
-- 13 and 14 let everyone. Grant it explicitly so every version is alike.
GRANT CREATE ON SCHEMA public TO mallory;
