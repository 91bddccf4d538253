//! Descope API groups `authz`, `fga`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        POST "/v1/mgmt/fga/backup",
        DELETE "/v1/mgmt/fga/backup/{backupId}",
        GET "/v1/mgmt/fga/backup/{backupId}",
        POST "/v1/mgmt/fga/backup/{backupId}/restore",
        GET "/v1/mgmt/fga/backups",
        POST "/v1/mgmt/fga/check",
        GET "/v1/mgmt/fga/mappable/resources",
        POST "/v1/mgmt/fga/mappable/resources",
        GET "/v1/mgmt/fga/mappable/schema",
        DELETE "/v1/mgmt/fga/relations",
        POST "/v1/mgmt/fga/relations",
        POST "/v1/mgmt/fga/relations/delete",
        POST "/v1/mgmt/fga/resources/load",
        POST "/v1/mgmt/fga/resources/save",
        GET "/v1/mgmt/fga/schema",
        POST "/v1/mgmt/fga/schema",
        POST "/v1/mgmt/fga/schema/dryrun",
    }
}
