//! Three-way merges of one field that two devices changed since the same
//! version: long texts line by line, lists item by item.

use serde_json::Value;

/// What a merge of one field gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Merged {
    /// Both changes fit together.
    Clean(Value),
    /// Both changed the same part: the value kept and the one set aside.
    Clash { kept: Value, other: Value },
}

/// Long text: the edits of both sides where they do not overlap; on an
/// overlap the server's text stays and the device's is set aside.
pub fn text(ancestor: &Value, server: &Value, device: &Value) -> Merged {
    let ours = server.as_str().unwrap_or_default();
    match diffy::merge(
        ancestor.as_str().unwrap_or_default(),
        ours,
        device.as_str().unwrap_or_default(),
    ) {
        Ok(text) => Merged::Clean(Value::String(text)),
        Err(_) => Merged::Clash {
            kept: server.clone(),
            other: device.clone(),
        },
    }
}

/// An item's identity: its `id` (or `version`), or the item itself (a list of ids).
fn identity(item: &Value) -> Value {
    match item {
        Value::Object(fields) => fields
            .get("id")
            .or_else(|| fields.get("version"))
            .cloned()
            .unwrap_or_else(|| item.clone()),
        _ => item.clone(),
    }
}

fn find<'a>(list: &'a [Value], id: &Value) -> Option<&'a Value> {
    list.iter().find(|item| identity(item) == *id)
}

/// A list of items with ids: items added on either side are both kept (the
/// server's order, then the device's additions), an item removed on one side
/// and untouched on the other goes, an item changed on one side takes that
/// change. Where both changed one item (or one changed what the other
/// removed), the device's later change stands and the server's whole list
/// is set aside, so nothing is lost.
pub fn list(ancestor: &Value, server: &Value, device: &Value) -> Merged {
    let empty = Vec::new();
    let items = |value: &'_ Value| -> Vec<Value> {
        value.as_array().cloned().unwrap_or_else(|| empty.clone())
    };
    let (base, ours, theirs) = (items(ancestor), items(server), items(device));
    let mut clash = false;
    let mut out = Vec::with_capacity(ours.len().max(theirs.len()));
    for item in &ours {
        let id = identity(item);
        let before = find(&base, &id);
        match (before, find(&theirs, &id)) {
            // Added on the server (the device cannot have seen it).
            (None, Some(other)) if other != item => {
                clash = true;
                out.push(other.clone());
            }
            (None, _) => out.push(item.clone()),
            // Removed on the device.
            (Some(before), None) => {
                if before != item {
                    clash = true;
                    out.push(item.clone());
                }
            }
            (Some(before), Some(other)) => {
                if other == before || other == item {
                    out.push(item.clone());
                } else if item == before {
                    out.push(other.clone());
                } else {
                    clash = true;
                    out.push(other.clone());
                }
            }
        }
    }
    for item in &theirs {
        let id = identity(item);
        if find(&ours, &id).is_some() {
            continue;
        }
        match find(&base, &id) {
            // Added on the device.
            None => out.push(item.clone()),
            // Removed on the server, changed on the device: the change stands.
            Some(before) if before != item => {
                clash = true;
                out.push(item.clone());
            }
            Some(_) => {}
        }
    }
    let merged = Value::Array(out);
    if clash {
        Merged::Clash {
            kept: merged,
            other: server.clone(),
        }
    } else {
        Merged::Clean(merged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn task(id: u32, title: &str) -> Value {
        json!({ "id": id.to_string(), "title": title })
    }

    #[test]
    fn items_added_on_both_sides_are_both_kept() {
        let base = json!([task(1, "a")]);
        let server = json!([task(1, "a"), task(2, "b")]);
        let device = json!([task(1, "a"), task(3, "c")]);
        assert_eq!(
            list(&base, &server, &device),
            Merged::Clean(json!([task(1, "a"), task(2, "b"), task(3, "c")]))
        );
    }

    #[test]
    fn a_removal_and_a_change_of_other_items_both_hold() {
        let base = json!([task(1, "a"), task(2, "b")]);
        let server = json!([task(1, "a"), task(2, "B")]);
        let device = json!([task(2, "b")]);
        assert_eq!(
            list(&base, &server, &device),
            Merged::Clean(json!([task(2, "B")]))
        );
    }

    #[test]
    fn one_item_changed_on_both_sides_keeps_the_device_and_sets_the_server_aside() {
        let base = json!([task(1, "a")]);
        let server = json!([task(1, "server")]);
        let device = json!([task(1, "device")]);
        assert_eq!(
            list(&base, &server, &device),
            Merged::Clash {
                kept: json!([task(1, "device")]),
                other: server.clone()
            }
        );
    }

    #[test]
    fn a_removed_item_changed_elsewhere_stays() {
        let base = json!([task(1, "a")]);
        let server = json!([task(1, "changed")]);
        let device = json!([]);
        assert!(
            matches!(list(&base, &server, &device), Merged::Clash { kept, .. } if kept == json!([task(1, "changed")]))
        );
    }

    #[test]
    fn lists_of_ids_merge_as_sets() {
        let base = json!(["m1"]);
        let server = json!(["m1", "m2"]);
        let device = json!(["m3"]);
        assert_eq!(
            list(&base, &server, &device),
            Merged::Clean(json!(["m2", "m3"]))
        );
    }

    #[test]
    fn texts_merge_where_they_do_not_overlap() {
        let base = json!("one\ntwo\nthree\n");
        let server = json!("ONE\ntwo\nthree\n");
        let device = json!("one\ntwo\nTHREE\n");
        assert_eq!(
            text(&base, &server, &device),
            Merged::Clean(json!("ONE\ntwo\nTHREE\n"))
        );
        let clash = text(&base, &json!("x\ntwo\nthree\n"), &json!("y\ntwo\nthree\n"));
        assert!(matches!(clash, Merged::Clash { .. }));
    }
}
