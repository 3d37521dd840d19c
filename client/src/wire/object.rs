//! Reading a JSON object whose known members are named and whose other members are kept
//! in a map (`User::additional`, `Session::additional`, `ErrorBody::details` …).
//!
//! `#[serde(flatten)]` into a `Map` does the same, but buffers every unknown member in
//! serde's private `Content` type and brings a second deserializer for it; an untagged
//! enum buffers the whole object the same way. Reading the object into a `Map` once and
//! taking the known members out of it, each through `serde_json::Value`'s deserializer,
//! compiles to one copy per member type that every object shares (measured: 3,551 B
//! gzipped off the minimal page).

use serde::de::{DeserializeOwned, Error};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// An object's members, read once; the known ones are taken out, the rest kept.
pub(crate) struct Members {
    object: Map<String, Value>,
    /// The names taken: removed from `object` by [`Members::rest`], in one pass that
    /// keeps the others' order (`Map::remove` would reorder them under serde_json's
    /// `preserve_order`).
    taken: Vec<&'static str>,
}

impl Members {
    /// Reads an object (anything else is refused by `Map`'s deserializer).
    pub(crate) fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Map::deserialize(deserializer).map(|object| Self {
            object,
            taken: Vec::new(),
        })
    }

    /// Whether the object has member `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.object.contains_key(name)
    }

    /// A member that must be present.
    pub(crate) fn take<T: DeserializeOwned, E: Error>(&mut self, name: &'static str) -> Result<T, E> {
        self.take_with(name, T::deserialize)
    }

    /// A member that may be absent: its type's default then (`None` for an `Option`, which
    /// also reads `null`).
    pub(crate) fn take_or_default<T: DeserializeOwned + Default, E: Error>(
        &mut self,
        name: &'static str,
    ) -> Result<T, E> {
        match self.remove(name) {
            Some(value) => T::deserialize(value).map_err(|error| member_error(name, &error)),
            None => Ok(T::default()),
        }
    }

    /// A required member read by a `with` module's deserializer (`time::iso`).
    pub(crate) fn take_with<T, E: Error>(
        &mut self,
        name: &'static str,
        read: fn(Value) -> Result<T, serde_json::Error>,
    ) -> Result<T, E> {
        match self.remove(name) {
            Some(value) => read(value).map_err(|error| member_error(name, &error)),
            None => Err(E::missing_field(name)),
        }
    }

    /// The members not taken, read as `T`: what a `#[serde(flatten)]` field receives,
    /// without serde buffering the object a second time.
    pub(crate) fn rest_as<T: DeserializeOwned, E: Error>(self) -> Result<T, E> {
        T::deserialize(Value::Object(self.rest())).map_err(E::custom)
    }

    /// The members not taken, in the map's order (their order on the wire under
    /// serde_json's `preserve_order`).
    pub(crate) fn rest(mut self) -> Map<String, Value> {
        if !self.taken.is_empty() {
            self.object.retain(|name, _| !self.taken.contains(&name.as_str()));
        }
        self.object
    }

    /// Takes member `name`'s value, leaving `null` until [`Members::rest`] removes it.
    #[inline(never)]
    fn remove(&mut self, name: &'static str) -> Option<Value> {
        let value = self.object.get_mut(name)?.take();
        self.taken.push(name);
        Some(value)
    }
}

/// Implements `Deserialize` for a struct built from an object's [`Members`], and
/// `from_members` to build it from members already read (an enum that looks at a member
/// first):
///
/// ```text
/// deserialize_from_members!(User, |members| Self {
///     id: members.take("id")?,
///     additional: members.rest(),
/// });
/// ```
///
/// Every member is then read through `serde_json::Value`'s own deserializer, whatever
/// the outer one: nested objects share one copy of their code.
macro_rules! deserialize_from_members {
    ($ty:ty, |$members:ident| $build:expr) => {
        impl $ty {
            /// Builds the value from an object's members.
            pub(crate) fn from_members<E: serde::de::Error>(
                mut $members: $crate::wire::object::Members,
            ) -> Result<Self, E> {
                Ok($build)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Self::from_members($crate::wire::object::Members::read(deserializer)?)
            }
        }
    };
}
pub(crate) use deserialize_from_members;

/// The error of a member that did not read: its name, then why.
#[cold]
fn member_error<E: Error>(name: &str, error: &serde_json::Error) -> E {
    E::custom(member_message(name, error))
}

