//! Descope API groups `OTP`.
//!
//! Every operation here is routed but not built yet: it answers 501 with the Descope error
//! body naming it.

use crate::http::route_table::not_implemented;

crate::route_table! {
    pub OPS;
    POST "/v1/auth/otp/signin/email" => not_implemented,
    POST "/v1/auth/otp/signin/im" => not_implemented,
    POST "/v1/auth/otp/signin/sms" => not_implemented,
    POST "/v1/auth/otp/signin/voice" => not_implemented,
    POST "/v1/auth/otp/signup-in/email" => not_implemented,
    POST "/v1/auth/otp/signup-in/im" => not_implemented,
    POST "/v1/auth/otp/signup-in/sms" => not_implemented,
    POST "/v1/auth/otp/signup-in/voice" => not_implemented,
    POST "/v1/auth/otp/signup/email" => not_implemented,
    POST "/v1/auth/otp/signup/im" => not_implemented,
    POST "/v1/auth/otp/signup/sms" => not_implemented,
    POST "/v1/auth/otp/signup/voice" => not_implemented,
    POST "/v1/auth/otp/update/email" => not_implemented,
    POST "/v1/auth/otp/update/phone/im" => not_implemented,
    POST "/v1/auth/otp/update/phone/sms" => not_implemented,
    POST "/v1/auth/otp/update/phone/voice" => not_implemented,
    POST "/v1/auth/otp/verify/email" => not_implemented,
    POST "/v1/auth/otp/verify/im" => not_implemented,
    POST "/v1/auth/otp/verify/sms" => not_implemented,
    POST "/v1/auth/otp/verify/voice" => not_implemented,
}
