//! The fake identity providers (EMULATOR_API.md "Fake identity providers"):
//!
//! - `GET /emulator/v1/idp/{projectId}/oauth/{provider}/authorize?state=…` and
//!   `GET /emulator/v1/idp/{projectId}/sso/{tenantId}/authorize?state=…`: the provider's page
//!   that the `url` of OAuth and SSO start points at. Headless (query `email=`, …, or a
//!   queued identity, or the `loginHint` of the start) it approves at once: `302` to the
//!   redirect URL with `code=`; `deny=1` refuses (`error=access_denied`). In a browser with
//!   nothing to go on it asks the person.
//! - `POST /emulator/v1/projects/{projectId}/idp/next`: queues the identity of the next sign-in.
//! - `POST /emulator/v1/projects/{projectId}/idp/oauth/{provider}/id-token` and
//!   `GET …/jwks`: ID tokens of a fake social provider (native and One Tap sign-in) and its keys.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use crate::domain::federation::idp::{self, Identity, PageOutcome, PageRequest, Queued, Start, Target};
use crate::domain::federation::oauth::{self, MintRequest};
use crate::dto::common::Empty;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeJson, EmulatorProject};
use crate::state::AppState;

crate::route_table! {
    pub GROUP;
    built {
        GET "/emulator/v1/idp/{projectId}/oauth/{provider}/authorize" => page,
        GET "/emulator/v1/idp/{projectId}/sso/{tenantId}/authorize" => page,
        POST "/emulator/v1/projects/{projectId}/idp/next" => next,
        POST "/emulator/v1/projects/{projectId}/idp/oauth/{provider}/id-token" => id_token,
        GET "/emulator/v1/projects/{projectId}/idp/oauth/{provider}/jwks" => jwks,
    }
}

/// GET /emulator/v1/idp/{projectId}/oauth/{provider}/authorize,
/// GET /emulator/v1/idp/{projectId}/sso/{tenantId}/authorize
/// The provider's page: approves, refuses or asks the person who they are.
async fn page(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path((_, issuer)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::bad_request(format!("Invalid query: {e}")))?;
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let truthy = |name: &str| get(name).is_some_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
    let deny = if truthy("deny") {
        Some(("access_denied".to_owned(), "The user refused to sign in at the identity provider".to_owned()))
    } else {
        get("error").filter(|e| !e.is_empty()).map(|e| (e, get("error_description").unwrap_or_default()))
    };
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let req = PageRequest {
        state: get("state").unwrap_or_default(),
        deny,
        interactive: wants_html && !truthy("auto"),
        params,
    };
    Ok(match idp::authorize(&s.db, &ctx, &issuer, req).await? {
        PageOutcome::Redirect(url) => Redirect::to(&url).into_response(),
        PageOutcome::Code { code, start } if wants_html => Html(code_page(&start, &code)).into_response(),
        PageOutcome::Code { code, .. } => Json(json!({ "code": code })).into_response(),
        PageOutcome::Refused { start, .. } if wants_html => Html(code_page(&start, "")).into_response(),
        PageOutcome::Refused { error, description, .. } => {
            (StatusCode::FORBIDDEN, Json(json!({"error": error, "error_description": description})))
                .into_response()
        }
        PageOutcome::Ask { start, known } => {
            Html(chooser_page(&start, &known, query.as_deref().unwrap_or(""))).into_response()
        }
    })
}

