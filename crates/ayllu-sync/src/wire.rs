//! The wire format: one framed, compressed body per request or response.
//!
//! `AYLS` | version (1 byte) | kind (1 byte) | compressed postcard(body).
//! - Version 4 (what we write): as version 3, with its own dictionary ([`DICTIONARY_V4`]);
//!   a household the receiver has never been in step with travels as its whole document
//!   ([`crate::guard::whole`]), any other as in version 3.
//! - Version 3 (still read, and answered in kind): zstd with a shipped dictionary
//!   ([`DICTIONARY_V3`]), its frame checksum on, decoded with a bounded window; each
//!   household's sync message in the compact form of [`crate::guard::compact`].
//! - Version 2 (still read, and answered in kind, for phones not yet updated): zlib (its
//!   Adler-32 check: a corrupted body fails to decode instead of parsing), each household's
//!   message as Automerge encodes it.
//!
//! Compressing the whole batch (not each document) lets thousands of similar households
//! share one dictionary: that is where the bytes go on a 2G link.

use std::io::{Read, Write};
use std::sync::OnceLock;

use ayllu_model::HouseholdId;
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 4] = b"AYLS";

/// A version of the wire: how a body is compressed and how its messages are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// zlib; Automerge's own message encoding. Responses say which households were refused.
    V2,
    /// zstd; compact messages (heads and summaries that repeat the changes carried are
    /// given by reference). Same bodies as v2 otherwise.
    V3,
    /// v3 with another dictionary, and a first sync of a household as its whole document.
    V4,
}

impl Version {
    /// What this build writes.
    pub const CURRENT: Version = Version::V4;

    /// The version byte a body starts with.
    pub fn number(self) -> u8 {
        match self {
            Version::V2 => 2,
            Version::V3 => 3,
            Version::V4 => 4,
        }
    }

    fn from_byte(b: u8) -> Option<Version> {
        match b {
            2 => Some(Version::V2),
            3 => Some(Version::V3),
            4 => Some(Version::V4),
            _ => None,
        }
    }

    /// Whether messages are written compact in this version.
    pub fn compact(self) -> bool {
        matches!(self, Version::V3 | Version::V4)
    }

    /// Whether a household the receiver has never been in step with may travel as its
    /// whole document ([`crate::guard::whole`]).
    pub fn whole_documents(self) -> bool {
        self == Version::V4
    }

    /// The zstd dictionary of a body in this version (v2 is zlib, without one).
    fn dictionary(self) -> &'static [u8] {
        match self {
            Version::V2 => &[],
            Version::V3 => DICTIONARY_V3,
            Version::V4 => DICTIONARY_V4,
        }
    }
}

/// How hard a body is compressed: bytes against CPU (`wire-bytes`, docs/benchmarks.md:
/// with the dictionary, a first sync is 0.99× the gzip floor at zstd 12, 0.955× at 16 for
/// six times 12's time, 0.952× at 19 for twice 16's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// zstd 16: for a body that crosses a slow link (a 2G request) or waits on a USB stick
    /// (a bundle), where 4 % fewer bytes are worth more than the CPU.
    Thorough,
    /// zstd 12: for a fast link, where the CPU is the wait; and for the hub's answers
    /// (many phones at once).
    Quick,
}

impl Effort {
    /// Below this rate (bytes of body a second, as the last exchange went) a request is
    /// compressed thoroughly. Thorough costs ~70 ns more per byte of plain body on this
    /// machine and saves ~5.5 ms of compressed body per MB: worth it under ~80 KB/s here,
    /// ~25 KB/s on a phone three times slower; 2G carries 8 KB/s, Wi-Fi MBs.
    pub const THOROUGH_BELOW: f64 = 48_000.0;

    /// The effort for a link that carried the last body at `bytes_per_second` (`None`: not
    /// measured yet, so assumed slow).
    pub fn for_rate(bytes_per_second: Option<f64>) -> Effort {
        match bytes_per_second {
            Some(rate) if rate >= Self::THOROUGH_BELOW => Effort::Quick,
            _ => Effort::Thorough,
        }
    }

    /// What each kind gets when no link says otherwise.
    pub fn of(kind: Kind) -> Effort {
        match kind {
            Kind::Request | Kind::Bundle => Effort::Thorough,
            Kind::Response => Effort::Quick,
        }
    }