/// Not generic, so one copy formats every member's error.
fn member_message(name: &str, error: &serde_json::Error) -> String {
    format!("member `{name}`: {error}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(json: &str) -> Members {
        Members::read(&serde_json::from_str::<Value>(json).expect("json")).expect("an object")
    }

    #[test]
    fn takes_known_members_and_keeps_the_rest() {
        let mut object = members(r#"{"z":1,"id":"u1","a":null,"b":[true]}"#);
        assert!(object.has("id"));
        let id: String = object.take::<_, serde_json::Error>("id").expect("id");
        assert_eq!(id, "u1");
        let absent: Option<String> = object.take_or_default::<_, serde_json::Error>("image").expect("absent");
        assert_eq!(absent, None);
        let null: Option<String> = object.take_or_default::<_, serde_json::Error>("a").expect("null");
        assert_eq!(null, None);
        let rest = object.rest();
        let mut names: Vec<_> = rest.keys().collect();
        names.sort();
        assert_eq!(names, ["b", "z"]);
    }

    #[test]
    fn missing_and_mistyped_members_are_named() {
        let mut object = members(r#"{"id":7}"#);
        let missing = object.take::<String, serde_json::Error>("name").expect_err("missing");
        assert_eq!(missing.to_string(), "missing field `name`");
        let mistyped = object.take::<String, serde_json::Error>("id").expect_err("mistyped");
        assert_eq!(
            mistyped.to_string(),
            "member `id`: invalid type: integer `7`, expected a string"
        );
        assert!(Members::read(&Value::from("text")).is_err());
    }

    #[test]
    fn a_flattened_struct_gets_the_members_its_container_did_not_take() {
        use crate::wire::organization::{CreatedOrganization, FullOrganization};
        let organization =
            r#""id":"o1","name":"Acme","slug":"acme","logo":null,"createdAt":"2026-12-04T10:00:00.000Z""#;
        let created: CreatedOrganization =
            serde_json::from_str(&format!(r#"{{{organization},"members":[]}}"#)).expect("created");
        assert_eq!((created.organization.id.as_str(), created.members.len()), ("o1", 0));
        let full: FullOrganization =
            serde_json::from_str(&format!(r#"{{"invitations":[],{organization},"members":[]}}"#)).expect("full");
        assert_eq!((full.organization.slug.as_str(), full.teams), ("acme", None));
        let error = serde_json::from_str::<FullOrganization>(&format!(r#"{{{organization},"members":[]}}"#))
            .expect_err("invitations are required");
        assert!(error.to_string().contains("invitations"), "{error}");
        let error = serde_json::from_str::<CreatedOrganization>(r#"{"id":"o1","members":[]}"#).expect_err("no name");
        assert!(error.to_string().contains("name"), "{error}");
    }

    #[test]
    fn outcomes_are_told_apart_by_a_member() {
        use crate::wire::{PhoneSignInOutcome, SocialSignInOutcome};
        let user = r#"{"id":"u1","name":"Ada","email":"ada@example.com","emailVerified":false,"image":null,"createdAt":"2026-12-04T10:00:00.000Z","updatedAt":"2026-12-04T10:00:00.000Z"}"#;
        let challenge: PhoneSignInOutcome =
            serde_json::from_str(r#"{"twoFactorRedirect":true,"twoFactorMethods":["otp"]}"#).expect("challenge");
        assert!(matches!(challenge, PhoneSignInOutcome::TwoFactorRequired(ref r) if r.two_factor_methods == ["otp"]));
        let signed_in: PhoneSignInOutcome =
            serde_json::from_str(&format!(r#"{{"token":"t1","user":{user}}}"#)).expect("signed in");
        assert_eq!(signed_in.signed_in().map(|r| r.user.id.as_str()), Some("u1"));
        let redirect: SocialSignInOutcome =
            serde_json::from_str(r#"{"url":"https://idp.example/authorize","redirect":true}"#).expect("redirect");
        assert!(matches!(redirect, SocialSignInOutcome::Redirect(ref r) if r.redirect));
        let signed_in: SocialSignInOutcome =
            serde_json::from_str(&format!(r#"{{"redirect":false,"token":"t1","user":{user}}}"#)).expect("id token");
        assert!(matches!(signed_in, SocialSignInOutcome::SignedIn(ref r) if r.user.email == "ada@example.com"));
        assert!(serde_json::from_str::<SocialSignInOutcome>(r#"{"redirect":true}"#).is_err());
    }
}
