//! `GET /emulator/`: a page that shows a person the outbox and users of a project, newest
//! first, updating without a reload.

use axum::response::Html;

crate::route_table! {
    pub GROUP;
    built {
        GET "/emulator/" => page,
        GET "/emulator" => page,
        GET "/emulator/magiclink" => page,
    }
}

/// GET /emulator/
/// The outbox page (static HTML; it reads the emulator API with fetch).
async fn page() -> Html<&'static str> {
    Html(include_str!("ui.html"))
}
