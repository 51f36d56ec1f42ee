//! Reading one cookie out of a `Cookie` header or `document.cookie`, on the
//! server and in the browser alike.

/// The value of cookie `name`, if it is there and not empty.
pub fn value<'a>(cookies: &'a str, name: &str) -> Option<&'a str> {
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}