    fn zstd_level(self) -> i32 {
        match self {
            Effort::Thorough => 16,
            Effort::Quick => 12,
        }
    }
}

/// Wire v3's zstd dictionary: the store's [`ayllu_store::HOUSEHOLD_DICTIONARY`] (256 KB of
/// synthetic households' compact messages as a request carries them). A body is compressed
/// in requests of about a megabyte, each alone; the dictionary starts each one as if it
/// followed other households (a first sync: 1.000× → 0.95× the gzip floor,
/// docs/benchmarks.md). Frozen with the version: another dictionary is another wire version
/// (and stored snapshots are read with this one: it never changes).
pub const DICTIONARY_V3: &[u8] = ayllu_store::HOUSEHOLD_DICTIONARY;

/// Wire v4's zstd dictionary: 512 KB of synthetic households' whole-document messages as a
/// request carries them (`wire-dictionary` in `bench/` wrote it), the form a first sync
/// takes in v4. Frozen with the version, like v3's.
pub const DICTIONARY_V4: &[u8] = include_bytes!("wire-v4.dict");

/// A version's dictionary digested for compressing with `effort`, once per process:
/// digesting it took a quarter of every body's compression time.
fn prepared_encoder(version: Version, effort: Effort) -> &'static zstd::dict::EncoderDictionary<'static> {
    type Cell = OnceLock<zstd::dict::EncoderDictionary<'static>>;
    static CELLS: [[Cell; 2]; 2] = [const { [const { OnceLock::new() }; 2] }; 2];
    let v = usize::from(version == Version::V4);
    let e = usize::from(effort == Effort::Quick);
    CELLS[v][e].get_or_init(|| zstd::dict::EncoderDictionary::copy(version.dictionary(), effort.zstd_level()))
}

/// A version's dictionary digested for reading, once per process.
fn prepared_decoder(version: Version) -> &'static zstd::dict::DecoderDictionary<'static> {
    static CELLS: [OnceLock<zstd::dict::DecoderDictionary<'static>>; 2] = [const { OnceLock::new() }; 2];
    CELLS[usize::from(version == Version::V4)]
        .get_or_init(|| zstd::dict::DecoderDictionary::copy(version.dictionary()))
}

/// The largest zstd window a body may ask of its reader (8 MiB): a frame declaring more is
/// refused before anything is allocated for it. Our own bodies use at most their size.
const ZSTD_WINDOW_LOG_MAX: u32 = 23;

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

/// `body` in the current version.
pub fn encode<T: Serialize>(kind: Kind, body: &T) -> Vec<u8> {
    encode_as(Version::CURRENT, kind, body)
}

/// `body` in `version` (a hub answers a request in the version it came in).
pub fn encode_as<T: Serialize>(version: Version, kind: Kind, body: &T) -> Vec<u8> {
    encode_with(version, kind, Effort::of(kind), body)
}

/// `body` in `version`, compressed with `effort` (a phone's request: see
/// [`Effort::for_rate`]). Any effort reads back the same.
pub fn encode_with<T: Serialize>(version: Version, kind: Kind, effort: Effort, body: &T) -> Vec<u8> {
    let plain = postcard::to_allocvec(body).expect("wire bodies serialise");
    let mut out = Vec::with_capacity(plain.len() / 3 + 16);
    out.extend_from_slice(MAGIC);
    out.push(version.number());
    out.push(kind as u8);
    match version {
        Version::V2 => {
            let mut z = flate2::write::ZlibEncoder::new(out, flate2::Compression::best());
            z.write_all(&plain).expect("writing to memory");
            z.finish().expect("writing to memory")
        }
        Version::V3 | Version::V4 => {
            let mut z = zstd::bulk::Compressor::with_prepared_dictionary(prepared_encoder(version, effort))
                .expect("a zstd context");
            // Levels up to 19 use at most an 8 MiB window (within what readers accept).
            z.set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(true))
                .expect("a zstd parameter");
            out.extend(z.compress(&plain).expect("compressing in memory"));
            out
        }
    }
}

pub fn decode<T: for<'de> Deserialize<'de>>(kind: Kind, bytes: &[u8]) -> Result<T, WireError> {
    decode_versioned(kind, bytes).map(|(_, body)| body)
}

