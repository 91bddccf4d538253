//! Authorization (to come): the FGA / ReBAC engine (schema DSL, relations, checks), the
//! legacy `authz` schema over the same engine, and SCIM provisioning of a tenant's directory.
