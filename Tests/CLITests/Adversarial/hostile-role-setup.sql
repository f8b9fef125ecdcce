-- Superuser half of the hostile-database fixture (CVE-2018-1058 family).
-- Run as a superuser connected to any database of the cluster, with psql:
--   psql -X -v ON_ERROR_STOP=1 -d postgres -f hostile-role-setup.sql
-- It makes an ordinary role that owns a database of its own; hostile-role.sql,
-- run afterwards as that role in that database, plants the trap.
-- Fixed names: role mallory (password mallory-pw), database mallorydb.
\set ON_ERROR_STOP on

CREATE ROLE mallory LOGIN PASSWORD 'mallory-pw'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE mallorydb OWNER mallory;

\connect mallorydb
-- 15+ only lets the database owner (pg_database_owner) create in public;
-- 13 and 14 let everyone. Grant it explicitly so every version is alike.
GRANT CREATE ON SCHEMA public TO mallory;
