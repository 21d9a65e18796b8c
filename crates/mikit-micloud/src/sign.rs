//! Request signing for `*.api.io.mi.com/app`, both schemes, client and server side.
//!
//! All functions here are pure: the caller passes the nonce (or its parts), the clock and
//! the secret. The algorithms follow reference §3 (sources: micloud `micloud/micloud.py`
//! `gen_signature`/`generate_enc_params`, openHAB `CloudUtil.generateSignature`,
//! XGW3 `core/xiaomi_cloud.py request`, hass-xiaomi-miot `core/xiaomi_cloud.py`), and are
//! checked bit for bit against both vector sets of `fixtures/mi-cloud/vectors.json`.
//!
//! ```text
//! nonce        = random(8) ‖ be32(unix_ms / 60000)
//! signed_nonce = b64(SHA256(b64decode(ssecurity) ‖ nonce))
//! legacy       : signature = b64(HMAC_SHA256(b64decode(signed_nonce), path&signed_nonce&nonce&data=<json>))
//! rc4          : rc4_hash__ = sha1sig(data); encrypt data and rc4_hash__; signature = sha1sig(encrypted)
//! ```

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use mikit_core::Secret;

use crate::Error;
use crate::crypto::{b64, b64_decode, constant_time_eq, hmac_sha256, rc4_drop1024, sha1, sha256};

/// The 12-byte request nonce: 8 random bytes and the big-endian minute counter.
///
/// A nonce decoded from a request may carry a minute counter of 1 to 8 bytes (micloud
/// writes it with minimal length; reference §9 "nonce minute width").
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Nonce {
    bytes: Vec<u8>,
}

impl Nonce {
    /// A nonce from its parts (always the 4-byte minute form every current client sends).
    pub fn from_parts(random: [u8; 8], minute: u32) -> Self {
        let mut bytes = Vec::with_capacity(12);
        bytes.extend_from_slice(&random);
        bytes.extend_from_slice(&minute.to_be_bytes());
        Self { bytes }
    }

    /// A fresh nonce for `now`, with 8 bytes from [`random_bytes`].
    ///
    /// The nonce is sent in the clear: it needs to be unique, not secret.
    pub fn generate(now: SystemTime) -> Self {
        let minute = u32::try_from(unix_minute(now)).unwrap_or(u32::MAX);
        Self::from_parts(random_bytes(), minute)
    }

    /// Decode the `_nonce` form field (9 to 16 bytes).
    pub fn from_b64(text: &str) -> Result<Self, Error> {
        Self::from_bytes(b64_decode(text, "_nonce")?)
    }

    /// A nonce from raw bytes (9 to 16 bytes).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, Error> {
        if !(9..=16).contains(&bytes.len()) {
            return Err(Error::BadNonce { len: bytes.len() });
        }
        Ok(Self { bytes })
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The base64 text sent as `_nonce`.
    pub fn to_b64(&self) -> String {
        b64(&self.bytes)
    }

    /// The minute counter (big-endian bytes after the first 8).
    pub fn minute(&self) -> u64 {
        self.bytes[8..]
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
    }
}

/// Minutes since the Unix epoch (`floor(unix_ms / 60000)`); 0 before 1970.
pub fn unix_minute(now: SystemTime) -> u64 {
    now.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() / 60)
        .unwrap_or(0)
}

/// Eight unpredictable-enough bytes for a nonce or a device id.
///
/// Uses the standard library's per-process random SipHash keys (seeded from the OS) over a
/// counter and the clock, so no RNG crate is needed: nonces must be unique, not secret.
pub fn random_bytes() -> [u8; 8] {
    use std::hash::{BuildHasher as _, Hasher as _};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.write_u128(nanos);
    h.finish().to_be_bytes()
}

/// `signed_nonce = SHA256(b64decode(ssecurity) ‖ nonce)`, the per-request key.
///
/// `Debug` hides it: it decrypts the request and its response.
#[derive(Clone)]
pub struct SignedNonce {
    key: [u8; 32],
    text: String,
}

impl SignedNonce {
    /// Derive from the base64 `ssecurity` and the nonce.
    pub fn derive(ssecurity: &Secret, nonce: &Nonce) -> Result<Self, Error> {
        let sec = b64_decode(ssecurity.expose(), "ssecurity")?;
        let key = sha256(&[&sec, nonce.as_bytes()]);
        Ok(Self {
            key,
            text: b64(&key),
        })
    }

