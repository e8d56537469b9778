//! The wire format: one framed, compressed body per request or response.
//!
//! `AYLS` | version (1 byte) | kind (1 byte) | zlib(postcard(body)) — zlib, not raw
//! DEFLATE, for its Adler-32 check: a corrupted body fails to decode instead of parsing.
//! Compressing the whole batch (not each document) lets thousands of similar households
//! share one dictionary: that is where the bytes go on a 2G link.

use std::io::{Read, Write};

use ayllu_model::HouseholdId;
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 4] = b"AYLS";
/// 2: responses say which households were refused, and why.
const VERSION: u8 = 2;

/// Largest body accepted on the wire (compressed).
pub const MAX_BODY: usize = 4 * 1024 * 1024;
/// Largest body after decompression (a guard against decompression bombs).
pub const MAX_DECODED: u64 = 32 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    Request = 1,
    Response = 2,
    Bundle = 3,
}

/// One Automerge sync message for one household document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocMessage {
    pub household: HouseholdId,
    /// `automerge::sync::Message`, encoded.
    pub message: Vec<u8>,
}

/// Device → hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Fresh for every request: a request seen before is a replay and is refused.
    pub request_id: [u8; 16],
    /// The hub's update sequence this device has everything up to. Reaching a response's
    /// cursor also confirms to the hub that everything in that response was stored.
    pub cursor: i64,
    pub docs: Vec<DocMessage>,
}

/// Hub → device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub docs: Vec<DocMessage>,
    /// The device may commit this as its cursor once it has stored `docs`.
    pub cursor: i64,
    /// The hub stopped at its size budget: ask again.
    pub more: bool,
    /// Households of the request the hub did not take, each with its reason. The rest of
    /// the request was stored: one bad household never blocks the others.
    pub refused: Vec<Refused>,
    /// The hub replaced this device's token (they rotate): use this one from now on.
    pub token: Option<String>,
}

/// A household the hub refused from a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    pub household: HouseholdId,
    pub code: RefusalCode,
    /// What was wrong, for staff and the log (the app shows `code`'s words).
    pub detail: String,
}

/// Why a household was refused. Stable: stored by phones and matched by the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefusalCode {
    /// The sync message could not be read within our limits.
    Unreadable,
    /// The household breaks the model's rules.
    Invalid,
    /// Keys or kinds of values the household does not have.
    Shape,
    /// Larger than a household document may be.
    TooLarge,
    /// Outside the device's communities.
    OutOfScope,
    /// Changes under an Automerge actor that is not the sending device's.
    ForeignActor,
    /// A change no phone may make (reopening a dissolved household, removing a record).
    Transition,
    /// The hub does not have this household and the message carried none of it.
    Unknown,
    /// The response was full: offer it again in the next request.
    Later,
}

impl RefusalCode {
    pub const ALL: [RefusalCode; 9] = [
        RefusalCode::Unreadable,
        RefusalCode::Invalid,
        RefusalCode::Shape,
        RefusalCode::TooLarge,
        RefusalCode::OutOfScope,
        RefusalCode::ForeignActor,
        RefusalCode::Transition,
        RefusalCode::Unknown,
        RefusalCode::Later,
    ];

    pub fn from_code(code: &str) -> Option<RefusalCode> {
        RefusalCode::ALL.into_iter().find(|c| c.as_str() == code)
    }

    // What each means for the promotora is in the catalogue: `refusal-<code>` (ayllu-words).

    /// Stable text code (stored by phones, shown in logs and JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCode::Unreadable => "unreadable",
            RefusalCode::Invalid => "invalid",
            RefusalCode::Shape => "shape",
            RefusalCode::TooLarge => "too_large",
            RefusalCode::OutOfScope => "out_of_scope",
            RefusalCode::ForeignActor => "foreign_actor",
            RefusalCode::Transition => "transition",
            RefusalCode::Unknown => "unknown",
            RefusalCode::Later => "later",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("not an Ayllu sync body")]
    BadMagic,
    #[error("unsupported protocol version {0}")]
    Version(u8),
    #[error("expected a {expected:?} body, got kind {got}")]
    WrongKind { expected: Kind, got: u8 },
    #[error("body too large ({0} bytes)")]
    TooLarge(u64),
    #[error("body is truncated or corrupt: {0}")]
    Corrupt(String),
}

