//! The SSO setup page a tenant admin link opens (`<public-url>/sso-setup?t=<token>`), the
//! emulator's stand-in for Descope's SSO Setup Suite: it shows what the tenant's identity
//! provider needs (the SP entity ID and ACS URL) and lets the admin configure SAML (manual or
//! by metadata URL) or OIDC for the tenant's configuration the link was made for. Saving goes
//! through the same domain calls as `/v1/mgmt/sso/saml` and `/v1/mgmt/sso/oidc`.
//!
//! A browser (`Accept: text/html`) gets HTML pages: 404 for an unknown token, 410 for an
//! expired or revoked one, 400 (the form again, with the reason) for settings the management
//! API would refuse. Other clients get those refusals as the Descope error body (404, and 400
//! for a dead link or refused settings).

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::idp::esc;
use crate::domain::federation::sso::{self, OidcInput, SamlInput, SamlSource, SsoView};
use crate::domain::identity::admin_links::{self, LinkState};
use crate::domain::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{DescopeForm, DescopeQuery};
use crate::state::AppState;
use crate::store::admin_links::AdminLinkRow;

crate::route_table! {
    pub GROUP;
    built {
        GET "/sso-setup" => page,
        POST "/sso-setup" => save,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LinkQuery {
    t: String,
}

/// The form the page posts back (every field optional: what a protocol does not use is ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct SetupForm {
    t: String,
    /// `saml`, `saml-metadata` or `oidc`.
    protocol: String,
    idp_url: String,
    entity_id: String,
    idp_cert: String,
    idp_metadata_url: String,
    name: String,
    client_id: String,
    client_secret: String,
    issuer: String,
    auth_url: String,
    token_url: String,
    user_data_url: String,
    jwks_url: String,
    /// Space- or comma-separated.
    scope: String,
    /// Comma-separated.
    domains: String,
}

/// Whether the caller is a browser, which gets HTML refusals.
fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"))
}

/// GET /sso-setup?t=<token>
async fn page(
    State(s): State<AppState>,
    headers: HeaderMap,
    DescopeQuery(q): DescopeQuery<LinkQuery>,
) -> ApiResult<Response> {
    let (ctx, row) = match open(&s, &q.t).await? {
        Ok(found) => found,
        Err(refusal) => return refusal.answer(wants_html(&headers)),
    };
    let view = sso::load(&s.db, &ctx, &row.tenant_id, &row.sso_id).await?;
    Ok(Html(setup_page(&q.t, &view, None)).into_response())
}

/// POST /sso-setup
async fn save(
    State(s): State<AppState>,
    headers: HeaderMap,
    DescopeForm(f): DescopeForm<SetupForm>,
) -> ApiResult<Response> {
    let html = wants_html(&headers);
    let (ctx, row) = match open(&s, &f.t).await? {
        Ok(found) => found,
        Err(refusal) => return refusal.answer(html),
    };
    let target = (row.tenant_id.as_str(), row.sso_id.as_str());
    let list = |v: &str| -> Vec<String> {
        v.split([',', ' ', '\n']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_owned).collect()
    };
    let domains = Some(list(&f.domains));
    let some = |v: &str| Some(v.trim().to_owned());
    let outcome = match f.protocol.as_str() {
        "saml" | "saml-metadata" => {
            let metadata = f.protocol == "saml-metadata";
            let input = if metadata {
                SamlInput { idp_metadata_url: some(&f.idp_metadata_url), ..SamlInput::default() }
            } else {
                SamlInput {
                    idp_url: some(&f.idp_url),
                    entity_id: some(&f.entity_id),
                    idp_cert: some(&f.idp_cert),
                    ..SamlInput::default()
                }
            };
            let source = if metadata { SamlSource::Metadata } else { SamlSource::Manual };
            sso::configure_saml(&s.db, &ctx, target, input, source, None, domains).await
        }
        "oidc" => {
            let input = OidcInput {
                name: some(&f.name),
                client_id: some(&f.client_id),
                client_secret: some(&f.client_secret),
                issuer: some(&f.issuer),
                auth_url: some(&f.auth_url),
                token_url: some(&f.token_url),
                user_data_url: some(&f.user_data_url),
                jwks_url: some(&f.jwks_url),
                scope: Some(list(&f.scope)),
                ..OidcInput::default()
            };
            sso::configure_oidc(&s.db, &ctx, target, input, domains).await
        }
        other => Err(ApiError::invalid(format!("Unknown protocol {other:?}: choose SAML or OIDC"))),
    };
    let outcome = match (outcome, html) {
        (Err(e), false) => return Err(e),
        (outcome, _) => outcome,
    };
    let view = sso::load(&s.db, &ctx, &row.tenant_id, &row.sso_id).await?;
    Ok(match outcome {
        Ok(()) => Html(setup_page(&f.t, &view, Some(Ok("Saved. The tenant's users can sign in with SSO now.")))).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, Html(setup_page(&f.t, &view, Some(Err(e.public_message()))))).into_response(),
    })
}

