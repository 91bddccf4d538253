//! The `@descope/web-components-ui` UMD bundle and the `@descope/web-component` build,
//! embedded in the binary (MIT licences in `ui/`; `scripts/vendor-web-components-ui.sh`
//! rebuilds the archive) and served where a CDN serves them:
//! `/npm/@descope/web-components-ui@<version>/dist/umd/<file>` (where the component looks
//! for its UI bundle) and `/npm/@descope/web-component@<version>/dist/index.js` (what the
//! demo page and tests load). The archive also holds `theme.json`, the UI package's default
//! light and dark themes. It is unpacked on first use.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ApiResult};

static ARCHIVE: &[u8] = include_bytes!("ui/web-components-ui.tar.gz");

struct Bundle {
    version: String,
    wc_version: String,
    files: HashMap<String, Bytes>,
}

fn bundle() -> &'static Bundle {
    static BUNDLE: OnceLock<Bundle> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let mut files = HashMap::new();
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(ARCHIVE));
        // The archive is part of the binary: reading it cannot fail unless the build is broken,
        // and then serving nothing is the honest answer.
        if let Ok(entries) = archive.entries() {
            for mut entry in entries.flatten() {
                let Ok(path) = entry.path().map(|p| p.to_string_lossy().trim_start_matches("./").to_owned()) else {
                    continue;
                };
                let mut data = Vec::new();
                if entry.header().entry_type().is_file() && entry.read_to_end(&mut data).is_ok() {
                    files.insert(path, Bytes::from(data));
                }
            }
        }
        let read = |name: &str| files.get(name).map(|v| String::from_utf8_lossy(v).trim().to_owned()).unwrap_or_default();
        let (version, wc_version) = (read("VERSION"), read("web-component/VERSION"));
        Bundle { version, wc_version, files }
    })
}

/// The version of the embedded bundle (`componentsVersion` of `config.json`).
pub fn version() -> &'static str {
    &bundle().version
}

/// The version of the embedded web component.
pub fn web_component_version() -> &'static str {
    &bundle().wc_version
}

/// The default theme (`{light: {globals, components}, dark: {...}}`).
pub fn theme() -> &'static [u8] {
    bundle().files.get("theme.json").map(|b| b.as_ref()).unwrap_or(b"{}")
}

/// GET /npm/{scope}/{package}/dist/{*file}
pub(super) async fn serve(Path((scope, package, file)): Path<(String, String, String)>) -> ApiResult<Response> {
    let b = bundle();
    let not_found = || ApiError::not_found(format!("No file {scope}/{package}/dist/{file}"));
    let key = if scope != "@descope" || file.contains("..") {
        None
    } else if package == format!("web-components-ui@{}", b.version) && file.starts_with("umd/") {
        Some(file.clone())
    } else if package == format!("web-component@{}", b.wc_version) && file == "index.js" {
        Some("web-component/index.js".to_owned())
    } else {
        None
    };
    let data = key.and_then(|k| b.files.get(&k)).ok_or_else(not_found)?;
    let kind = match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("txt") => "text/plain; charset=utf-8",
        Some("woff") => "font/woff",
        Some("woff2") => "font/woff2",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    // The path names the version, so the files never change.
    let headers = [(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")];
    Ok((headers, data.clone()).into_response())
}
