//! Black-box integration tests of Registrar: one binary, one module per feature.
//! Each test starts its own server on port 0 (and its own redis-server when it needs one).

#[macro_use]
mod helpers;
mod redis_server;

mod config;
mod discovery;
mod grants;
mod headers;
mod keys_and_algs;
mod lifecycle;
mod localized;
mod manage;
mod metadata;
mod properties;
mod redirect_uris;
mod redis_store;
mod register;
mod register_errors;
