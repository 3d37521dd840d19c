//! The open-api plugin (better-auth `openAPI`): the server describes its own endpoints.
//!
//! `GET /open-api/generate-schema` answers an OpenAPI 3.1.1 document of every endpoint
//! the server has enabled, generated from the route declarations and request schemas in
//! [`super::routes`] and the server's tables; `GET /reference` is an HTML page (Scalar)
//! that renders it.

/// The open-api plugin's routes (better-auth `openAPI`).
pub mod routes {
    use crate::wire::routes::declare_routes;

    declare_routes! {
        /// The open-api routes, in declaration order.
        pub const ROUTES;

        /// `GET /open-api/generate-schema`: the OpenAPI 3.1.1 document of the server's
        /// enabled endpoints.
        GenerateSchema: Get "/open-api/generate-schema", () => serde_json::Value;
        /// `GET /reference`: an HTML page rendering that document.
        Reference: Get "/reference", () => ();
    }
}
