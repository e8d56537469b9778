//! The whole-document form of a first sync (wire v4): a household the peer has never been
//! in step with travels as its document, not as the changes that built it.
//!
//! Sending changes meant loading the document and rebuilding each change from it; receiving
//! them meant applying each, operation by operation. The stored snapshot is already the
//! document: sent as it is, and loaded whole by the receiver (`docs/benchmarks.md`).
//!
//! ```text
//! 0x44 | the document chunk's data without its heads and head indexes:
//!        actors: n, (len, bytes)* | change columns: n, (spec, len)* |
//!        op columns: n, (spec, len)* | column data
//! ```
//! Heads are hashes of the document's last changes: 32 random bytes each that no compressor
//! shrinks, and that the reader works out anyway (loading a document computes the hash of
//! every change in it; our automerge takes those as the heads when it loads a chunk
//! unchecked: `vendor/automerge/PATCHED.md`). The reader rebuilds the chunk Automerge reads
//! (no heads, a fresh checksum) and reads it like a bundle's document, within the same
//! limits; what reaches Automerge is that chunk, never the peer's bytes.

use super::{
    Budget, CHUNK_DOCUMENT, GuardError, Limits, MAGIC, Reader, check_chunk, push_uleb, read_column_meta,
};

/// First byte of a whole-document message (a compact one starts with 0x53, Automerge's
/// with 0x42 or 0x43).
pub const TAG: u8 = 0x44;

/// A whole document from a peer, read within our limits: an Automerge document chunk
/// without heads, to load unchecked (there are none to check: loading takes the heads its
/// changes give).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    chunk: Vec<u8>,
}

impl Document {
    /// The chunk to load.
    pub fn chunk(&self) -> &[u8] {
        &self.chunk
    }
}

/// The whole-document message of `saved` (a document as `save_nocompress` writes it), or
/// `None` if it is not one we would read back within [`Limits::SYNC`] (then the household
/// goes as changes).
pub fn write(saved: &[u8]) -> Option<Vec<u8>> {
    let mut r = Reader::new(saved);
    if r.take(4, "chunk magic").ok()? != MAGIC {
        return None;
    }
    r.take(4, "chunk checksum").ok()?;
    if r.byte("chunk type").ok()? != CHUNK_DOCUMENT {
        return None;
    }
    let len = r.uleb("chunk length").ok()?;
    let data = r.take(len, "chunk data").ok()?;
    if !r.is_empty() {
        return None;
    }
    let mut d = Reader::new(data);
    skip_actors(&mut d).ok()?;
    let actors_end = d.at;
    d.hashes("heads", Limits::SYNC.max_hashes).ok()?;
    let columns_start = d.at;
    let mut data_len: u64 = 0;
    for _ in 0..2 {
        for (_, len) in read_column_meta(&mut d).ok()? {
            data_len = data_len.checked_add(len)?;
        }
    }
    d.take(data_len, "column data").ok()?;
    // What follows (head indexes) goes with the heads.
    let mut out = Vec::with_capacity(data.len() + 1);
    out.push(TAG);
    out.extend_from_slice(&data[..actors_end]);
    out.extend_from_slice(&data[columns_start..d.at]);
    // What we write, we read back: a document our reader refuses goes as changes instead.
    read(&out[1..], &Limits::SYNC).ok()?;
    Some(out)
}

fn skip_actors(r: &mut Reader<'_>) -> Result<(), GuardError> {
    let n = r.count("actors", 4_096)?;
    for _ in 0..n {
        let len = r.count("actor id bytes", 64)?;
        r.take(len as u64, "actor id")?;
    }
    Ok(())
}

/// A whole-document message after its tag, read within `limits`.
pub(super) fn read(bytes: &[u8], limits: &Limits) -> Result<Document, GuardError> {
    let mut r = Reader::new(bytes);
    skip_actors(&mut r)?;
    let mut data = Vec::with_capacity(bytes.len() + 1);
    data.extend_from_slice(&bytes[..r.at]);
    data.push(0); // no heads
    data.extend_from_slice(r.rest());
    let hash = check_chunk(CHUNK_DOCUMENT, &data, &mut Budget::new(limits), true)?;
    let mut chunk = Vec::with_capacity(data.len() + 16);
    chunk.extend_from_slice(&MAGIC);
    chunk.extend_from_slice(&hash.0[..4]);
    chunk.push(CHUNK_DOCUMENT);
    push_uleb(&mut chunk, data.len() as u64);
    chunk.extend_from_slice(&data);
    Ok(Document { chunk })
}

#[cfg(test)]
mod tests {
    use automerge::{Automerge, LoadOptions, VerificationMode};

    use super::*;
    use crate::guard::compact::tests::doc;
    use crate::guard::{Incoming, read_incoming};

    /// A document written whole reads back as a chunk that loads to the same document,
    /// heads and all, though the heads did not travel.
    #[test]
    fn a_document_written_whole_loads_back_with_its_heads() {
        for edits in [1, 5] {
            let d = doc(edits);
            let saved = d.save_nocompress();
            let form = write(&saved).expect("an uncompressed document is written whole");
            assert_eq!(form[0], TAG);
            assert!(form.len() < saved.len() - 32, "without its heads");
            let Incoming::Document(read) = read_incoming(&form, &Limits::SYNC).unwrap() else {
                panic!("read as a whole document")
            };
            let loaded = Automerge::load_with_options(
                read.chunk(),
                LoadOptions::new().verification_mode(VerificationMode::DeriveHeads),
            )
            .unwrap();
            assert_eq!(loaded.get_heads(), d.get_heads(), "the heads its changes give");
            // The patch is opt-in: loaded unchecked as upstream does, the chunk's own list
            // (sent empty) is what it gets.
            let upstream = Automerge::load_with_options(
                read.chunk(),
                LoadOptions::new().verification_mode(VerificationMode::DontCheck),
            )
            .unwrap();
            assert!(
                upstream.get_heads().is_empty(),
                "upstream's unchecked load is unchanged"
            );
            assert_eq!(loaded.save_nocompress(), saved);
            // Checked, a chunk listing no heads is refused: it claims none.
            assert!(Automerge::load(read.chunk()).is_err());
        }
    }

    /// A whole form is read within the limits a bundle's document is: a column declaring a
    /// billion rows in a few bytes is refused for it, before anything is allocated; the
    /// same column declaring two rows reads; a form cut anywhere does not.
    #[test]
    fn a_whole_form_is_read_within_limits() {
        let form = |run: &[u8]| {
            let mut f = vec![1, 16];
            f.extend_from_slice(&[7; 16]);
            f.extend_from_slice(&[1, 1, run.len() as u8 + 1, 0]);
            f.extend_from_slice(run);
            f.push(0);
            f
        };
        assert!(read(&form(&[2]), &Limits::SYNC).is_ok());
        assert!(matches!(
            read(&form(&[0x80, 0x94, 0xeb, 0xdc, 0x03]), &Limits::SYNC),
            Err(GuardError::TooMany {
                what: "rows in a column",
                ..
            })
        ));
        let good = write(&doc(3).save_nocompress()).unwrap();
        for cut in 1..good.len() {
            assert!(
                read_incoming(&good[..cut], &Limits::SYNC).is_err(),
                "cut at {cut}"
            );
        }
        // Not a document: a change chunk, or an Automerge save with compressed columns.
        assert_eq!(write(doc(1).get_changes(&[])[0].raw_bytes()), None);
        assert_eq!(write(&doc(40).save()), None);
    }
}
