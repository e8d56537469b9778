//! The compact form of a sync message (wire v3): what Automerge would send, less what the
//! receiver can work out from the changes carried.
//!
//! A first sync of a household carries its changes, heads that are the hashes of the last
//! of them (32 random bytes each, which no compressor shrinks) and a Bloom filter of the
//! same changes (random bits). Here a head that is a carried change is its index, a filter
//! that is exactly the filter of the carried changes is one byte, and a chunk goes without
//! its magic and checksum (the checksum is the start of the hash the reader computes
//! anyway). The writer checks all of it against the message, so reading gives back exactly
//! the message written: the protocol does not change, only its spelling.
//!
//! ```text
//! 0x53 | changes: n, (type, len, data)* | heads: refs | need: n, hash* |
//!        have: n, (last_sync: refs, bloom: 0 = of the changes carried | 1, len, bytes)*
//! refs: n, (0, hash | i + 1 = the change carried at index i)*
//! ```
//! Numbers are LEB128, as in Automerge's own encoding.

use automerge::ChangeHash;
use automerge::sync::{BloomFilter, Have, Message, MessageVersion};

use super::{Budget, GuardError, Limits, MAGIC, Reader, check_chunk, push_uleb, read_bloom, read_chunk};

/// First byte of a compact message (Automerge's start with 0x42 or 0x43).
pub const TAG: u8 = 0x53;

const BLOOM_OF_CARRIED: u8 = 0;
const BLOOM_GIVEN: u8 = 1;

/// `message` in the compact form; as Automerge encodes it when it cannot be written
/// compact (a v2 message, or chunks we would not read back), which
/// [`super::read_message`] reads too. Flags are not written: every reader of ours drops
/// them (see [`super::read_message`]).
pub fn write(message: &Message) -> Vec<u8> {
    let Some(carried) = carried(message) else {
        return message.clone().encode();
    };
    let hashes: Vec<ChangeHash> = carried.iter().map(|(_, h)| *h).collect();
    let mut out = Vec::with_capacity(carried.iter().map(|(c, _)| c.len() + 4).sum::<usize>() + 16);
    out.push(TAG);
    push_uleb(&mut out, carried.len() as u64);
    for (chunk, _) in &carried {
        // Type, length and data: what follows the magic and the checksum.
        out.extend_from_slice(&chunk[8..]);
    }
    write_refs(&mut out, &message.heads, &hashes);
    push_uleb(&mut out, message.need.len() as u64);
    for h in &message.need {
        out.extend_from_slice(&h.0);
    }
    push_uleb(&mut out, message.have.len() as u64);
    let of_carried = BloomFilter::from_hashes(hashes.iter()).to_bytes();
    for have in &message.have {
        write_refs(&mut out, &have.last_sync, &hashes);
        let bloom = have.bloom.to_bytes();
        if bloom == of_carried {
            out.push(BLOOM_OF_CARRIED);
        } else {
            out.push(BLOOM_GIVEN);
            push_uleb(&mut out, bloom.len() as u64);
            out.extend_from_slice(&bloom);
        }
    }
    out
}

/// Each chunk the message carries with its hash, or `None` if the message is not one the
/// compact form holds.
fn carried(message: &Message) -> Option<Vec<(&[u8], ChangeHash)>> {
    if message.version != MessageVersion::V1 {
        return None;
    }
    let mut budget = Budget::new(&Limits::SYNC);
    let mut out = Vec::with_capacity(message.changes.len());
    for entry in message.changes.iter() {
        let mut r = Reader::new(entry);
        while !r.is_empty() {
            out.push(read_chunk(&mut r, &mut budget, false).ok()?);
        }
    }
    Some(out)
}

fn write_refs(out: &mut Vec<u8>, hashes: &[ChangeHash], carried: &[ChangeHash]) {
    push_uleb(out, hashes.len() as u64);
    for h in hashes {
        match carried.iter().position(|c| c == h) {
            Some(i) => push_uleb(out, i as u64 + 1),
            None => {
                out.push(0);
                out.extend_from_slice(&h.0);
            }
        }
    }
}

