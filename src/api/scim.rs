//! Descope API groups `scimManagement`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it. Their other errors answer in the format of RFC 7644 section 3.12 (the `Scim`
//! error surface).


crate::route_table! {
    pub GROUP;
    surface Scim;
    unbuilt {
        GET "/scim/v2/Groups",
        POST "/scim/v2/Groups",
        DELETE "/scim/v2/Groups/{groupId}",
        GET "/scim/v2/Groups/{groupId}",
        PATCH "/scim/v2/Groups/{groupId}",
        PUT "/scim/v2/Groups/{groupId}",
        GET "/scim/v2/ResourceTypes",
        GET "/scim/v2/ServiceProviderConfig",
        GET "/scim/v2/Users",
        DELETE "/scim/v2/Users/{userId}",
        GET "/scim/v2/Users/{userId}",
        PATCH "/scim/v2/Users/{userId}",
        PUT "/scim/v2/Users/{userId}",
    }
}