pub fn encode<T: Serialize>(kind: Kind, body: &T) -> Vec<u8> {
    let plain = postcard::to_allocvec(body).expect("wire bodies serialise");
    let mut out = Vec::with_capacity(plain.len() / 3 + 16);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.push(kind as u8);
    let mut z = flate2::write::ZlibEncoder::new(out, flate2::Compression::best());
    z.write_all(&plain).expect("writing to memory");
    z.finish().expect("writing to memory")
}

pub fn decode<T: for<'de> Deserialize<'de>>(kind: Kind, bytes: &[u8]) -> Result<T, WireError> {
    decode_limited(kind, bytes, MAX_BODY, MAX_DECODED)
}

/// [`decode`] with other limits (a bundle file carries a whole census).
pub fn decode_limited<T: for<'de> Deserialize<'de>>(
    kind: Kind,
    bytes: &[u8],
    max_body: usize,
    max_decoded: u64,
) -> Result<T, WireError> {
    if bytes.len() > max_body {
        return Err(WireError::TooLarge(bytes.len() as u64));
    }
    if bytes.len() < 6 || &bytes[..4] != MAGIC {
        return Err(WireError::BadMagic);
    }
    if bytes[4] != VERSION {
        return Err(WireError::Version(bytes[4]));
    }
    if bytes[5] != kind as u8 {
        return Err(WireError::WrongKind {
            expected: kind,
            got: bytes[5],
        });
    }
    let mut plain = Vec::new();
    flate2::read::ZlibDecoder::new(&bytes[6..])
        .take(max_decoded + 1)
        .read_to_end(&mut plain)
        .map_err(|e| WireError::Corrupt(e.to_string()))?;
    if plain.len() as u64 > max_decoded {
        return Err(WireError::TooLarge(plain.len() as u64));
    }
    let (value, rest) = postcard::take_from_bytes(&plain).map_err(|e| WireError::Corrupt(e.to_string()))?;
    if !rest.is_empty() {
        return Err(WireError::Corrupt("trailing bytes".into()));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Request {
        Request {
            request_id: [7; 16],
            cursor: 42,
            docs: vec![DocMessage {
                household: HouseholdId::new(),
                message: vec![1, 2, 3],
            }],
        }
    }

    #[test]
    fn round_trip() {
        let r = sample();
        let bytes = encode(Kind::Request, &r);
        assert_eq!(decode::<Request>(Kind::Request, &bytes).unwrap(), r);
    }

    #[test]
    fn garbage_is_refused() {
        let bytes = encode(Kind::Request, &sample());
        assert_eq!(
            decode::<Request>(Kind::Request, b"GET / HTTP/1.1"),
            Err(WireError::BadMagic)
        );
        assert!(matches!(
            decode::<Request>(Kind::Response, &bytes),
            Err(WireError::WrongKind { .. })
        ));
        for cut in [6, 10, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                matches!(
                    decode::<Request>(Kind::Request, &bytes[..cut]),
                    Err(WireError::Corrupt(_))
                ),
                "cut {cut}"
            );
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 0xff;
        assert!(decode::<Request>(Kind::Request, &flipped).is_err());
        let mut v = bytes.clone();
        v[4] = 9;
        assert_eq!(decode::<Request>(Kind::Request, &v), Err(WireError::Version(9)));
        assert!(matches!(
            decode::<Request>(Kind::Request, &vec![0u8; MAX_BODY + 1]),
            Err(WireError::TooLarge(_))
        ));
    }

    #[test]
    fn decompression_bombs_are_refused() {
        // 40 MB of zeros compress to a few KB.
        let mut out = Vec::from(&MAGIC[..]);
        out.push(VERSION);
        out.push(Kind::Request as u8);
        let mut z = flate2::write::ZlibEncoder::new(out, flate2::Compression::best());
        z.write_all(&vec![0u8; 40 * 1024 * 1024]).unwrap();
        let bomb = z.finish().unwrap();
        assert!(bomb.len() < MAX_BODY);
        assert!(matches!(
            decode::<Request>(Kind::Request, &bomb),
            Err(WireError::TooLarge(_))
        ));
    }
}
