//! The juesuan web app (juesuan serve): axum, roles, sessions, CSRF, JSON API with OpenAPI.
