//! Descope API group `userManagement`: a user's trusted devices.
//!
//! The emulator records no trusted devices yet, so lists are empty and removing a device is
//! the not-found error. Times in `TrustedDevice` are strings of Unix seconds (OpenAPI; Go
//! parses them with `strconv.Atoi`).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::domain::identity::credentials::{self, TrustedDevice as DomainDevice};
use crate::dto::common::Empty;
use crate::error::ApiResult;
use crate::http::extract::{DescopeJson, MgmtAuth};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        POST "/v1/mgmt/user/trusteddevices/list" => list,
        POST "/v1/mgmt/user/trusteddevices/remove" => remove,
    }
}

/// `ListTrustedDevicesForUsersRequest`
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ListTrustedDevicesRequest {
    identifiers: Vec<String>,
}

/// `TrustedDevice`
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TrustedDevice {
    id: String,
    name: String,
    device_type: String,
    user_id: String,
    last_login_time: String,
    expiration_time: String,
    last_location: String,
    is_current_device: bool,
}

impl From<DomainDevice> for TrustedDevice {
    fn from(d: DomainDevice) -> Self {
        TrustedDevice {
            id: d.id,
            name: d.name,
            device_type: d.device_type,
            user_id: d.user_id,
            last_login_time: d.last_login_secs.to_string(),
            expiration_time: d.expiration_secs.to_string(),
            last_location: d.last_location,
            is_current_device: false,
        }
    }
}

/// `ListTrustedDevicesForUsersResponse`
#[derive(Debug, Serialize)]
struct ListTrustedDevicesResponse {
    devices: Vec<TrustedDevice>,
}

/// POST /v1/mgmt/user/trusteddevices/list
/// The trusted devices of the named users (login IDs or user IDs).
async fn list(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<ListTrustedDevicesRequest>,
) -> ApiResult<Json<ListTrustedDevicesResponse>> {
    let devices = credentials::list_trusted_devices(&s.db, &ctx, &body.identifiers).await?;
    Ok(Json(ListTrustedDevicesResponse { devices: devices.into_iter().map(TrustedDevice::from).collect() }))
}

/// `UpdateUserRemoveTrustedDevicesRequest`: the SDKs name the user `identifier`, the OpenAPI
/// `loginId`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RemoveTrustedDevicesRequest {
    identifier: String,
    login_id: String,
    device_ids: Vec<String>,
}

/// POST /v1/mgmt/user/trusteddevices/remove
/// Removes trusted devices of a user.
async fn remove(
    State(s): State<AppState>,
    MgmtAuth(ctx): MgmtAuth,
    DescopeJson(body): DescopeJson<RemoveTrustedDevicesRequest>,
) -> ApiResult<Json<Empty>> {
    let who = if body.identifier.is_empty() { &body.login_id } else { &body.identifier };
    credentials::remove_trusted_devices(&s.db, &ctx, who, &body.device_ids).await?;
    Ok(Json(Empty {}))
}
