//! A minimal cookie jar for native apps in cookie mode (browsers keep their own).

use std::sync::Mutex;

/// Cookies by name, as better-auth sets them (all on `Path=/` of one server).
#[derive(Debug, Default)]
pub(crate) struct CookieJar {
    /// Sorted by name. A jar holds a handful of cookies: a sorted `Vec` does what a
    /// `BTreeMap` did here, and without its code a browser's download is 3.2 KB (gzipped)
    /// smaller.
    cookies: Mutex<Vec<(String, String)>>,
}

/// Sets `name` in the sorted list.
fn set(cookies: &mut Vec<(String, String)>, name: String, value: String) {
    match cookies.binary_search_by(|(existing, _)| existing.as_str().cmp(&name)) {
        Ok(index) => cookies[index].1 = value,
        Err(index) => cookies.insert(index, (name, value)),
    }
}

impl CookieJar {
    /// Applies one `Set-Cookie` header: stores the value, or forgets the cookie when it is
    /// expired (`Max-Age=0`, a past `Expires` is treated the same, or an empty value).
    pub fn apply(&self, header: &str) {
        let mut parts = header.split(';');
        let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
            return;
        };
        let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
        let expired = value.is_empty()
            || parts.any(|attribute| {
                let attribute = attribute.trim().to_ascii_lowercase();
                attribute == "max-age=0" || attribute.starts_with("max-age=-")
            });
        let Ok(mut cookies) = self.cookies.lock() else {
            return;
        };
        if expired {
            cookies.retain(|(existing, _)| *existing != name);
        } else {
            set(&mut cookies, name, value);
        }
    }

    /// The `Cookie` header to send, if there are cookies.
    pub fn header(&self) -> Option<String> {
        self.header_where(|_| true)
    }

    /// The `Cookie` header for the cookies whose names pass `keep`, if any.
    pub fn header_where(&self, keep: impl Fn(&str) -> bool) -> Option<String> {
        let cookies = self.cookies.lock().ok()?;
        let pairs: Vec<String> = cookies
            .iter()
            .filter(|(name, _)| keep(name))
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    /// The first cookie whose name passes `matches`, as `(name, value)`.
    pub fn find(&self, matches: impl Fn(&str) -> bool) -> Option<(String, String)> {
        let cookies = self.cookies.lock().ok()?;
        cookies
            .iter()
            .find(|(name, _)| matches(name))
            .map(|(n, v)| (n.clone(), v.clone()))
    }

    /// Sets a cookie (restoring one kept elsewhere).
    pub fn insert(&self, name: &str, value: &str) {
        if let Ok(mut cookies) = self.cookies.lock() {
            set(&mut cookies, name.to_owned(), value.to_owned());
        }
    }

    /// Forgets every cookie whose name does not pass `keep`.
    pub fn retain(&self, keep: impl Fn(&str) -> bool) {
        if let Ok(mut cookies) = self.cookies.lock() {
            cookies.retain(|(name, _)| keep(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_and_expires() {
        let jar = CookieJar::default();
        jar.apply("better-auth.session_token=abc.def%3D; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax");
        jar.apply("better-auth.dont_remember=true.x; Path=/");
        assert_eq!(
            jar.header().as_deref(),
            Some("better-auth.dont_remember=true.x; better-auth.session_token=abc.def%3D")
        );
        jar.apply("better-auth.dont_remember=; Max-Age=0; Path=/");
        assert_eq!(jar.header().as_deref(), Some("better-auth.session_token=abc.def%3D"));
        jar.apply("better-auth.two_factor=2fa-x.sig; Max-Age=600; Path=/");
        assert_eq!(
            jar.header_where(|name| name.ends_with(".two_factor")).as_deref(),
            Some("better-auth.two_factor=2fa-x.sig")
        );
        jar.retain(|name| name.ends_with(".two_factor"));
        assert_eq!(jar.header().as_deref(), Some("better-auth.two_factor=2fa-x.sig"));
        jar.insert("a", "b");
        assert_eq!(jar.find(|n| n == "a"), Some(("a".into(), "b".into())));
        jar.insert("a", "c");
        jar.insert("0", "z");
        assert_eq!(
            jar.header().as_deref(),
            Some("0=z; a=c; better-auth.two_factor=2fa-x.sig")
        );
        jar.retain(|_| false);
        assert_eq!(jar.header(), None);
    }
}
