//! Ed25519 (COSE `-8`) passkeys, which `webauthn-rs-core` 0.6 cannot load: the key is read
//! with `coset`, the W3C registration and assertion checks run here over the client data,
//! the attestation object and the authenticator data (as SimpleWebAuthn runs them), and
//! signatures are checked with `ed25519-dalek`. A registration's attestation may be `none`
//! (what browsers send when the options ask for none, as better-auth's and Keyward's do)
//! or `packed` self-attestation (signed with the new key); a statement signed by an
//! attestation certificate (`packed` with `x5c`, `tpm`, …) is refused.

use coset::{CborSerializable, CoseKey, KeyType, Label, iana};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::Deserialize;
use serde_cbor_2::Value as Cbor;
use url::Url;
use webauthn_rs_core::proto::origin::origins_match;
use webauthn_rs_core::proto::{PublicKeyCredential, RegisterPublicKeyCredential};

use super::attestation::{attestation_object, attested_data, flags};
use super::ceremony::Registered;
use crate::crypto::{base64url, sha256};

/// Why a registration or an assertion was refused.
#[derive(Debug)]
pub(super) enum Refusal {
    CredentialId,
    ClientData,
    Challenge,
    Origin,
    AttestationObject,
    AuthenticatorData,
    UserNotPresent,
    BackupState,
    Key,
    AttestationStatement,
    Counter,
    Signature,
}

/// What the client data and authenticator data must match.
pub(super) struct Expected<'a> {
    pub challenge: &'a str,
    pub origins: &'a [Url],
    pub rp_id: &'a str,
    /// The counter stored with the passkey (0 when registering).
    pub stored_counter: u32,
}

#[derive(Deserialize)]
struct ClientData {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    origin: String,
}

/// The client data is of `ceremony`, for the expected challenge, from an allowed origin.
fn check_client_data(bytes: &[u8], ceremony: &str, expected: &Expected<'_>) -> Result<(), Refusal> {
    let client_data: ClientData = serde_json::from_slice(bytes).map_err(|_| Refusal::ClientData)?;
    if client_data.kind != ceremony {
        return Err(Refusal::ClientData);
    }
    if client_data.challenge.trim_end_matches('=') != expected.challenge {
        return Err(Refusal::Challenge);
    }
    let origin = Url::parse(&client_data.origin).map_err(|_| Refusal::Origin)?;
    let same = |allowed: &Url| origins_match(false, false, &origin, allowed);
    if !expected.origins.iter().any(same) {
        return Err(Refusal::Origin);
    }
    Ok(())
}

/// The verifying key of a stored (standard base64) COSE key, if it is an Ed25519 one.
pub(super) fn public_key(stored: &str) -> Option<VerifyingKey> {
    key_from_cose(&crate::crypto::decode_base64_any(stored)?)
}

/// The verifying key of a COSE key, if it is an Ed25519 one (`kty` OKP, `crv` Ed25519).
pub(super) fn key_from_cose(bytes: &[u8]) -> Option<VerifyingKey> {
    let key = CoseKey::from_slice(bytes).ok()?;
    if key.kty != KeyType::Assigned(iana::KeyType::OKP) {
        return None;
    }
    let param = |label: iana::OkpKeyParameter| {
        key.params
            .iter()
            .find(|(l, _)| *l == Label::Int(label as i64))
            .map(|(_, value)| value)
    };
    let curve = param(iana::OkpKeyParameter::Crv)?.as_integer()?;
    if curve != (iana::EllipticCurve::Ed25519 as i64).into() {
        return None;
    }
    let x = param(iana::OkpKeyParameter::X)?.as_bytes()?;
    VerifyingKey::from_bytes(x.as_slice().try_into().ok()?).ok()
}

/// Whether a COSE key names EdDSA (`alg` -8), as a new credential's key must.
fn declares_eddsa(bytes: &[u8]) -> bool {
    CoseKey::from_slice(bytes).is_ok_and(|key| key.alg == Some(coset::Algorithm::Assigned(iana::Algorithm::EdDSA)))
}