/// A compact message after its tag, read within `limits` like any other.
pub(super) fn read(r: &mut Reader<'_>, limits: &Limits) -> Result<Message, GuardError> {
    let n_entries = r.count("change entries", limits.max_changes)?;
    let mut budget = Budget::new(limits);
    let mut changes = Vec::new();
    let mut hashes = Vec::new();
    for _ in 0..n_entries {
        let kind = r.byte("chunk type")?;
        let len = r.uleb("chunk length")?;
        let data = r.take(len, "chunk data")?;
        let hash = check_chunk(kind, data, &mut budget, false)?;
        // The chunk as Automerge writes it: magic, checksum, type, length, data.
        let mut chunk = Vec::with_capacity(data.len() + 20);
        chunk.extend_from_slice(&MAGIC);
        chunk.extend_from_slice(&hash.0[..4]);
        chunk.push(kind);
        push_uleb(&mut chunk, len);
        chunk.extend_from_slice(data);
        changes.push(chunk);
        hashes.push(hash);
    }
    let heads = read_refs(r, "heads", limits, &hashes)?;
    let need = r.hashes("needed changes", limits.max_hashes)?;
    // Automerge sends at most one summary; a few are tolerated.
    let n_have = r.count("have summaries", 4)?;
    let mut have = Vec::with_capacity(n_have);
    for _ in 0..n_have {
        let last_sync = read_refs(r, "last-sync heads", limits, &hashes)?;
        let bloom = match r.byte("Bloom filter form")? {
            BLOOM_OF_CARRIED => BloomFilter::from_hashes(hashes.iter()),
            BLOOM_GIVEN => {
                let len = r.uleb("Bloom filter length")?;
                read_bloom(r.take(len, "Bloom filter")?, limits)?
            }
            _ => return Err(GuardError::Malformed("unknown Bloom filter form")),
        };
        have.push(Have { last_sync, bloom });
    }
    if !r.is_empty() {
        return Err(GuardError::Malformed("trailing bytes after the sync message"));
    }
    Ok(Message {
        heads,
        need,
        have,
        changes: changes.into(),
        flags: None,
        version: MessageVersion::V1,
    })
}

