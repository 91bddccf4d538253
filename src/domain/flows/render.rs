//! Screen HTML for imported flows. A Descope flow export stores each screen as the flow
//! editor's node tree (`screens[].contents`: `{ROOT: {type: {resolvedName}, props, nodes}, …}`);
//! the Descope static site serves it as `<screenId>.html` made of `descope-*` elements. This
//! renders the same tree to those elements: the IDs (a button's ID is the interaction), the
//! input names (the form keys) and the components' own attributes are kept, so the web
//! component submits what the flow expects. Editor-only properties are dropped; components
//! the emulator does not know are left out (their children are still rendered).

use serde_json::{Map, Value};

/// The deepest node tree rendered (a guard against cycles in a hand-written document).
const MAX_DEPTH: usize = 64;

/// The screen's HTML fragment from its node tree (`contents`), starting at `ROOT`.
pub fn screen_html(contents: &Value) -> String {
    let mut out = String::new();
    if let Some(nodes) = contents.as_object() {
        node(nodes, "ROOT", 0, &mut out);
    }
    out
}

/// The component's name (`type.resolvedName`, or `type` when it is a plain string).
pub fn component_name(node: &Value) -> &str {
    match node.get("type") {
        Some(Value::String(s)) => s,
        Some(t) => t.get("resolvedName").and_then(Value::as_str).unwrap_or_default(),
        None => "",
    }
}

fn node(nodes: &Map<String, Value>, id: &str, depth: usize, out: &mut String) {
    let Some(n) = nodes.get(id) else { return };
    if depth > MAX_DEPTH || n.get("hidden").and_then(Value::as_bool) == Some(true) {
        return;
    }
    let props = n.get("props").and_then(Value::as_object).cloned().unwrap_or_default();
    let name = component_name(n);
    let element = Element::of(name, &props);
    if let Some(e) = &element {
        out.push('<');
        out.push_str(e.tag);
        for (k, v) in &e.attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            out.push_str(&escape(v));
            out.push('"');
        }
        out.push('>');
        if let Some(text) = props.get("children").and_then(Value::as_str) {
            out.push_str(&escape(text));
        }
    }
    let children = n.get("nodes").and_then(Value::as_array).into_iter().flatten();
    let linked = n.get("linkedNodes").and_then(Value::as_object).into_iter().flat_map(|m| m.values());
    for child in children.chain(linked).filter_map(Value::as_str) {
        node(nodes, child, depth + 1, out);
    }
    if let Some(e) = element {
        out.push_str("</");
        out.push_str(e.tag);
        out.push('>');
    }
}

struct Element {
    tag: &'static str,
    attrs: Vec<(String, String)>,
}

/// Properties of the editor that are no attributes of the element.
const EDITOR_ONLY: &[&str] = &[
    "children",
    "data-editor-type",
    "isEnriched",
    "external-input",
    "confirmInputProps",
    "startIconColorText",
    "paddingX",
    "paddingY",
    "spaceBetween",
    "align",
    "justify",
    "background",
    "width",
    "color",
];