/// POST /emulator/v1/projects/{projectId}/idp/next
/// Queues the identity of the next sign-in at a provider (`provider`) or a tenant's SSO
/// (`tenantId`, `ssoId`).
async fn next(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    DescopeJson(body): DescopeJson<Queued>,
) -> ApiResult<Json<Empty>> {
    idp::enqueue(&s.db, &ctx, body).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct IdTokenResponse {
    id_token: String,
}

/// POST /emulator/v1/projects/{projectId}/idp/oauth/{provider}/id-token
/// An ID token of the fake provider for `{email, name?, sub?, nonce?, aud?}`.
async fn id_token(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path((_, provider)): Path<(String, String)>,
    DescopeJson(body): DescopeJson<MintRequest>,
) -> ApiResult<Json<IdTokenResponse>> {
    let id_token = oauth::mint_id_token(&s.db, &ctx, s.projects.key_pool(), &provider, body).await?;
    Ok(Json(IdTokenResponse { id_token }))
}

/// GET /emulator/v1/projects/{projectId}/idp/oauth/{provider}/jwks
/// The fake providers' public key.
async fn jwks(
    State(s): State<AppState>,
    EmulatorProject(ctx): EmulatorProject,
    Path((_, provider)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    oauth::check_provider(&provider)?;
    let key = oauth::provider_key(&s.db, &ctx, s.projects.key_pool()).await?;
    Ok(Json(json!({ "keys": [key.jwk] })))
}

/// Escapes text for HTML (the fake providers' pages).
pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The page's frame.
fn frame(title: &str, body: &str) -> String {
    frame_with(title, "Fake identity provider", body)
}

/// The frame of the emulator's pages, with a badge naming what the page stands for (the
/// authorization server's sign-in page has the same look).
pub(crate) fn frame_with(title: &str, badge: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title><style>
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f4f6;margin:0;display:flex;justify-content:center;color:#111}}
main{{background:#fff;margin:48px 16px;padding:32px;border-radius:12px;box-shadow:0 2px 12px #0002;max-width:420px;width:100%;box-sizing:border-box}}
.badge{{display:inline-block;font-size:.7rem;letter-spacing:.04em;text-transform:uppercase;color:#92400e;background:#fef3c7;border-radius:999px;padding:2px 8px;margin-bottom:12px}}
h1{{font-size:1.35rem;margin:0 0 4px}} p.sub{{color:#666;margin:0 0 20px;font-size:.9rem}}
a.account{{display:flex;align-items:center;gap:12px;padding:10px 12px;border:1px solid #ddd;border-radius:8px;margin-bottom:8px;color:#111;text-decoration:none}}
a.account:hover,a.account:focus{{background:#f5f7ff;border-color:#2563eb}}
a.account .avatar{{flex:none;width:32px;height:32px;border-radius:50%;background:#2563eb;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:600}}
a.account .who{{min-width:0}} a.account small{{color:#666;display:block;overflow:hidden;text-overflow:ellipsis}}
.or{{display:flex;align-items:center;gap:8px;color:#888;font-size:.8rem;margin:16px 0 4px}}
.or::before,.or::after{{content:"";flex:1;border-top:1px solid #e5e7eb}}
label{{display:block;font-size:.85rem;margin:12px 0 4px;color:#333}}
label.check{{display:flex;align-items:center;gap:6px;margin-top:12px}}
input[type=text],input[type=email]{{width:100%;box-sizing:border-box;padding:9px 10px;border:1px solid #ccc;border-radius:6px;font-size:.95rem}}
input[type=text]:focus,input[type=email]:focus{{outline:2px solid #93c5fd;border-color:#2563eb}}
button{{margin-top:18px;width:100%;padding:10px;border:0;border-radius:8px;background:#2563eb;color:#fff;font-size:1rem;cursor:pointer}}
button:hover{{background:#1d4ed8}}
a.deny{{display:block;text-align:center;margin-top:14px;color:#b91c1c;text-decoration:none;font-size:.9rem}} a.deny:hover{{text-decoration:underline}}
code{{word-break:break-all;display:block;background:#f3f4f6;padding:10px;border-radius:6px;font-size:.85rem}}
footer{{margin-top:24px;padding-top:12px;border-top:1px solid #f0f0f0;font-size:.75rem;color:#888}}
</style></head><body><main><span class="badge">{badge}</span>{body}<footer>descope-emulator: no real provider is asked; nothing leaves this machine.</footer></main></body></html>"#,
        title = esc(title),
        badge = esc(badge)
    )
}

/// Asks the person who they are: earlier identities, a new one, or no.
/// An unticked checkbox is not submitted at all, so a hidden `emailVerified=false` precedes the
/// "email verified" box: the page reads parameters in order, the box's `true` (when ticked) wins.
fn chooser_page(start: &Start, known: &[Identity], query: &str) -> String {
    let provider = start.target.display();
    let sso = matches!(start.target, Target::Sso { .. });
    let base = format!("?{query}");
    let mut body = format!(
        "<h1>Sign in with {}</h1><p class=\"sub\">{}</p>",
        esc(&heading(&start.target)),
        if known.is_empty() { "Say who you are to continue to the app" } else { "Choose an account to continue to the app" }
    );
    for id in known {
        let mut pairs = vec![("email", id.email.as_str()), ("sub", id.sub.as_str()), ("name", id.name.as_str())];
        let groups = id.groups.join(",");
        if sso && !groups.is_empty() {
            pairs.push(("groups", &groups));
        }
        let extra: String = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("&{k}={}", percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)))
            .collect();
        let label = if id.name.is_empty() { id.email.clone() } else { id.name.clone() };
        let initial = label.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default();
        body.push_str(&format!(
            "<a class=\"account\" href=\"{}\"><span class=\"avatar\">{}</span><span class=\"who\">{}<small>{}</small></span></a>",
            esc(&format!("{base}{extra}")),
            esc(&initial),
            esc(&label),
            esc(&id.email)
        ));
    }
    if !known.is_empty() {
        body.push_str("<div class=\"or\">or use another account</div>");
    }
    let state = query_value(query, "state");
    body.push_str(&format!(
        "<form method=\"get\"><input type=\"hidden\" name=\"state\" value=\"{}\">\
         <label for=\"email\">Email</label><input id=\"email\" type=\"email\" name=\"email\" required value=\"{}\">\
         <label for=\"name\">Name</label><input id=\"name\" type=\"text\" name=\"name\">{}\
         <input type=\"hidden\" name=\"emailVerified\" value=\"false\">\
         <label class=\"check\"><input type=\"checkbox\" name=\"emailVerified\" value=\"true\" checked> The provider says the email is verified</label>\
         <button id=\"approve\" type=\"submit\">Continue</button></form>\
         <a class=\"deny\" id=\"deny\" href=\"{}\">Cancel and go back to the app</a>",
        esc(&state),
        esc(if start.login_hint.contains('@') { &start.login_hint } else { "" }),
        if sso {
            "<label for=\"groups\">Groups (comma-separated)</label><input id=\"groups\" type=\"text\" name=\"groups\">"
        } else {
            ""
        },
        esc(&format!("{base}&deny=1"))
    ));
    frame(&format!("Sign in with {provider}"), &body)
}

/// The provider's name as a heading shows it: `google` is "Google", a tenant's SSO as it is.
fn heading(target: &Target) -> String {
    match target {
        Target::OAuth { provider } => {
            let known = [
                ("github", "GitHub"),
                ("gitlab", "GitLab"),
                ("linkedin", "LinkedIn"),
                ("hubspot", "HubSpot"),
            ];
            match known.iter().find(|(k, _)| k.eq_ignore_ascii_case(provider)) {
                Some((_, name)) => (*name).to_owned(),
                None => {
                    let mut chars = provider.chars();
                    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
                }
            }
        }
        Target::Sso { .. } => target.display(),
    }
}

fn query_value(query: &str, name: &str) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// An approval (or refusal) with nowhere to go back to: shows the code.
fn code_page(start: &Start, code: &str) -> String {
    let provider = heading(&start.target);
    let body = if code.is_empty() {
        format!(
            "<h1>Not signed in at {}</h1><p class=\"sub\">You refused to sign in. There is no redirect URL to go back to; \
             close this page.</p>",
            esc(&provider)
        )
    } else {
        format!(
            "<h1>Signed in at {}</h1><p class=\"sub\">No redirect URL was given. Exchange this code within 5 minutes:</p>\
             <p><code id=\"code\">{}</code></p>",
            esc(&provider),
            esc(code)
        )
    };
    frame(&provider, &body)
}