    /// The base64 text (part of every signature message).
    pub fn as_b64(&self) -> &str {
        &self.text
    }

    /// The 32 raw bytes (the RC4 and HMAC key).
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }

    /// RC4-drop-1024 under this key, base64 of the result.
    pub fn encrypt(&self, plain: &[u8]) -> String {
        // Invariant: a 32-byte key is always accepted by RC4 (1..=256 bytes).
        b64(&rc4_drop1024(&self.key, plain).expect("32-byte RC4 key"))
    }

    /// Base64-decode then RC4-drop-1024 under this key.
    pub fn decrypt(&self, text: &str, field: &'static str) -> Result<Vec<u8>, Error> {
        rc4_drop1024(&self.key, &b64_decode(text, field)?)
    }
}

impl std::fmt::Debug for SignedNonce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignedNonce(***)")
    }
}

/// The two signing schemes in use (reference §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// RC4-encrypted parameters and body, SHA-1 signatures (`MIOT-ENCRYPT-ALGORITHM: ENCRYPT-RC4`).
    #[default]
    Rc4,
    /// Plaintext parameters, HMAC-SHA256 signature.
    Legacy,
}

impl Scheme {
    fn name(self) -> &'static str {
        match self {
            Scheme::Rc4 => "rc4",
            Scheme::Legacy => "legacy",
        }
    }
}

/// `sha1sig`: `b64(SHA1(METHOD & path & k=v… & signed_nonce))`, params in the given order.
pub fn sha1_signature(
    method: &str,
    path: &str,
    params: &[(&str, &str)],
    signed_nonce: &SignedNonce,
) -> String {
    let mut msg = String::with_capacity(
        64 + params
            .iter()
            .map(|(k, v)| k.len() + v.len() + 2)
            .sum::<usize>(),
    );
    msg.push_str(&method.to_ascii_uppercase());
    msg.push('&');
    msg.push_str(path);
    for (k, v) in params {
        msg.push('&');
        msg.push_str(k);
        msg.push('=');
        msg.push_str(v);
    }
    msg.push('&');
    msg.push_str(signed_nonce.as_b64());
    b64(&sha1(msg.as_bytes()))
}

/// The legacy message `path & signed_nonce & nonce & k=v…` (params sorted by key).
pub fn legacy_message(
    path: &str,
    signed_nonce: &SignedNonce,
    nonce: &Nonce,
    params: &[(&str, &str)],
) -> String {
    let mut sorted: Vec<&(&str, &str)> = params.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut msg = format!("{path}&{}&{}", signed_nonce.as_b64(), nonce.to_b64());
    for (k, v) in sorted {
        msg.push('&');
        msg.push_str(k);
        msg.push('=');
        msg.push_str(v);
    }
    msg
}

/// The legacy signature `b64(HMAC_SHA256(b64decode(signed_nonce), legacy_message))`.
pub fn legacy_signature(
    path: &str,
    signed_nonce: &SignedNonce,
    nonce: &Nonce,
    params: &[(&str, &str)],
) -> String {
    let msg = legacy_message(path, signed_nonce, nonce, params);
    b64(&hmac_sha256(signed_nonce.key(), msg.as_bytes()))
}

/// A request ready to send: the form fields in order and the key for its reply.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    /// The scheme used.
    pub scheme: Scheme,
    /// Form (or query) fields in sending order. For RC4 they are ciphertext; `ssecurity`
    /// appears only when asked for.
    pub form: Vec<(String, Secret<String>)>,
    /// The key of this request (decrypts its RC4 reply).
    pub signed_nonce: SignedNonce,
}

impl SignedRequest {
    /// The value of a form field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.expose().as_str())
    }

    /// The fields as plain pairs, for the HTTP layer.
    pub fn pairs(&self) -> Vec<(&str, &str)> {
        self.form
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose().as_str()))
            .collect()
    }
}

