//! Identity: the people and machines a project knows and what they may do. Users (with their
//! login IDs, grants and credentials as management sees them), user search, tenants, roles
//! and permissions, access keys, declared custom attributes, invitations, and SCIM provisioning
//! of a tenant's users and groups.

pub mod accesskeys;
pub mod admin_links;
pub mod credentials;
pub mod custom_attributes;
pub mod descopers;
pub mod invite;
pub mod lists;
pub mod profile;
pub mod roles;
pub mod scim;
pub mod search;
pub mod tenants;
pub mod users;
