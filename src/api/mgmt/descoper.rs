//! Descope API groups `descopers`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.


crate::route_table! {
    pub GROUP;
    unbuilt {
        DELETE "/v1/mgmt/descoper",
        GET "/v1/mgmt/descoper",
        PATCH "/v1/mgmt/descoper",
        PUT "/v1/mgmt/descoper",
        POST "/v1/mgmt/descoper/list",
    }
}