/// Sign `data` for `path` (without `/app`) with the RC4 scheme.
///
/// `include_ssecurity` adds the `ssecurity` field as micloud and the token extractor do;
/// XGW3 omits it and the server does not need it (reference §9).
pub fn sign_rc4(
    method: &str,
    path: &str,
    data: &str,
    ssecurity: &Secret,
    nonce: &Nonce,
    include_ssecurity: bool,
) -> Result<SignedRequest, Error> {
    let sn = SignedNonce::derive(ssecurity, nonce)?;
    let hash_plain = sha1_signature(method, path, &[("data", data)], &sn);
    let data_enc = sn.encrypt(data.as_bytes());
    let hash_enc = sn.encrypt(hash_plain.as_bytes());
    let signature = sha1_signature(
        method,
        path,
        &[("data", &data_enc), ("rc4_hash__", &hash_enc)],
        &sn,
    );
    let mut form = vec![
        ("data".to_owned(), Secret::new(data_enc)),
        ("rc4_hash__".to_owned(), Secret::new(hash_enc)),
        ("signature".to_owned(), Secret::new(signature)),
    ];
    if include_ssecurity {
        form.push(("ssecurity".to_owned(), ssecurity.clone()));
    }
    form.push(("_nonce".to_owned(), Secret::new(nonce.to_b64())));
    Ok(SignedRequest {
        scheme: Scheme::Rc4,
        form,
        signed_nonce: sn,
    })
}

/// Sign `data` for `path` (without `/app`) with the legacy HMAC scheme.
pub fn sign_legacy(
    path: &str,
    data: &str,
    ssecurity: &Secret,
    nonce: &Nonce,
) -> Result<SignedRequest, Error> {
    let sn = SignedNonce::derive(ssecurity, nonce)?;
    let signature = legacy_signature(path, &sn, nonce, &[("data", data)]);
    Ok(SignedRequest {
        scheme: Scheme::Legacy,
        form: vec![
            ("signature".to_owned(), Secret::new(signature)),
            ("_nonce".to_owned(), Secret::new(nonce.to_b64())),
            ("data".to_owned(), Secret::new(data.to_owned())),
        ],
        signed_nonce: sn,
    })
}

/// Decode a reply body: plaintext JSON is returned as is (error bodies are often not
/// encrypted, reference §3 / hass-xiaomi-miot), anything else is base64 RC4 under the
/// request's signed nonce.
pub fn decode_reply(body: &[u8], signed_nonce: &SignedNonce) -> Result<Vec<u8>, Error> {
    let trimmed = body.trim_ascii();
    if trimmed.first() == Some(&b'{') || trimmed.first() == Some(&b'[') {
        return Ok(trimmed.to_vec());
    }
    let text = std::str::from_utf8(trimmed).map_err(|_| Error::BadBase64 { field: "body" })?;
    signed_nonce.decrypt(text, "body")
}

/// The STS `clientSign`: `b64(SHA1("nonce=" + nonce + "&" + ssecurity))` (reference §2.1
/// step 3, Yonsm/MiService; vectors.json set2.sts_clientSign).
pub fn client_sign(nonce: &str, ssecurity: &Secret) -> String {
    b64(&sha1(
        format!("nonce={nonce}&{}", ssecurity.expose()).as_bytes(),
    ))
}

// ---------------------------------------------------------------------------------------
// Server side (for the emulator): reference §3.1.

/// Read access to the fields of a received form.
pub trait FormFields {
    /// The value of `name`, if present.
    fn field(&self, name: &str) -> Option<&str>;
    /// Every (name, value) pair.
    fn all(&self) -> Vec<(&str, &str)>;
}