/// The attestation statement holds for the new credential's `key`.
fn check_statement(
    format: &str,
    statement: &Cbor,
    key: &VerifyingKey,
    auth_data: &[u8],
    client_data: &[u8],
) -> Result<(), Refusal> {
    let Cbor::Map(statement) = statement else {
        return Err(Refusal::AttestationStatement);
    };
    match format {
        "none" if statement.is_empty() => Ok(()),
        "packed" => {
            let field = |name: &str| statement.get(&Cbor::Text(name.to_owned()));
            if field("x5c").is_some() || field("alg") != Some(&Cbor::Integer(iana::Algorithm::EdDSA as i128)) {
                return Err(Refusal::AttestationStatement);
            }
            let Some(Cbor::Bytes(signature)) = field("sig") else {
                return Err(Refusal::AttestationStatement);
            };
            let signature = Signature::from_slice(signature).map_err(|_| Refusal::Signature)?;
            let mut signed = auth_data.to_vec();
            signed.extend_from_slice(&sha256(client_data));
            key.verify(&signed, &signature).map_err(|_| Refusal::Signature)
        }
        _ => Err(Refusal::AttestationStatement),
    }
}

/// Checks a registration of an Ed25519 credential.
pub(super) fn verify_registration(
    credential: &RegisterPublicKeyCredential,
    expected: &Expected<'_>,
) -> Result<Registered, Refusal> {
    if credential.type_ != "public-key" || credential.id.trim_end_matches('=') != base64url(&credential.raw_id) {
        return Err(Refusal::CredentialId);
    }
    let response = &credential.response;
    check_client_data(&response.client_data_json, "webauthn.create", expected)?;
    let object = attestation_object(&response.attestation_object).ok_or(Refusal::AttestationObject)?;
    let data = attested_data(&object.auth_data).ok_or(Refusal::AuthenticatorData)?;
    if data.rp_id_hash != sha256(expected.rp_id.as_bytes()) {
        return Err(Refusal::AuthenticatorData);
    }
    if data.flags & flags::USER_PRESENT == 0 {
        return Err(Refusal::UserNotPresent);
    }
    let backup_eligible = data.flags & flags::BACKUP_ELIGIBLE != 0;
    let backup_state = data.flags & flags::BACKED_UP != 0;
    if backup_state && !backup_eligible {
        return Err(Refusal::BackupState);
    }
    let key = key_from_cose(data.public_key)
        .filter(|_| declares_eddsa(data.public_key))
        .ok_or(Refusal::Key)?;
    check_statement(
        &object.format,
        &object.statement,
        &key,
        &object.auth_data,
        &response.client_data_json,
    )?;
    Ok(Registered {
        credential_id: data.credential_id.to_vec(),
        counter: data.counter,
        backup_eligible,
        backup_state,
    })
}

