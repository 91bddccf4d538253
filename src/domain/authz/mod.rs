//! Authorization: the FGA / ReBAC engine and the legacy `authz` API over the same store.
//!
//! - [`model`]: the one internal model (types, relations, permission expressions, conditions)
//! - [`dsl`]: the FGA schema DSL to the model and back; [`legacy`]: the legacy JSON schema
//! - [`cel`]: the CEL subset conditions are written in
//! - [`engine`]: the in-memory graph of tuples and the evaluation (check, who, what)
//! - [`fga`]: the operations (schema, tuples, checks, resource details, backups), with a
//!   per-project cache of the parsed model and the graph, keyed by a revision token
//!
//! SCIM provisioning lives beside these in its own files.

pub mod cel;
pub mod dsl;
pub mod engine;
pub mod fga;
pub mod legacy;
pub mod model;
