//! Descope API groups `EnchantedLink`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/auth/enchantedlink/pending-session" => not_implemented,
    POST "/v1/auth/enchantedlink/signin/email" => not_implemented,
    POST "/v1/auth/enchantedlink/signup-in/email" => not_implemented,
    POST "/v1/auth/enchantedlink/signup/email" => not_implemented,
    POST "/v1/auth/enchantedlink/update/email" => not_implemented,
    POST "/v1/auth/enchantedlink/verify" => not_implemented,
}