/// Checks an assertion; returns the new counter and backup state.
pub(super) fn verify(
    key: &VerifyingKey,
    credential: &PublicKeyCredential,
    expected: &Expected<'_>,
) -> Result<(u32, bool), Refusal> {
    let response = &credential.response;
    check_client_data(&response.client_data_json, "webauthn.get", expected)?;
    // rpIdHash (32) | flags (1) | signCount (4) | …
    let data = &response.authenticator_data;
    if data.len() < 37 || data[..32] != sha256(expected.rp_id.as_bytes()) {
        return Err(Refusal::AuthenticatorData);
    }
    let flag_bits = data[32];
    if flag_bits & flags::USER_PRESENT == 0 {
        return Err(Refusal::UserNotPresent);
    }
    let counter = u32::from_be_bytes([data[33], data[34], data[35], data[36]]);
    if (counter > 0 || expected.stored_counter > 0) && counter <= expected.stored_counter {
        return Err(Refusal::Counter);
    }
    let signature = Signature::from_slice(&response.signature).map_err(|_| Refusal::Signature)?;
    let mut signed = data.clone();
    signed.extend_from_slice(&sha256(&response.client_data_json));
    key.verify(&signed, &signature).map_err(|_| Refusal::Signature)?;
    Ok((counter, flag_bits & flags::BACKED_UP != 0))
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::{Signer, SigningKey};
    use serde_cbor_2::Value as Cbor;
    use serde_json::json;
    use url::Url;
    use webauthn_rs_core::proto::RegisterPublicKeyCredential;

    use super::{Expected, Refusal, verify_registration};
    use crate::crypto::{base64url, sha256};

    const ORIGIN: &str = "http://localhost:3000";
    const CHALLENGE: &str = "c2lnbi1tZS1wbGVhc2U";
    const CREDENTIAL_ID: [u8; 16] = [9; 16];

    fn signing_key() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    /// The COSE key of `key` (OKP, `alg` as given, Ed25519).
    fn cose_key(key: &SigningKey, alg: i128) -> Vec<u8> {
        let map = [
            (Cbor::Integer(1), Cbor::Integer(1)),
            (Cbor::Integer(3), Cbor::Integer(alg)),
            (Cbor::Integer(-1), Cbor::Integer(6)),
            (Cbor::Integer(-2), Cbor::Bytes(key.verifying_key().to_bytes().to_vec())),
        ];
        serde_cbor_2::to_vec(&Cbor::Map(map.into_iter().collect())).expect("cbor")
    }

    fn auth_data(rp_id: &str, flags: u8, key: &[u8]) -> Vec<u8> {
        let mut data = sha256(rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&5u32.to_be_bytes());
        data.extend_from_slice(&[0; 16]);
        data.extend_from_slice(&(CREDENTIAL_ID.len() as u16).to_be_bytes());
        data.extend_from_slice(&CREDENTIAL_ID);
        data.extend_from_slice(key);
        data
    }

    fn client_data(challenge: &str, origin: &str) -> Vec<u8> {
        json!({"type": "webauthn.create", "challenge": challenge, "origin": origin})
            .to_string()
            .into_bytes()
    }

    fn credential(
        format: &str,
        statement: Cbor,
        auth_data: Vec<u8>,
        client_data: &[u8],
    ) -> RegisterPublicKeyCredential {
        let object = [
            (Cbor::Text("fmt".into()), Cbor::Text(format.into())),
            (Cbor::Text("attStmt".into()), statement),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ];
        let object = serde_cbor_2::to_vec(&Cbor::Map(object.into_iter().collect())).expect("cbor");
        serde_json::from_value(json!({
            "id": base64url(&CREDENTIAL_ID),
            "rawId": base64url(&CREDENTIAL_ID),
            "type": "public-key",
            "response": {
                "clientDataJSON": base64url(client_data),
                "attestationObject": base64url(&object),
            },
        }))
        .expect("credential")
    }

    fn none_statement() -> Cbor {
        Cbor::Map(Default::default())
    }

    /// A `packed` self-attestation: `signer` signs `authData || SHA-256(clientDataJSON)`.
    fn packed(signer: &SigningKey, auth_data: &[u8], client_data: &[u8], extra: Option<(&str, Cbor)>) -> Cbor {
        let mut signed = auth_data.to_vec();
        signed.extend_from_slice(&sha256(client_data));
        let mut map: std::collections::BTreeMap<Cbor, Cbor> = [
            (Cbor::Text("alg".into()), Cbor::Integer(-8)),
            (
                Cbor::Text("sig".into()),
                Cbor::Bytes(signer.sign(&signed).to_bytes().to_vec()),
            ),
        ]
        .into_iter()
        .collect();
        if let Some((name, value)) = extra {
            map.insert(Cbor::Text(name.into()), value);
        }
        Cbor::Map(map)
    }

    fn check(credential: &RegisterPublicKeyCredential) -> Result<super::Registered, Refusal> {
        let origins = [Url::parse(ORIGIN).expect("url")];
        let expected = Expected {
            challenge: CHALLENGE,
            origins: &origins,
            rp_id: "localhost",
            stored_counter: 0,
        };
        verify_registration(credential, &expected)
    }

    #[test]
    fn none_and_packed_self_attestation_register() {
        let key = signing_key();
        let data = auth_data("localhost", 0x45 | 0x08, &cose_key(&key, -8));
        let client = client_data(CHALLENGE, ORIGIN);
        let registered = check(&credential("none", none_statement(), data.clone(), &client)).expect("none");
        assert_eq!(registered.credential_id, CREDENTIAL_ID);
        assert_eq!(registered.counter, 5);
        assert!(registered.backup_eligible && !registered.backup_state);
        let statement = packed(&key, &data, &client, None);
        check(&credential("packed", statement, data, &client)).expect("packed self-attestation");
    }

    #[test]
    fn refuses_what_does_not_verify() {
        let key = signing_key();
        let other = SigningKey::from_bytes(&[8; 32]);
        let good = auth_data("localhost", 0x45, &cose_key(&key, -8));
        let client = client_data(CHALLENGE, ORIGIN);
        let refusal = |credential: RegisterPublicKeyCredential| check(&credential).err().expect("refused");

        let forged = packed(&other, &good, &client, None);
        assert!(matches!(
            refusal(credential("packed", forged, good.clone(), &client)),
            Refusal::Signature
        ));
        let certified = packed(
            &key,
            &good,
            &client,
            Some(("x5c", Cbor::Array(vec![Cbor::Bytes(vec![1])]))),
        );
        assert!(matches!(
            refusal(credential("packed", certified, good.clone(), &client)),
            Refusal::AttestationStatement
        ));
        assert!(matches!(
            refusal(credential("tpm", none_statement(), good.clone(), &client)),
            Refusal::AttestationStatement
        ));
        let stated = Cbor::Map(
            [(Cbor::Text("sig".into()), Cbor::Bytes(vec![0; 64]))]
                .into_iter()
                .collect(),
        );
        assert!(matches!(
            refusal(credential("none", stated, good.clone(), &client)),
            Refusal::AttestationStatement
        ));
        let elsewhere = auth_data("example.com", 0x45, &cose_key(&key, -8));
        assert!(matches!(
            refusal(credential("none", none_statement(), elsewhere, &client)),
            Refusal::AuthenticatorData
        ));
        let absent = auth_data("localhost", 0x44, &cose_key(&key, -8));
        assert!(matches!(
            refusal(credential("none", none_statement(), absent, &client)),
            Refusal::UserNotPresent
        ));
        let backed_up_only = auth_data("localhost", 0x45 | 0x10, &cose_key(&key, -8));
        assert!(matches!(
            refusal(credential("none", none_statement(), backed_up_only, &client)),
            Refusal::BackupState
        ));
        let mislabelled = auth_data("localhost", 0x45, &cose_key(&key, -7));
        assert!(matches!(
            refusal(credential("none", none_statement(), mislabelled, &client)),
            Refusal::Key
        ));
        let stale = client_data("b3RoZXItY2hhbGxlbmdl", ORIGIN);
        assert!(matches!(
            refusal(credential("none", none_statement(), good.clone(), &stale)),
            Refusal::Challenge
        ));
        let foreign = client_data(CHALLENGE, "http://localhost:1");
        assert!(matches!(
            refusal(credential("none", none_statement(), good.clone(), &foreign)),
            Refusal::Origin
        ));
        let assertion = json!({"type": "webauthn.get", "challenge": CHALLENGE, "origin": ORIGIN}).to_string();
        assert!(matches!(
            refusal(credential("none", none_statement(), good, assertion.as_bytes())),
            Refusal::ClientData
        ));
    }
}
