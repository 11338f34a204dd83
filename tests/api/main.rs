//! Black-box integration tests of Registrar: one binary, one module per feature.
//! Each test starts its own server on port 0 (and its own redis-server when it needs one).

#[macro_use]
mod helpers;
#[macro_use]
mod admin_helpers;
mod http_fixture;
mod redis_cluster;
mod redis_server;
mod server_process;
mod token_helpers;

mod abuse;
mod access;
mod admin_tokens;
mod architecture;
mod audit;
mod browser_urls;
mod cleanup;
mod cli;
mod cluster;
mod config;
mod connections;
mod console;
mod containers;
mod cors;
mod crash;
mod discovery;
mod grants;
mod headers;
mod jwks_uri;
mod keys_and_algs;
mod lifecycle;
mod localized;
mod manage;
mod management;
mod management_paging;
mod management_rules;
mod management_views;
mod members;
mod members_flags;
mod metadata;
mod observability;
mod policies;
mod properties;
mod rate_limits;
mod redirect_uris;
mod redis_store;
mod register;
mod register_errors;
mod sector;
mod sentinel;
mod statements;
mod tls;
mod token;
mod token_introspection;
mod token_management;
mod untrusted_input;
