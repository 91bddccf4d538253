//! Descope API groups `scimManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it. Their other errors answer in the format of RFC 7644 section 3.12 (the `Scim`
//! error surface).

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    surface Scim;
    GET "/scim/v2/Groups" => not_implemented,
    POST "/scim/v2/Groups" => not_implemented,
    DELETE "/scim/v2/Groups/{groupId}" => not_implemented,
    GET "/scim/v2/Groups/{groupId}" => not_implemented,
    PATCH "/scim/v2/Groups/{groupId}" => not_implemented,
    PUT "/scim/v2/Groups/{groupId}" => not_implemented,
    GET "/scim/v2/ResourceTypes" => not_implemented,
    GET "/scim/v2/ServiceProviderConfig" => not_implemented,
    GET "/scim/v2/Users" => not_implemented,
    DELETE "/scim/v2/Users/{userId}" => not_implemented,
    GET "/scim/v2/Users/{userId}" => not_implemented,
    PATCH "/scim/v2/Users/{userId}" => not_implemented,
    PUT "/scim/v2/Users/{userId}" => not_implemented,
}