/// [`decode`], saying which version the body came in.
pub fn decode_versioned<T: for<'de> Deserialize<'de>>(
    kind: Kind,
    bytes: &[u8],
) -> Result<(Version, T), WireError> {
    decode_limited(kind, bytes, MAX_BODY, MAX_DECODED)
}

/// [`decode_versioned`] with other limits (a bundle file carries a whole census).
pub fn decode_limited<T: for<'de> Deserialize<'de>>(
    kind: Kind,
    bytes: &[u8],
    max_body: usize,
    max_decoded: u64,
) -> Result<(Version, T), WireError> {
    if bytes.len() > max_body {
        return Err(WireError::TooLarge(bytes.len() as u64));
    }
    if bytes.len() < 6 || &bytes[..4] != MAGIC {
        return Err(WireError::BadMagic);
    }
    let version = Version::from_byte(bytes[4]).ok_or(WireError::Version(bytes[4]))?;
    if bytes[5] != kind as u8 {
        return Err(WireError::WrongKind {
            expected: kind,
            got: bytes[5],
        });
    }
    let mut plain = Vec::new();
    let corrupt = |e: std::io::Error| WireError::Corrupt(e.to_string());
    match version {
        Version::V2 => {
            flate2::read::ZlibDecoder::new(&bytes[6..])
                .take(max_decoded + 1)
                .read_to_end(&mut plain)
                .map_err(corrupt)?;
        }
        Version::V3 | Version::V4 => {
            let mut z =
                zstd::stream::read::Decoder::with_prepared_dictionary(&bytes[6..], prepared_decoder(version))
                    .map_err(corrupt)?;
            z.window_log_max(ZSTD_WINDOW_LOG_MAX).map_err(corrupt)?;
            // One frame only: bytes after it are not ours to read.
            let mut z = z.single_frame();
            (&mut z)
                .take(max_decoded + 1)
                .read_to_end(&mut plain)
                .map_err(corrupt)?;
            if plain.len() as u64 <= max_decoded && !z.finish().is_empty() {
                return Err(WireError::Corrupt("trailing bytes after the body".into()));
            }
        }
    }
    if plain.len() as u64 > max_decoded {
        return Err(WireError::TooLarge(plain.len() as u64));
    }
    let (value, rest) = postcard::take_from_bytes(&plain).map_err(|e| WireError::Corrupt(e.to_string()))?;
    if !rest.is_empty() {
        return Err(WireError::Corrupt("trailing bytes".into()));
    }
    Ok((version, value))
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

    /// A body compressed quickly or thoroughly reads back the same; thorough is smaller on
    /// a body like a first sync's (households' worth of messages that repeat themselves).
    #[test]
    fn either_effort_reads_back_and_a_slow_link_gets_the_thorough_one() {
        // Ids that look random, as hashes do, but the same at every run (splitmix64): with
        // fresh random ids the thorough level lost about one run in fifteen.
        let splitmix = |i: u64| {
            let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let mut r = sample();
        r.docs = (0..300u32)
            .map(|i| DocMessage {
                household: HouseholdId::from_uuid(uuid::Uuid::from_u64_pair(
                    splitmix(2 * u64::from(i)),
                    splitmix(2 * u64::from(i) + 1),
                )),
                message: format!(
                    "{{\"community\": \"Ccorca\", \"members\": {i}, \"electricity\": {}}}",
                    i % 3 == 0
                )
                .repeat(1 + (i % 7) as usize)
                .into_bytes(),
            })
            .collect();
        let thorough = encode_with(Version::CURRENT, Kind::Request, Effort::Thorough, &r);
        let quick = encode_with(Version::CURRENT, Kind::Request, Effort::Quick, &r);
        for bytes in [&thorough, &quick] {
            assert_eq!(decode::<Request>(Kind::Request, bytes).unwrap(), r);
        }
        let sizes = (thorough.len(), quick.len());
        assert!(sizes.0 < sizes.1, "{sizes:?}");
        assert_eq!(
            Effort::for_rate(None),
            Effort::Thorough,
            "not measured: assumed slow"
        );
        assert_eq!(Effort::for_rate(Some(8_000.0)), Effort::Thorough, "2G");
        assert_eq!(Effort::for_rate(Some(2_000_000.0)), Effort::Quick, "Wi-Fi");
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
    fn each_version_keeps_the_dictionary_it_was_made_with() {
        use sha2::Digest;
        // Changing a dictionary breaks every reader of its version's bodies: it takes a new
        // version.
        assert_eq!(
            format!("{:x}", sha2::Sha256::digest(DICTIONARY_V3)),
            "1e7b7d83e01e697ca2d1687a96147d42107947ebdcf2c66dd4f7a2295d6e163f"
        );
        assert_eq!(
            format!("{:x}", sha2::Sha256::digest(DICTIONARY_V4)),
            "553e2702a0370617de884190522534adeecd1558124d0b7bf62a8cecd1c636e0"
        );
        // And a body written without it does not read (its checksum fails), nor one read
        // without it.
        let r = sample();
        let body = postcard::to_allocvec(&r).unwrap();
        let mut plain = zstd::bulk::Compressor::new(12).unwrap();
        plain
            .set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(true))
            .unwrap();
        let without = framed(4, &plain.compress(&body).unwrap());
        // Raw-content dictionaries are not named in the frame: such a body may read, but
        // must read as what was written or fail.
        if let Ok(back) = decode::<Request>(Kind::Request, &without) {
            assert_eq!(back, r);
        }
        // A body like the households the dictionary holds refers to it.
        let mut like = r.clone();
        like.docs[0].message = DICTIONARY_V4[DICTIONARY_V4.len() - 4096..].to_vec();
        let ours = encode(Kind::Request, &like);
        assert_eq!(decode::<Request>(Kind::Request, &ours).unwrap(), like);
        assert!(zstd::stream::decode_all(&ours[6..]).is_err());
    }

    #[test]
    fn both_versions_read_and_say_which_they_are() {
        let r = sample();
        for version in [Version::V2, Version::V3, Version::V4] {
            let bytes = encode_as(version, Kind::Request, &r);
            assert_eq!(bytes[4], version.number());
            assert_eq!(
                decode_versioned::<Request>(Kind::Request, &bytes).unwrap(),
                (version, r.clone())
            );
        }
        assert_eq!(encode(Kind::Request, &r)[4], 4, "v4 is written");
    }

    fn framed(version: u8, compressed: &[u8]) -> Vec<u8> {
        let mut out = Vec::from(&MAGIC[..]);
        out.push(version);
        out.push(Kind::Request as u8);
        out.extend_from_slice(compressed);
        out
    }

    #[test]
    fn decompression_bombs_are_refused() {
        // 40 MB of zeros compress to a few KB, in either version.
        let zeros = vec![0u8; 40 * 1024 * 1024];
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&zeros).unwrap();
        let zstd = |dictionary| {
            zstd::bulk::Compressor::with_dictionary(3, dictionary)
                .unwrap()
                .compress(&zeros)
                .unwrap()
        };
        for bomb in [
            framed(2, &z.finish().unwrap()),
            framed(3, &zstd(DICTIONARY_V3)),
            framed(4, &zstd(DICTIONARY_V4)),
        ] {
            assert!(bomb.len() < MAX_BODY);
            assert!(matches!(
                decode::<Request>(Kind::Request, &bomb),
                Err(WireError::TooLarge(_))
            ));
        }
    }

    #[test]
    fn a_zstd_body_asking_for_a_large_window_or_carrying_more_is_refused() {
        // A frame whose window is 128 MiB: the reader would allocate it before the first byte.
        let body = postcard::to_allocvec(&sample()).unwrap();
        let mut z = zstd::stream::write::Encoder::with_dictionary(Vec::new(), 3, DICTIONARY_V4).unwrap();
        z.window_log(27).unwrap();
        z.include_contentsize(false).unwrap();
        z.write_all(&body).unwrap();
        let wide = framed(4, &z.finish().unwrap());
        assert!(matches!(
            decode::<Request>(Kind::Request, &wide),
            Err(WireError::Corrupt(_))
        ));
        // A second frame after the body, or junk: not ours to read.
        let good = encode(Kind::Request, &sample());
        assert!(decode::<Request>(Kind::Request, &good).is_ok());
        let mut two = good.clone();
        two.extend_from_slice(&zstd::bulk::compress(&body, 3).unwrap());
        assert!(matches!(
            decode::<Request>(Kind::Request, &two),
            Err(WireError::Corrupt(_))
        ));
        let mut junk = good;
        junk.push(0);
        assert!(matches!(
            decode::<Request>(Kind::Request, &junk),
            Err(WireError::Corrupt(_))
        ));
    }
}
