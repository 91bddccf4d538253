//! `GET /emulator/demo?projectId=...&flow=sign-up-or-in`: a page hosting the real
//! `<descope-wc>` against this emulator (API, pages and UI bundle all served here), which
//! shows the signed-in user and the session claims outside the component: the one-command
//! demo environment.

use axum::extract::State;
use axum::response::Html;
use serde::Deserialize;

use super::idp::esc;
use crate::api::flow::bundle;
use crate::domain::flows::BUILT_IN;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::DescopeQuery;
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/emulator/demo" => page,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct DemoQuery {
    project_id: String,
    flow: String,
    theme: String,
}

/// GET /emulator/demo
async fn page(State(s): State<AppState>, DescopeQuery(q): DescopeQuery<DemoQuery>) -> ApiResult<Html<String>> {
    let project_id = match q.project_id.as_str() {
        "" => s
            .projects
            .default_id(&s.db)
            .await?
            .ok_or_else(|| ApiError::bad_request("No default project: name one with ?projectId="))?,
        id => id.to_owned(),
    };
    if s.projects.get(&s.db, &s.settings.public_url, &project_id).await?.is_none() {
        return Err(ApiError::not_found(format!("Project {project_id} not found")));
    }
    let flow = if q.flow.is_empty() { "sign-up-or-in".to_owned() } else { q.flow };
    let theme = if q.theme == "dark" { "dark" } else { "light" };
    let options: String = BUILT_IN
        .iter()
        .map(|f| {
            let selected = if *f == flow { " selected" } else { "" };
            format!(r#"<option value="{f}"{selected}>{f}</option>"#)
        })
        .collect();
    Ok(Html(
        TEMPLATE
            .replace("{{project}}", &esc(&project_id))
            .replace("{{flow}}", &esc(&flow))
            .replace("{{theme}}", theme)
            .replace("{{options}}", &options)
            .replace("{{wc}}", bundle::web_component_version()),
    ))
}

const TEMPLATE: &str = include_str!("demo.html");
