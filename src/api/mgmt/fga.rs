//! Descope API groups `authz`, `fga`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/mgmt/fga/backup" => not_implemented,
    DELETE "/v1/mgmt/fga/backup/{backupId}" => not_implemented,
    GET "/v1/mgmt/fga/backup/{backupId}" => not_implemented,
    POST "/v1/mgmt/fga/backup/{backupId}/restore" => not_implemented,
    GET "/v1/mgmt/fga/backups" => not_implemented,
    POST "/v1/mgmt/fga/check" => not_implemented,
    GET "/v1/mgmt/fga/mappable/resources" => not_implemented,
    POST "/v1/mgmt/fga/mappable/resources" => not_implemented,
    GET "/v1/mgmt/fga/mappable/schema" => not_implemented,
    DELETE "/v1/mgmt/fga/relations" => not_implemented,
    POST "/v1/mgmt/fga/relations" => not_implemented,
    POST "/v1/mgmt/fga/relations/delete" => not_implemented,
    POST "/v1/mgmt/fga/resources/load" => not_implemented,
    POST "/v1/mgmt/fga/resources/save" => not_implemented,
    GET "/v1/mgmt/fga/schema" => not_implemented,
    POST "/v1/mgmt/fga/schema" => not_implemented,
    POST "/v1/mgmt/fga/schema/dryrun" => not_implemented,
}
