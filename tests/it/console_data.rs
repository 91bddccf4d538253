//! The console's data tabs (users, tenants, roles, access keys, audit): every module is served
//! from the binary, every module it imports is served too, every name it imports from the
//! shell's `lib.js` is exported there, and no tab reads a snapshot (which carries the keys).

use crate::harness::TestApp;

const TABS: &[&str] = &["users.js", "tenants.js", "roles.js", "accesskeys.js", "audit.js", "common-data.js"];

/// The names of `import { a, b as c } from '<from>'` statements in `source`, per module path.
fn imports(source: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("import {") {
        let after = &rest[at + "import {".len()..];
        let Some(close) = after.find('}') else { break };
        let names = after[..close]
            .split(',')
            .map(|n| n.split(" as ").next().unwrap_or("").trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        let tail = &after[close..];
        let quote_start = tail.find('\'').expect("a quoted module path") + 1;
        let quote_end = quote_start + tail[quote_start..].find('\'').expect("a closing quote");
        out.push((tail[quote_start..quote_end].to_owned(), names));
        rest = &tail[quote_end..];
    }
    out
}

#[tokio::test]
async fn data_tabs_are_served_with_their_imports() {
    let app = TestApp::new().await;
    let lib = app.get("/emulator/console/lib.js", None).await;
    assert_eq!(lib.status, 200);
    for tab in TABS {
        let res = app.get(&format!("/emulator/console/tabs/{tab}"), None).await;
        assert_eq!(res.status, 200, "{tab}");
        let ty = res.headers["content-type"].to_str().unwrap();
        assert!(ty.starts_with("text/javascript"), "{tab}: {ty}");
        assert!(!res.text.contains("/snapshot"), "{tab} must not read a snapshot");
        let found = imports(&res.text);
        assert!(!found.is_empty(), "{tab} imports nothing");
        for (from, names) in found {
            let path = match from.as_str() {
                "../lib.js" => "/emulator/console/lib.js".to_owned(),
                other => format!("/emulator/console/tabs/{}", other.trim_start_matches("./")),
            };
            let module = app.get(&path, None).await;
            assert_eq!(module.status, 200, "{tab} imports {from}, which is not served");
            for name in names {
                let exported = ["function", "async function", "class", "const", "let"]
                    .iter()
                    .any(|kind| module.text.contains(&format!("export {kind} {name}")));
                assert!(exported, "{tab} imports {name} from {from}, which does not export it");
            }
        }
    }
    let css = app.get("/emulator/console/tabs/data.css", None).await;
    assert_eq!(css.status, 200);
    assert!(css.headers["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(css.text.contains("var(--"), "the data tabs use the console's colour variables");
}

#[test]
fn imports_are_read_with_their_names() {
    let src = "import { h, toast as t } from '../lib.js';\nimport {\n  a,\n  b,\n} from './x.js';";
    assert_eq!(
        imports(src),
        vec![
            ("../lib.js".to_owned(), vec!["h".to_owned(), "toast".to_owned()]),
            ("./x.js".to_owned(), vec!["a".to_owned(), "b".to_owned()]),
        ]
    );
}