fn read_refs(
    r: &mut Reader<'_>,
    what: &'static str,
    limits: &Limits,
    carried: &[ChangeHash],
) -> Result<Vec<ChangeHash>, GuardError> {
    let n = r.count(what, limits.max_hashes)?;
    // Each takes at least a byte: a count the input cannot hold is refused before allocating.
    if n > r.rest().len() {
        return Err(GuardError::Truncated(what));
    }
    (0..n)
        .map(|_| match r.uleb(what)? {
            0 => Ok(ChangeHash(r.take(32, what)?.try_into().expect("32 bytes"))),
            i => carried
                .get(i as usize - 1)
                .copied()
                .ok_or(GuardError::Malformed("a reference to a change not carried")),
        })
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use automerge::sync::{State, SyncDoc};
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ROOT};

    use super::*;
    use crate::guard::read_message;

    /// A document of `edits` changes, each a longer value (the guard's tests share it).
    pub(in crate::guard) fn doc(edits: usize) -> Automerge {
        let mut d = Automerge::new();
        for i in 0..edits {
            let mut tx = d.transaction();
            tx.put(ROOT, format!("k{i}"), "Ccorca".repeat(i + 1)).unwrap();
            tx.commit();
        }
        d
    }

    /// The first message of a sync, as a phone or the hub sends it (peer state primed).
    fn first_message(d: &Automerge, shared: Vec<ChangeHash>) -> Message {
        let mut state = State::new();
        state.shared_heads = shared;
        crate::docsync::prime(&mut state);
        d.generate_sync_message(&mut state).unwrap()
    }

    #[test]
    fn compact_reads_back_as_exactly_the_message_written_and_is_smaller() {
        let mut d = doc(3);
        let fresh = first_message(&d, vec![]);
        let shared = d.get_heads();
        let mut tx = d.transaction();
        tx.put(ROOT, "sector", "Alto").unwrap();
        tx.commit();
        let edit = first_message(&d, shared);
        // A message with no changes: heads and a summary given in full.
        let mut state = State::new();
        let hello = Automerge::new().generate_sync_message(&mut state).unwrap();
        for m in [fresh, edit, hello] {
            let standard = m.clone().encode();
            let compact = write(&m);
            assert_eq!(compact[0], TAG);
            let back = read_message(&compact, &Limits::SYNC).unwrap();
            let read = read_message(&standard, &Limits::SYNC).unwrap();
            assert_eq!(back.encode(), read.encode(), "the same message, byte for byte");
            if !m.changes.is_empty() {
                assert!(
                    compact.len() + 32 <= standard.len(),
                    "{} against {}",
                    compact.len(),
                    standard.len()
                );
            }
        }
    }

    #[test]
    fn a_summary_that_is_not_of_the_changes_carried_is_kept_whole() {
        let d = doc(2);
        let mut m = first_message(&d, vec![]);
        let other = BloomFilter::from_hashes([ChangeHash([9; 32])].iter());
        m.have[0].bloom = other.clone();
        let back = read_message(&write(&m), &Limits::SYNC).unwrap();
        assert_eq!(back.have[0].bloom, other);
        let read = read_message(&m.clone().encode(), &Limits::SYNC).unwrap();
        assert_eq!(back.encode(), read.encode());
    }

    #[test]
    fn hostile_compact_messages_are_refused() {
        let d = doc(2);
        let good = write(&first_message(&d, vec![]));
        assert!(read_message(&good, &Limits::SYNC).is_ok());
        // Cut anywhere: refused, never a panic.
        for cut in 1..good.len() {
            assert!(read_message(&good[..cut], &Limits::SYNC).is_err(), "cut at {cut}");
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(read_message(&trailing, &Limits::SYNC).is_err());

        // A head that refers to a change not carried.
        let mut m = vec![TAG, 0, 1, 5, 0, 0];
        assert_eq!(
            read_message(&m, &Limits::SYNC),
            Err(GuardError::Malformed("a reference to a change not carried"))
        );
        // Counts larger than the input, refused before allocating.
        m = vec![TAG, 0, 0xff, 0xff, 0xff, 0xff, 0x0f];
        assert!(matches!(
            read_message(&m, &Limits::SYNC),
            Err(GuardError::TooMany { .. })
        ));
        m = vec![TAG, 0, 0x80, 0x08];
        assert!(matches!(
            read_message(&m, &Limits::SYNC),
            Err(GuardError::Truncated(_))
        ));
        // An unknown Bloom filter form.
        m = vec![TAG, 0, 0, 0, 1, 0, 7];
        assert_eq!(
            read_message(&m, &Limits::SYNC),
            Err(GuardError::Malformed("unknown Bloom filter form"))
        );
        // A chunk type a message may not carry (a whole document), and one with junk after
        // its columns.
        let data = d.save_nocompress();
        let mut doc = vec![TAG, 1];
        doc.extend_from_slice(&data[8..]);
        doc.extend([0, 0, 0]);
        assert_eq!(read_message(&doc, &Limits::SYNC), Err(GuardError::ChunkType(0)));
        let change = d.get_changes(&[])[0].raw_bytes().to_vec();
        let mut bad = vec![TAG, 1, change[8]];
        let body = &change[9..];
        let mut r = Reader::new(body);
        let len = r.uleb("").unwrap();
        push_uleb(&mut bad, len + 1);
        bad.extend_from_slice(r.rest());
        bad.extend([0xff, 0, 0, 0]);
        assert!(read_message(&bad, &Limits::SYNC).is_err());
    }
}