impl FormFields for HashMap<String, String> {
    fn field(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
    fn all(&self) -> Vec<(&str, &str)> {
        self.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

impl FormFields for BTreeMap<String, String> {
    fn field(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
    fn all(&self) -> Vec<(&str, &str)> {
        self.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

impl FormFields for [(String, String)] {
    fn field(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn all(&self) -> Vec<(&str, &str)> {
        self.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

impl FormFields for Vec<(String, String)> {
    fn field(&self, name: &str) -> Option<&str> {
        self.as_slice().field(name)
    }
    fn all(&self) -> Vec<(&str, &str)> {
        self.as_slice().all()
    }
}

/// A request whose signature checked out.
#[derive(Debug, Clone)]
pub struct VerifiedRequest {
    /// The scheme the client used (chosen by the presence of `rc4_hash__`).
    pub scheme: Scheme,
    /// The plaintext `data` field (decrypted for RC4).
    pub data: String,
    /// The request nonce.
    pub nonce: Nonce,
    /// The key for the reply ([`encrypt_reply`]).
    pub signed_nonce: SignedNonce,
}

/// Check that a nonce's minute is within `window` minutes of `now_minute`.
pub fn check_nonce_fresh(nonce: &Nonce, now_minute: u64, window: u64) -> Result<(), Error> {
    let nonce_minute = nonce.minute();
    if nonce_minute.abs_diff(now_minute) > window {
        return Err(Error::StaleNonce {
            nonce_minute,
            now_minute,
            window,
        });
    }
    Ok(())
}

/// Verify a signed request as the server does (reference §3.1); `path` is without `/app`.
///
/// Does not check the nonce's age: call [`check_nonce_fresh`] with the server's clock.
pub fn verify_request<F: FormFields + ?Sized>(
    method: &str,
    path: &str,
    form: &F,
    ssecurity: &Secret,
) -> Result<VerifiedRequest, Error> {
    let nonce = Nonce::from_b64(
        form.field("_nonce")
            .ok_or(Error::MissingField { field: "_nonce" })?,
    )?;
    let sn = SignedNonce::derive(ssecurity, &nonce)?;
    let signature = form
        .field("signature")
        .ok_or(Error::MissingField { field: "signature" })?;
    let data_field = form
        .field("data")
        .ok_or(Error::MissingField { field: "data" })?;
    if let Some(hash_enc) = form.field("rc4_hash__") {
        let expected = sha1_signature(
            method,
            path,
            &[("data", data_field), ("rc4_hash__", hash_enc)],
            &sn,
        );
        if !constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
            return Err(Error::SignatureMismatch {
                scheme: Scheme::Rc4.name(),
            });
        }
        let data = String::from_utf8(sn.decrypt(data_field, "data")?)
            .map_err(|_| Error::BadUtf8 { field: "data" })?;
        let hash = sn.decrypt(hash_enc, "rc4_hash__")?;
        let expected_hash = sha1_signature(method, path, &[("data", &data)], &sn);
        if !constant_time_eq(expected_hash.as_bytes(), &hash) {
            return Err(Error::Rc4HashMismatch);
        }
        Ok(VerifiedRequest {
            scheme: Scheme::Rc4,
            data,
            nonce,
            signed_nonce: sn,
        })
    } else {
        let params: Vec<(&str, &str)> = form
            .all()
            .into_iter()
            .filter(|(k, _)| *k != "signature" && *k != "_nonce")
            .collect();
        let expected = legacy_signature(path, &sn, &nonce, &params);
        if !constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
            return Err(Error::SignatureMismatch {
                scheme: Scheme::Legacy.name(),
            });
        }
        Ok(VerifiedRequest {
            scheme: Scheme::Legacy,
            data: data_field.to_owned(),
            nonce,
            signed_nonce: sn,
        })
    }
}

/// The reply body for a verified request: base64 RC4 for the RC4 scheme, the plaintext
/// JSON for the legacy scheme.
pub fn encrypt_reply(request: &VerifiedRequest, plain_json: &str) -> String {
    match request.scheme {
        Scheme::Rc4 => request.signed_nonce.encrypt(plain_json.as_bytes()),
        Scheme::Legacy => plain_json.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_parts_and_minute() {
        let n = Nonce::from_parts([1; 8], 0x01ba_8140);
        assert_eq!(n.as_bytes().len(), 12);
        assert_eq!(n.minute(), 29_000_000);
        let short = Nonce::from_bytes(vec![0, 0, 0, 0, 0, 0, 0, 0, 7]).unwrap();
        assert_eq!(short.minute(), 7);
        assert!(matches!(
            Nonce::from_bytes(vec![0; 8]),
            Err(Error::BadNonce { len: 8 })
        ));
        assert!(Nonce::from_bytes(vec![0; 17]).is_err());
    }

    #[test]
    fn generated_nonces_differ_and_carry_the_minute() {
        let now = UNIX_EPOCH + std::time::Duration::from_secs(1_740_000_000);
        let a = Nonce::generate(now);
        let b = Nonce::generate(now);
        assert_ne!(a, b);
        assert_eq!(a.minute(), 29_000_000);
    }

    #[test]
    fn staleness_window() {
        let n = Nonce::from_parts([0; 8], 1000);
        assert!(check_nonce_fresh(&n, 1005, 5).is_ok());
        assert!(check_nonce_fresh(&n, 995, 5).is_ok());
        assert!(matches!(
            check_nonce_fresh(&n, 1006, 5),
            Err(Error::StaleNonce {
                nonce_minute: 1000,
                now_minute: 1006,
                window: 5
            })
        ));
    }

    #[test]
    fn signed_nonce_debug_hides_the_key() {
        let sn = SignedNonce::derive(
            &Secret::from("MDEyMzQ1Njc4OWFiY2RlZg=="),
            &Nonce::from_parts([0; 8], 1),
        )
        .unwrap();
        assert_eq!(format!("{sn:?}"), "SignedNonce(***)");
    }
}
