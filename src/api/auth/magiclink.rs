//! Descope API groups `MagicLink`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/auth/magiclink/signin/email" => not_implemented,
    POST "/v1/auth/magiclink/signin/sms" => not_implemented,
    POST "/v1/auth/magiclink/signup-in/email" => not_implemented,
    POST "/v1/auth/magiclink/signup-in/sms" => not_implemented,
    POST "/v1/auth/magiclink/signup/email" => not_implemented,
    POST "/v1/auth/magiclink/signup/sms" => not_implemented,
    POST "/v1/auth/magiclink/update/email" => not_implemented,
    POST "/v1/auth/magiclink/update/phone/sms" => not_implemented,
    POST "/v1/auth/magiclink/verify" => not_implemented,
}