/// Why the page refuses a token: its status, title and text.
struct Refusal(StatusCode, &'static str, &'static str);

const UNKNOWN: Refusal =
    Refusal(StatusCode::NOT_FOUND, "Link not valid", "This SSO setup link is not known. Ask for a new one.");

impl Refusal {
    /// The refusal as a page for a browser, else as the Descope error body.
    fn answer(self, html: bool) -> ApiResult<Response> {
        let Refusal(status, title, text) = self;
        if !html {
            return Err(if status == StatusCode::NOT_FOUND {
                ApiError::not_found(text)
            } else {
                ApiError::invalid(text)
            });
        }
        Ok((status, Html(frame(title, &format!("<h1>{}</h1><p class=\"sub\">{}</p>", esc(title), esc(text)))))
            .into_response())
    }
}

/// The project and link of a token, or why the page refuses it.
async fn open(s: &AppState, token: &str) -> ApiResult<Result<(Ctx, AdminLinkRow), Refusal>> {
    let Some(project_id) = admin_links::project_of(&s.db, token).await? else {
        return Ok(Err(UNKNOWN));
    };
    let Some(project) = s.projects.get(&s.db, &s.settings.public_url, &project_id).await? else {
        return Ok(Err(UNKNOWN));
    };
    let ctx = Ctx { project, now: s.now() };
    Ok(match admin_links::inspect(&s.db, &ctx, token).await? {
        LinkState::Valid(row) => Ok((ctx, row)),
        LinkState::Expired(_) => {
            Err(Refusal(StatusCode::GONE, "Link expired", "This SSO setup link has expired. Ask for a new one."))
        }
        LinkState::Revoked(_) => {
            Err(Refusal(StatusCode::GONE, "Link revoked", "This SSO setup link was revoked. Ask for a new one."))
        }
        LinkState::Unknown => Err(UNKNOWN),
    })
}