impl Element {
    fn of(name: &str, props: &Map<String, Value>) -> Option<Element> {
        let tag = match name {
            "Container" => "descope-container",
            "Text" | "ErrorMessage" | "TOTPLink" => "descope-text",
            "Link" => "descope-link",
            "Divider" => "descope-divider",
            "Image" => "descope-image",
            "TOTPImage" => "descope-totp-image",
            "EmailInput" => "descope-email-field",
            "Password" => "descope-password",
            "NewPassword" => "descope-new-password",
            "Code" | "CodeInput" => "descope-passcode",
            "Phone" | "PhoneInput" => "descope-phone-field",
            "Checkbox" => "descope-checkbox",
            "TextArea" => "descope-text-area",
            "PollingLoader" => {
                if props.get("variant").and_then(Value::as_str) == Some("radial") {
                    "descope-loader-radial"
                } else {
                    "descope-loader-linear"
                }
            }
            n if n.ends_with("Button") => "descope-button",
            n if n.ends_with("Input") => "descope-text-field",
            // No `Logo`: without a project logo the component loads a placeholder from
            // Descope's CDN, and nothing may leave the machine.
            _ => return None,
        };
        let mut attrs: Vec<(String, String)> = Vec::new();
        for (k, v) in props {
            if EDITOR_ONLY.contains(&k.as_str()) {
                continue;
            }
            let value = match v {
                Value::String(s) if s.is_empty() && k != "name" => continue,
                Value::String(s) => s.clone(),
                Value::Bool(true) => "true".into(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            attrs.push((attribute_name(k), value));
        }
        let mut set = |k: &str, v: String| {
            if !attrs.iter().any(|(a, _)| a == k) {
                attrs.push((k.to_owned(), v));
            }
        };
        let prop =
            |k: &str| props.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
        match tag {
            "descope-container" => {
                set("direction", prop("direction").unwrap_or_else(|| "column".into()));
                set("align-items", flex(&prop("align").unwrap_or_else(|| "center".into())));
                set("justify-content", flex(&prop("justify").unwrap_or_else(|| "start".into())));
                set("space", "md".into());
                if prop("paddingX").is_some_and(|p| p != "0") {
                    set("horizontal-padding", "md".into());
                }
                if prop("paddingY").is_some_and(|p| p != "0") {
                    set("vertical-padding", "md".into());
                }
                if prop("width").as_deref() == Some("100%") {
                    set("full-width", "true".into());
                }
            }
            "descope-button" => {
                if let Some(c) = prop("color") {
                    set("mode", c);
                }
                set("data-type", "button".into());
            }
            "descope-text" if name == "ErrorMessage" => {
                set("data-type", "error-message".into());
                set("mode", "error".into());
            }
            "descope-loader-linear" | "descope-loader-radial" => set("data-type", "polling".into()),
            _ => {}
        }
        Some(Element { tag, attrs })
    }
}

/// The attribute an editor property becomes: lower case, camelCase words joined by `-`
/// (`formNoValidate` is the HTML `formnovalidate`).
fn attribute_name(prop: &str) -> String {
    if prop == "formNoValidate" {
        return "formnovalidate".into();
    }
    let mut out = String::with_capacity(prop.len() + 4);
    for (i, c) in prop.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The editor's alignment words as `descope-container` takes them.
fn flex(v: &str) -> String {
    match v {
        "between" => "space-between".into(),
        "around" => "space-around".into(),
        "start" => "flex-start".into(),
        "end" => "flex-end".into(),
        other => other.to_owned(),
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_the_node_tree_with_ids_names_and_escaped_text() {
        let contents = json!({
            "ROOT": {"type": {"resolvedName": "Container"}, "props": {"id": "ROOT", "direction": "column",
                     "paddingX": "4", "data-editor-type": "container"}, "nodes": ["t", "e", "b", "x", "err"]},
            "t": {"type": {"resolvedName": "Text"}, "props": {"id": "t", "children": "Hi <you> {{sentTo.maskedEmail}}",
                  "variant": "h2", "italic": false}},
            "e": {"type": {"resolvedName": "EmailInput"}, "props": {"id": "e", "name": "email", "required": true,
                  "max": 100}},
            "b": {"type": {"resolvedName": "Button"}, "props": {"id": "go", "children": "Go", "color": "primary",
                  "formNoValidate": false}},
            "x": {"type": {"resolvedName": "Mystery"}, "props": {"id": "x"}, "nodes": ["hid"]},
            "hid": {"type": {"resolvedName": "Text"}, "hidden": true, "props": {"children": "secret"}},
            "err": {"type": {"resolvedName": "ErrorMessage"}, "props": {"id": "err"}},
        });
        let html = screen_html(&contents);
        assert!(html.starts_with("<descope-container "), "{html}");
        assert!(html.contains(r#"horizontal-padding="md""#) && !html.contains("data-editor-type"), "{html}");
        assert!(html.contains(">Hi &lt;you&gt; {{sentTo.maskedEmail}}</descope-text>"), "{html}");
        assert!(!html.contains("italic"), "{html}");
        assert!(
            html.contains(r#"<descope-email-field id="e" max="100" name="email" required="true">"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<descope-button id="go" mode="primary" data-type="button">Go</descope-button>"#)
        );
        assert!(!html.contains("secret") && !html.contains("Mystery"), "{html}");
        assert!(html.contains(r#"data-type="error-message""#), "{html}");
        assert!(html.ends_with("</descope-container>"));
    }

    #[test]
    fn no_root_renders_nothing() {
        assert_eq!(screen_html(&json!({})), "");
        assert_eq!(screen_html(&json!([1])), "");
    }
}
