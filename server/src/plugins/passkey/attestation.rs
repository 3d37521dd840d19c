//! What a passkey registration's attestation object holds: the statement, and the
//! authenticator data with the new credential (its id, its COSE key as the authenticator
//! encoded it, the AAGUID and the flags).

use serde::Deserialize;

/// An attestation object (CBOR): its statement format, the statement, and the
/// authenticator data.
pub(super) struct AttestationObject {
    pub(super) format: String,
    pub(super) statement: serde_cbor_2::Value,
    pub(super) auth_data: Vec<u8>,
}

pub(super) fn attestation_object(bytes: &[u8]) -> Option<AttestationObject> {
    use serde_cbor_2::Value as Cbor;
    let Cbor::Map(mut map) = serde_cbor_2::from_slice::<Cbor>(bytes).ok()? else {
        return None;
    };
    let mut take = |key: &str| map.remove(&Cbor::Text(key.to_owned()));
    let (Some(Cbor::Text(format)), Some(statement), Some(Cbor::Bytes(auth_data))) =
        (take("fmt"), take("attStmt"), take("authData"))
    else {
        return None;
    };
    Some(AttestationObject {
        format,
        statement,
        auth_data,
    })
}

/// Authenticator data with an attested credential: `rpIdHash (32) | flags (1) |
/// signCount (4) | aaguid (16) | idLength (2) | id | COSE key | extensions`.
pub(super) struct AttestedData<'a> {
    pub(super) rp_id_hash: &'a [u8],
    pub(super) flags: u8,
    pub(super) counter: u32,
    pub(super) aaguid: &'a [u8],
    pub(super) credential_id: &'a [u8],
    /// The COSE key exactly as the authenticator encoded it.
    pub(super) public_key: &'a [u8],
}

/// Flag bits of authenticator data.
pub(super) mod flags {
    pub const USER_PRESENT: u8 = 0x01;
    pub const BACKUP_ELIGIBLE: u8 = 0x08;
    pub const BACKED_UP: u8 = 0x10;
    pub const ATTESTED: u8 = 0x40;
}

pub(super) fn attested_data(auth_data: &[u8]) -> Option<AttestedData<'_>> {
    if auth_data.len() < 55 || auth_data[32] & flags::ATTESTED == 0 {
        return None;
    }
    let id_len = u16::from_be_bytes([auth_data[53], auth_data[54]]) as usize;
    let credential_id = auth_data.get(55..55 + id_len)?;
    let rest = auth_data.get(55 + id_len..)?;
    let mut decoder = serde_cbor_2::Deserializer::from_slice(rest);
    serde_cbor_2::Value::deserialize(&mut decoder).ok()?;
    Some(AttestedData {
        rp_id_hash: &auth_data[..32],
        flags: auth_data[32],
        counter: u32::from_be_bytes([auth_data[33], auth_data[34], auth_data[35], auth_data[36]]),
        aaguid: &auth_data[37..53],
        credential_id,
        public_key: &rest[..decoder.byte_offset()],
    })
}

/// The parts of a registration better-auth stores that `webauthn-rs-core` does not hand
/// back: the COSE key exactly as the authenticator encoded it, and the AAGUID.
pub(super) struct AttestedParts {
    pub(super) public_key: Vec<u8>,
    pub(super) aaguid: String,
}

pub(super) fn attested_parts(attestation: &[u8]) -> Option<AttestedParts> {
    let object = attestation_object(attestation)?;
    let data = attested_data(&object.auth_data)?;
    let hex = crate::crypto::hex(data.aaguid);
    let aaguid = format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    Some(AttestedParts {
        public_key: data.public_key.to_vec(),
        aaguid,
    })
}
