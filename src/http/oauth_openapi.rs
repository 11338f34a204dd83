//! OpenAPI operations of the token, introspection and revocation endpoints and of the
//! resource-server and client-grant management API; `crate::openapi` adds them to the
//! document. Each marker is implemented by a handler's `#[utoipa::path]`.

use utoipa::openapi;

macro_rules! markers {
    ($($(#[$meta:meta])* $marker:ident),+ $(,)?) => {
        $($(#[$meta])* pub struct $marker;)+

        /// Adds every operation of this module to the document.
        pub fn add_operations(doc: &mut openapi::OpenApi) {
            $(add::<$marker>(doc);)+
        }
    };
}

markers! {
    /// `POST /oauth/token` (`routes::token::token`).
    TokenEndpoint,
    /// `POST /oauth/introspect` (`routes::token::introspect`).
    IntrospectionEndpoint,
    /// `POST /oauth/revoke` (`routes::token::revoke`).
    RevocationEndpoint,
    /// `GET /api/v2/resource-servers`.
    ListResourceServers,
    /// `POST /api/v2/resource-servers`.
    CreateResourceServer,
    /// `GET /api/v2/resource-servers/{id}`.
    GetResourceServer,
    /// `PATCH /api/v2/resource-servers/{id}`.
    UpdateResourceServer,
    /// `DELETE /api/v2/resource-servers/{id}`.
    DeleteResourceServer,
    /// `GET /api/v2/client-grants`.
    ListClientGrants,
    /// `POST /api/v2/client-grants`.
    CreateClientGrant,
    /// `PATCH /api/v2/client-grants/{id}`.
    UpdateClientGrant,
    /// `DELETE /api/v2/client-grants/{id}`.
    DeleteClientGrant,
}

fn add<P: utoipa::Path>(doc: &mut openapi::OpenApi) {
    doc.paths.add_path_operation(P::path(), P::methods(), P::operation());
}
