//! `/v1/mgmt/*` and `/v2/mgmt/*`: the management API.

pub mod accesskey;
pub mod analytics;
pub mod audit;
pub mod auth;
pub mod authz;
pub mod descoper;
pub mod fga;
pub mod flow;
pub mod group;
pub mod impersonate;
pub mod inboundapp;
pub mod jwt;
pub mod license;
pub mod list;
pub mod localization;
pub mod managementkey;
pub mod mcp;
pub mod outbound;
pub mod password;
pub mod permission;
pub mod project;
pub mod resource;
pub mod resourcepolicy;
pub mod role;
pub mod sso;
pub mod tenant;
pub mod tests;
pub mod theme;
pub mod thirdparty;
pub mod user;
pub mod widget;

use crate::http::route_table::Op;
use crate::state::AppState;

/// Every operation of this group.
pub fn ops() -> impl Iterator<Item = &'static Op> {
    [
        accesskey::OPS,
        analytics::OPS,
        audit::OPS,
        auth::OPS,
        authz::OPS,
        descoper::OPS,
        fga::OPS,
        flow::OPS,
        group::OPS,
        impersonate::OPS,
        inboundapp::OPS,
        jwt::OPS,
        license::OPS,
        list::OPS,
        localization::OPS,
        managementkey::OPS,
        mcp::OPS,
        outbound::OPS,
        password::OPS,
        permission::OPS,
        project::OPS,
        resource::OPS,
        resourcepolicy::OPS,
        role::OPS,
        sso::OPS,
        tenant::OPS,
        tests::OPS,
        theme::OPS,
        thirdparty::OPS,
        user::OPS,
        user::embeddedlink::OPS,
        user::history::OPS,
        user::passkeys::OPS,
        user::provider::OPS,
        user::search::OPS,
        user::totp::OPS,
        user::trusteddevices::OPS,
        widget::OPS,
    ]
    .into_iter()
    .flatten()
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .merge(accesskey::routes())
        .merge(analytics::routes())
        .merge(audit::routes())
        .merge(auth::routes())
        .merge(authz::routes())
        .merge(descoper::routes())
        .merge(fga::routes())
        .merge(flow::routes())
        .merge(group::routes())
        .merge(impersonate::routes())
        .merge(inboundapp::routes())
        .merge(jwt::routes())
        .merge(license::routes())
        .merge(list::routes())
        .merge(localization::routes())
        .merge(managementkey::routes())
        .merge(mcp::routes())
        .merge(outbound::routes())
        .merge(password::routes())
        .merge(permission::routes())
        .merge(project::routes())
        .merge(resource::routes())
        .merge(resourcepolicy::routes())
        .merge(role::routes())
        .merge(sso::routes())
        .merge(tenant::routes())
        .merge(tests::routes())
        .merge(theme::routes())
        .merge(thirdparty::routes())
        .merge(user::routes())
        .merge(user::embeddedlink::routes())
        .merge(user::history::routes())
        .merge(user::passkeys::routes())
        .merge(user::provider::routes())
        .merge(user::search::routes())
        .merge(user::totp::routes())
        .merge(user::trusteddevices::routes())
        .merge(widget::routes())
}