fn setup_page(token: &str, v: &SsoView, notice: Option<Result<&str, &str>>) -> String {
    let saml = &v.config.saml;
    let oidc = &v.config.oidc;
    let config = if v.display_name.is_empty() { String::new() } else { format!(" ({})", v.display_name) };
    let mut body = format!(
        "<h1>Set up SSO for {}{}</h1><p class=\"sub\">Currently: <b id=\"current\">{}</b></p>",
        esc(&v.tenant.name),
        esc(&config),
        match v.auth_type.as_str() {
            "saml" => "SAML",
            "oidc" => "OIDC",
            _ => "not configured",
        }
    );
    match notice {
        Some(Ok(text)) => body.push_str(&format!("<p class=\"ok\" id=\"notice\">{}</p>", esc(text))),
        Some(Err(text)) => body.push_str(&format!("<p class=\"err\" id=\"notice\">{}</p>", esc(text))),
        None => {}
    }
    let field = |id: &str, label: &str, value: &str| {
        format!("<label for=\"{id}\">{label}</label><input id=\"{id}\" type=\"text\" name=\"{id}\" value=\"{}\">", esc(value))
    };
    let hidden = format!(
        "<input type=\"hidden\" name=\"t\" value=\"{}\">{}",
        esc(token),
        field("domains", "Email domains of the tenant's users (comma-separated)", &v.domains.join(", "))
    );
    body.push_str(&format!(
        "<h2>Your identity provider needs</h2><dl><dt>SP entity ID (audience)</dt><dd><code id=\"spEntityId\">{}</code></dd>\
         <dt>ACS URL (reply URL)</dt><dd><code id=\"spAcsUrl\">{}</code></dd></dl>",
        esc(&v.sp_entity_id),
        esc(&v.sp_acs_url)
    ));
    body.push_str(&format!(
        "<details{}><summary>SAML</summary><form method=\"post\" id=\"saml\"><input type=\"hidden\" name=\"protocol\" value=\"saml\">{hidden}{}{}\
         <label for=\"idpCert\">IdP signing certificate (PEM)</label><textarea id=\"idpCert\" name=\"idpCert\" rows=\"6\">{}</textarea>\
         <button type=\"submit\">Save SAML settings</button></form>\
         <form method=\"post\" id=\"saml-metadata\"><input type=\"hidden\" name=\"protocol\" value=\"saml-metadata\">{hidden}{}\
         <button type=\"submit\">Save metadata URL</button></form></details>",
        if v.auth_type == "oidc" { "" } else { " open" },
        field("idpUrl", "IdP SSO URL", &saml.idp_sso_url),
        field("entityId", "IdP entity ID", &saml.idp_entity_id),
        esc(&saml.idp_certificate),
        field("idpMetadataUrl", "Or: IdP metadata URL", &saml.idp_metadata_url),
    ));
    body.push_str(&format!(
        "<details{}><summary>OIDC</summary><form method=\"post\" id=\"oidc\"><input type=\"hidden\" name=\"protocol\" value=\"oidc\">{hidden}\
         {}{}<label for=\"clientSecret\">Client secret (kept when empty)</label><input id=\"clientSecret\" type=\"password\" name=\"clientSecret\">\
         {}{}{}{}{}{}<button type=\"submit\">Save OIDC settings</button></form></details>",
        if v.auth_type == "oidc" { " open" } else { "" },
        field("name", "Provider name", &oidc.name),
        field("clientId", "Client ID", &oidc.client_id),
        field("issuer", "Issuer", &oidc.issuer),
        field("authUrl", "Authorization URL", &oidc.auth_url),
        field("tokenUrl", "Token URL", &oidc.token_url),
        field("userDataUrl", "User info URL", &oidc.user_data_url),
        field("jwksUrl", "JWKS URL", &oidc.jwks_url),
        field("scope", "Scopes (space-separated)", &oidc.scope.join(" ")),
    ));
    frame("SSO setup", &body)
}

fn frame(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title><style>
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f4f6;margin:0;display:flex;justify-content:center;color:#111}}
main{{background:#fff;margin:48px 16px;padding:32px;border-radius:12px;box-shadow:0 2px 12px #0002;max-width:560px;width:100%;box-sizing:border-box}}
.badge{{display:inline-block;font-size:.7rem;text-transform:uppercase;color:#1e40af;background:#dbeafe;border-radius:999px;padding:2px 8px;margin-bottom:12px}}
h1{{font-size:1.35rem;margin:0 0 4px}} h2{{font-size:1rem;margin:20px 0 8px}} p.sub{{color:#666;margin:0 0 16px}}
p.ok{{background:#dcfce7;color:#166534;padding:8px 12px;border-radius:6px}} p.err{{background:#fee2e2;color:#991b1b;padding:8px 12px;border-radius:6px}}
dt{{font-size:.8rem;color:#555;margin-top:8px}} dd{{margin:2px 0}} code{{word-break:break-all;background:#f3f4f6;padding:2px 6px;border-radius:4px}}
details{{border:1px solid #e5e7eb;border-radius:8px;padding:8px 14px;margin-top:14px}} summary{{font-weight:600;cursor:pointer}}
label{{display:block;font-size:.85rem;margin:12px 0 4px;color:#333}}
input,textarea{{width:100%;box-sizing:border-box;padding:8px 10px;border:1px solid #ccc;border-radius:6px;font:inherit;font-size:.9rem}}
button{{margin:16px 0 8px;padding:9px 16px;border:0;border-radius:8px;background:#2563eb;color:#fff;font-size:.95rem;cursor:pointer}}
footer{{margin-top:24px;padding-top:12px;border-top:1px solid #f0f0f0;font-size:.75rem;color:#888}}
</style></head><body><main><span class="badge">SSO setup</span>{body}<footer>descope-emulator: the settings are saved in this emulator only.</footer></main></body></html>"#,
        title = esc(title)
    )
}
