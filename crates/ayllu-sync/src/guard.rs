//! Our own bounded reader of Automerge bytes, run before Automerge sees anything a peer sent.
//!
//! Automerge merges; it does not defend itself. Its decoder trusts the sizes a message
//! declares: a Bloom filter's probe count becomes one allocation (4,294,967,295 probes is
//! 16 GiB), a filter with zero bits divides by zero, a compressed change is inflated
//! without a limit, and a few bytes of run-length encoding can declare billions of
//! operations. So every sync message, bundle document and change chunk from a phone, a
//! bundle or a hub is first read here, with hard limits, and what reaches Automerge is a
//! message we rebuilt from what we read — never the peer's bytes re-parsed by another
//! parser that might disagree with ours.
//!
//! What is accepted is what Ayllu's peers send: Automerge sync messages (v1 or v2 framing)
//! whose changes are change chunks (plain or DEFLATE-compressed), and, in bundles, whole
//! documents saved without column compression. Document chunks inside sync messages, bundle
//! chunks, and the message flags that would switch a peer to sending whole documents are
//! refused or dropped: one format less to trust.

use std::io::Read;

use automerge::ChangeHash;
use automerge::sync::{BloomFilter, Have, Message, MessageVersion};
use sha2::{Digest, Sha256};

pub mod compact;
pub mod whole;

/// The limits one message (or one bundle document) must keep. Generous for a household —
/// a real one has a few hundred changes and a few thousand operations — and far below what
/// would hurt a health post's mini-PC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of change data after inflating compressed chunks.
    pub max_change_bytes: usize,
    /// Change chunks in one message.
    pub max_changes: usize,
    /// Rows (operations, run-length expanded) in all columns of one column set.
    pub max_rows: u64,
    /// Heads, needs and last-sync hashes in one list.
    pub max_hashes: usize,
    /// Entries one Bloom filter may summarise.
    pub max_bloom_entries: u32,
}

impl Limits {
    pub const SYNC: Limits = Limits {
        max_change_bytes: 4 * 1024 * 1024,
        max_changes: 20_000,
        max_rows: 500_000,
        max_hashes: 1_024,
        max_bloom_entries: 100_000,
    };
}

/// Why bytes were refused. Each names what was wrong, for the log and the refusal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    #[error("truncated: {0}")]
    Truncated(&'static str),
    #[error("malformed: {0}")]
    Malformed(&'static str),
    #[error("too many {what}: {got} (at most {max})")]
    TooMany { what: &'static str, got: u64, max: u64 },
    #[error("Bloom filter refused: {0}")]
    Bloom(&'static str),
    #[error("change data inflates past {0} bytes")]
    Inflates(usize),
    #[error("chunk type {0} is not accepted here")]
    ChunkType(u8),
    #[error("chunk checksum does not match its contents")]
    Checksum,
}

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const CHUNK_DOCUMENT: u8 = 0;
const CHUNK_CHANGE: u8 = 1;
const CHUNK_COMPRESSED: u8 = 2;

/// A cursor over bytes with the primitive reads of Automerge's formats. Every read checks
/// bounds; LEB128 must be canonical (no overlong forms) so that our reading and Automerge's
/// cannot disagree about a value.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    fn is_empty(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn rest(&self) -> &'a [u8] {
        &self.bytes[self.at..]
    }

    fn take(&mut self, n: u64, what: &'static str) -> Result<&'a [u8], GuardError> {
        let left = (self.bytes.len() - self.at) as u64;
        if n > left {
            return Err(GuardError::Truncated(what));
        }
        let out = &self.bytes[self.at..self.at + n as usize];
        self.at += n as usize;
        Ok(out)
    }

    fn byte(&mut self, what: &'static str) -> Result<u8, GuardError> {
        Ok(self.take(1, what)?[0])
    }

    fn uleb(&mut self, what: &'static str) -> Result<u64, GuardError> {
        let mut value: u64 = 0;
        for i in 0..10 {
            let b = self.byte(what)?;
            let bits = u64::from(b & 0x7f);
            if i == 9 && bits > 1 {
                return Err(GuardError::Malformed("LEB128 value too large"));
            }
            value |= bits << (7 * i);
            if b & 0x80 == 0 {
                if i > 0 && b == 0 {
                    return Err(GuardError::Malformed("overlong LEB128"));
                }
                return Ok(value);
            }
        }
        Err(GuardError::Malformed("LEB128 value too large"))
    }

    fn sleb(&mut self, what: &'static str) -> Result<i64, GuardError> {
        let mut value: i64 = 0;
        let mut prev = 0u8;
        for i in 0..10 {
            let b = self.byte(what)?;
            value |= i64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i == 9 && b != 0 && b != 0x7f {
                    return Err(GuardError::Malformed("LEB128 value too large"));
                }
                if i > 0 && ((b == 0 && prev & 0x40 == 0) || (b == 0x7f && prev & 0x40 != 0)) {
                    return Err(GuardError::Malformed("overlong LEB128"));
                }
                if i < 9 && b & 0x40 != 0 {
                    value |= -1i64 << (7 * (i + 1));
                }
                return Ok(value);
            }
            prev = b;
        }
        Err(GuardError::Malformed("LEB128 value too large"))
    }

    /// A count, refused past `max` before anything is allocated for it.
    fn count(&mut self, what: &'static str, max: usize) -> Result<usize, GuardError> {
        let n = self.uleb(what)?;
        if n > max as u64 {
            return Err(GuardError::TooMany {
                what,
                got: n,
                max: max as u64,
            });
        }
        Ok(n as usize)
    }

    fn hashes(&mut self, what: &'static str, max: usize) -> Result<Vec<ChangeHash>, GuardError> {
        let n = self.count(what, max)?;
        // Each hash is 32 bytes: a count the input cannot hold is refused before allocating.
        if n.saturating_mul(32) > self.rest().len() {
            return Err(GuardError::Truncated(what));
        }
        (0..n)
            .map(|_| {
                let b = self.take(32, what)?;
                Ok(ChangeHash(b.try_into().expect("32 bytes")))
            })
            .collect()
    }
}

/// A sync message, read within `limits` and rebuilt for Automerge: as Automerge encodes
/// it, or in our compact form ([`compact`]). Flags are dropped, so our Automerge never
/// learns that the peer could take whole-document (v2) messages.
pub fn read_message(bytes: &[u8], limits: &Limits) -> Result<Message, GuardError> {
    let mut r = Reader::new(bytes);
    let version = match r.byte("message type")? {
        compact::TAG => return compact::read(&mut r, limits),
        0x42 => MessageVersion::V1,
        0x43 => MessageVersion::V2,
        _ => return Err(GuardError::Malformed("not an Automerge sync message")),
    };
    let heads = r.hashes("heads", limits.max_hashes)?;
    let need = r.hashes("needed changes", limits.max_hashes)?;
    // Automerge sends at most one summary; a few are tolerated.
    let n_have = r.count("have summaries", 4)?;
    let mut have = Vec::with_capacity(n_have);
    for _ in 0..n_have {
        let last_sync = r.hashes("last-sync heads", limits.max_hashes)?;
        let len = r.uleb("Bloom filter length")?;
        let bloom = read_bloom(r.take(len, "Bloom filter")?, limits)?;
        have.push(Have { last_sync, bloom });
    }
    let n_entries = r.count("change entries", limits.max_changes)?;
    let mut budget = Budget::new(limits);
    let mut changes = Vec::new();
    for _ in 0..n_entries {
        let len = r.uleb("change entry length")?;
        let entry = r.take(len, "change entry")?;
        // v1 carries one chunk per entry, v2 may concatenate several: split them, so that
        // each travels to Automerge as exactly the bytes we read.
        let mut er = Reader::new(entry);
        while !er.is_empty() {
            changes.push(read_chunk(&mut er, &mut budget, false)?.0.to_vec());
        }
    }
    // Whatever follows is the flags section (length-prefixed): checked for shape, dropped.
    if !r.is_empty() {
        let len = r.uleb("flags length")?;
        r.take(len, "flags")?;
        if !r.is_empty() {
            return Err(GuardError::Malformed("trailing bytes after the sync message"));
        }
    }
    Ok(Message {
        heads,
        need,
        have,
        changes: changes.into(),
        flags: None,
        version,
    })
}

/// What a peer sent for one household, read.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A sync message (Automerge's encoding or our compact form).
    Sync(Message),
    /// The whole document: a first sync in wire v4 ([`whole`]).
    Document(whole::Document),
}

impl Incoming {
    /// Whether it carries any of the household (changes, or the document).
    pub fn carries_changes(&self) -> bool {
        match self {
            Incoming::Sync(m) => !m.changes.is_empty(),
            Incoming::Document(_) => true,
        }
    }
}

/// One household's message from a peer, whichever form it takes, read within `limits`.
pub fn read_incoming(bytes: &[u8], limits: &Limits) -> Result<Incoming, GuardError> {
    match bytes.first() {
        Some(&whole::TAG) => whole::read(&bytes[1..], limits).map(Incoming::Document),
        _ => read_message(bytes, limits).map(Incoming::Sync),
    }
}

/// Bytes that go to `Automerge::load_incremental` (a bundle's document or its changes):
/// every chunk read within `limits`; whole documents allowed, uncompressed columns only.
pub fn check_chunks(bytes: &[u8], limits: &Limits) -> Result<(), GuardError> {
    let mut budget = Budget::new(limits);
    let mut r = Reader::new(bytes);
    while !r.is_empty() {
        read_chunk(&mut r, &mut budget, true)?;
    }
    Ok(())
}

fn read_bloom(bytes: &[u8], limits: &Limits) -> Result<BloomFilter, GuardError> {
    if bytes.is_empty() {
        return Ok(BloomFilter::default());
    }
    let mut r = Reader::new(bytes);
    let entries = r.uleb("Bloom entries")?;
    let bits_per_entry = r.uleb("Bloom bits per entry")?;
    let probes = r.uleb("Bloom probes")?;
    if entries == 0 || entries > u64::from(limits.max_bloom_entries) {
        return Err(GuardError::Bloom("number of entries out of range"));
    }
    // Automerge makes filters of 10 bits and 7 probes per entry; 0 bits divides by zero
    // and a huge probe count is one huge allocation.
    if !(1..=32).contains(&bits_per_entry) {
        return Err(GuardError::Bloom("bits per entry out of range (1 to 32)"));
    }
    if !(1..=32).contains(&probes) {
        return Err(GuardError::Bloom("number of probes out of range (1 to 32)"));
    }
    let expected = (entries * bits_per_entry).div_ceil(8);
    if r.rest().len() as u64 != expected {
        return Err(GuardError::Bloom(
            "bit array length does not match its parameters",
        ));
    }
    // Rebuilt from the values read, canonically encoded.
    let mut canonical = Vec::with_capacity(16 + expected as usize);
    for v in [entries, bits_per_entry, probes] {
        push_uleb(&mut canonical, v);
    }
    canonical.extend_from_slice(r.rest());
    BloomFilter::try_from(canonical.as_slice()).map_err(|_| GuardError::Bloom("unreadable"))
}

fn push_uleb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// What one message or bundle document has used of its limits so far.
struct Budget {
    limits: Limits,
    bytes: usize,
    changes: usize,
}

impl Budget {
    fn new(limits: &Limits) -> Budget {
        Budget {
            limits: *limits,
            bytes: 0,
            changes: 0,
        }
    }

    fn spend(&mut self, n: usize) -> Result<(), GuardError> {
        self.bytes = self.bytes.saturating_add(n);
        if self.bytes > self.limits.max_change_bytes {
            return Err(GuardError::Inflates(self.limits.max_change_bytes));
        }
        Ok(())
    }
}

/// One chunk (header and data) from `r`, counted against the budget; returns its bytes
/// as read and its hash (for a change, the change's hash: of the change it holds when
/// compressed).
fn read_chunk<'a>(
    r: &mut Reader<'a>,
    budget: &mut Budget,
    documents: bool,
) -> Result<(&'a [u8], ChangeHash), GuardError> {
    let start = r.at;
    if r.take(4, "chunk magic")? != MAGIC {
        return Err(GuardError::Malformed("not an Automerge chunk"));
    }
    let checksum: [u8; 4] = r.take(4, "chunk checksum")?.try_into().expect("4 bytes");
    let kind = r.byte("chunk type")?;
    let len = r.uleb("chunk length")?;
    let data = r.take(len, "chunk data")?;
    let hash = check_chunk(kind, data, budget, documents)?;
    if hash.0[..4] != checksum {
        return Err(GuardError::Checksum);
    }
    Ok((&r.bytes[start..r.at], hash))
}

/// A chunk's data of `kind`, read within the budget; its hash (for a change, the change's:
/// of the change it holds when compressed), of which a chunk's checksum is the start.
fn check_chunk(
    kind: u8,
    data: &[u8],
    budget: &mut Budget,
    documents: bool,
) -> Result<ChangeHash, GuardError> {
    budget.changes += 1;
    if budget.changes > budget.limits.max_changes {
        return Err(GuardError::TooMany {
            what: "changes",
            got: budget.changes as u64,
            max: budget.limits.max_changes as u64,
        });
    }
    budget.spend(data.len())?;
    let hash = match kind {
        CHUNK_CHANGE => {
            read_change(data, budget)?;
            chunk_hash(CHUNK_CHANGE, data)
        }
        CHUNK_COMPRESSED => {
            let room = budget.limits.max_change_bytes - budget.bytes;
            let mut inflated = Vec::new();
            flate2::read::DeflateDecoder::new(data)
                .take(room as u64 + 1)
                .read_to_end(&mut inflated)
                .map_err(|_| GuardError::Malformed("compressed change does not inflate"))?;
            if inflated.len() > room {
                return Err(GuardError::Inflates(budget.limits.max_change_bytes));
            }
            budget.spend(inflated.len())?;
            read_change(&inflated, budget)?;
            chunk_hash(CHUNK_CHANGE, &inflated)
        }
        CHUNK_DOCUMENT if documents => {
            read_document(data, budget)?;
            chunk_hash(CHUNK_DOCUMENT, data)
        }
        other => return Err(GuardError::ChunkType(other)),
    };
    Ok(ChangeHash(hash))
}

fn chunk_hash(kind: u8, data: &[u8]) -> [u8; 32] {
    let mut header = vec![kind];
    push_uleb(&mut header, data.len() as u64);
    let mut h = Sha256::new();
    h.update(&header);
    h.update(data);
    h.finalize().into()
}

/// A change chunk's body: its fixed fields within limits, then every operation column.
fn read_change(data: &[u8], budget: &Budget) -> Result<(), GuardError> {
    let limits = &budget.limits;
    let mut r = Reader::new(data);
    r.hashes("change dependencies", limits.max_hashes)?;
    let actor_len = r.count("actor id bytes", 64)?;
    r.take(actor_len as u64, "actor id")?;
    r.uleb("change seq")?;
    let start_op = r.uleb("change start op")?;
    // Automerge counts operations in 32 bits: a counter near the top leaves no room.
    if start_op == 0 || start_op > u64::from(u32::MAX) - limits.max_rows {
        return Err(GuardError::Malformed("change start op out of range"));
    }
    r.sleb("change time")?;
    let msg_len = r.count("change message bytes", 64 * 1024)?;
    r.take(msg_len as u64, "change message")?;
    let n_actors = r.count("other actors", 1_024)?;
    for _ in 0..n_actors {
        let n = r.count("actor id bytes", 64)?;
        r.take(n as u64, "actor id")?;
    }
    read_columns(&mut r, limits)?;
    Ok(())
}

/// A whole document chunk (bundles only): actors, heads, change and operation columns.
fn read_document(data: &[u8], budget: &Budget) -> Result<(), GuardError> {
    let limits = &budget.limits;
    let mut r = Reader::new(data);
    let n_actors = r.count("actors", 4_096)?;
    for _ in 0..n_actors {
        let n = r.count("actor id bytes", 64)?;
        r.take(n as u64, "actor id")?;
    }
    let heads = r.hashes("heads", limits.max_hashes)?;
    let change_meta = read_column_meta(&mut r)?;
    let op_meta = read_column_meta(&mut r)?;
    for meta in [change_meta, op_meta] {
        read_column_data(&mut r, &meta, limits)?;
    }
    // Optional head indexes, one per head.
    if !r.is_empty() {
        for _ in 0..heads.len() {
            r.uleb("head index")?;
        }
    }
    if !r.is_empty() {
        return Err(GuardError::Malformed("trailing bytes in a document"));
    }
    Ok(())
}

/// Column specifications and lengths; the data follows.
fn read_column_meta(r: &mut Reader<'_>) -> Result<Vec<(u32, u64)>, GuardError> {
    let n = r.count("columns", 64)?;
    let mut cols = Vec::with_capacity(n);
    for _ in 0..n {
        let spec = r.uleb("column spec")?;
        let spec = u32::try_from(spec).map_err(|_| GuardError::Malformed("column spec too large"))?;
        let len = r.uleb("column length")?;
        // Compressed columns are refused: Ayllu's peers never write them (bundles are
        // compressed whole), and inflating them is one more bomb to defuse.
        if spec & 0b1000 != 0 {
            return Err(GuardError::Malformed("compressed columns are not accepted"));
        }
        cols.push((spec, len));
    }
    Ok(cols)
}

fn read_columns(r: &mut Reader<'_>, limits: &Limits) -> Result<(), GuardError> {
    let meta = read_column_meta(r)?;
    read_column_data(r, &meta, limits)?;
    if !r.is_empty() {
        // Automerge keeps unknown trailing bytes of a change; they cost nothing to hold,
        // but nothing of ours writes them.
        return Err(GuardError::Malformed("trailing bytes in a change"));
    }
    Ok(())
}

fn read_column_data(r: &mut Reader<'_>, meta: &[(u32, u64)], limits: &Limits) -> Result<(), GuardError> {
    for &(spec, len) in meta {
        let data = r.take(len, "column data")?;
        let rows = column_rows(spec & 0b111, data, limits.max_rows)?;
        if rows > limits.max_rows {
            return Err(GuardError::TooMany {
                what: "rows in a column",
                got: rows,
                max: limits.max_rows,
            });
        }
    }
    Ok(())
}

/// How many rows a column declares, counting run lengths without expanding them.
fn column_rows(kind: u32, data: &[u8], max: u64) -> Result<u64, GuardError> {
    let mut r = Reader::new(data);
    let mut rows: u64 = 0;
    let add = |rows: &mut u64, n: u64| -> Result<(), GuardError> {
        *rows = rows.saturating_add(n);
        if *rows > max {
            return Err(GuardError::TooMany {
                what: "rows in a column",
                got: *rows,
                max,
            });
        }
        Ok(())
    };
    match kind {
        // Raw values: their rows are the value-metadata column's.
        7 => {}
        // Booleans: alternating run lengths.
        4 => {
            while !r.is_empty() {
                let n = r.uleb("boolean run")?;
                add(&mut rows, n)?;
            }
        }
        // Run-length encoded: unsigned (group, actor, integer, value metadata), signed
        // (delta) or strings.
        _ => {
            while !r.is_empty() {
                let count = r.sleb("run length")?;
                if count > 0 {
                    add(&mut rows, count as u64)?;
                    rle_value(&mut r, kind)?;
                } else if count < 0 {
                    let n = count.unsigned_abs();
                    add(&mut rows, n)?;
                    for _ in 0..n {
                        rle_value(&mut r, kind)?;
                    }
                } else {
                    let n = r.uleb("null run")?;
                    add(&mut rows, n)?;
                }
            }
        }
    }
    Ok(rows)
}

fn rle_value(r: &mut Reader<'_>, kind: u32) -> Result<(), GuardError> {
    match kind {
        3 => {
            r.sleb("delta value")?;
        }
        5 => {
            let n = r.uleb("string length")?;
            r.take(n, "string")?;
        }
        _ => {
            r.uleb("integer value")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::sync::{State, SyncDoc};
    use automerge::{Automerge, ROOT, transaction::Transactable};
    use ayllu_synth::hostile::{self, bloom_message, change_declaring_rows, message_with_changes};

    fn doc() -> Automerge {
        let mut d = Automerge::new();
        for i in 0..5 {
            let mut tx = d.transaction();
            tx.put(ROOT, "address", format!("Casa {i} {}", "x".repeat(400)))
                .unwrap();
            tx.commit();
        }
        d
    }

    /// Real messages, as our peers write them, pass and read back identical (but for flags).
    #[test]
    fn genuine_messages_pass() {
        let a = doc();
        let mut b = Automerge::new();
        let (mut sa, mut sb) = (State::new(), State::new());
        for _ in 0..6 {
            for (from, to, s_from, s_to) in [(&a, &mut b, &mut sa, &mut sb)] {
                if let Some(m) = from.generate_sync_message(s_from) {
                    let bytes = m.clone().encode();
                    let read = read_message(&bytes, &Limits::SYNC).unwrap();
                    assert_eq!(read.heads, m.heads);
                    assert_eq!(read.have, m.have);
                    assert_eq!(read.changes.len(), m.changes.len());
                    to.receive_sync_message(s_to, read).unwrap();
                }
            }
            if let Some(m) = b.generate_sync_message(&mut sb) {
                let read = read_message(&m.encode(), &Limits::SYNC).unwrap();
                let mut a2 = a.clone();
                a2.receive_sync_message(&mut sa, read).unwrap();
            }
        }
        assert_eq!(a.get_heads(), b.get_heads());
        // Saved documents (bundles) pass too; their changes as well.
        check_chunks(&a.save_nocompress(), &Limits::SYNC).unwrap();
        check_chunks(&a.save_after(&[]), &Limits::SYNC).unwrap();
        // A compressed whole document is not what our bundles carry.
        assert!(check_chunks(&a.save(), &Limits::SYNC).is_err());
    }

    #[test]
    fn absurd_bloom_filters_are_refused() {
        // The 65-byte bomb: 4,294,967,295 probes.
        let bomb = bloom_message(1, 10, u32::MAX as u64, 2);
        assert!(matches!(
            read_message(&bomb, &Limits::SYNC),
            Err(GuardError::Bloom(_))
        ));
        // Zero bits per entry (a division by zero in Automerge).
        let zero = bloom_message(5, 0, 7, 0);
        assert!(matches!(
            read_message(&zero, &Limits::SYNC),
            Err(GuardError::Bloom(_))
        ));
        // Bit array shorter or longer than declared.
        assert!(read_message(&bloom_message(8, 10, 7, 9), &Limits::SYNC).is_err());
        assert!(read_message(&bloom_message(8, 10, 7, 11), &Limits::SYNC).is_err());
        // Too many entries.
        assert!(read_message(&bloom_message(1 << 20, 10, 7, (1 << 20) * 10 / 8), &Limits::SYNC).is_err());
        // A sane one passes.
        assert!(read_message(&bloom_message(8, 10, 7, 10), &Limits::SYNC).is_ok());
    }

    #[test]
    fn counts_larger_than_the_input_are_refused_before_allocating() {
        // "a billion heads" in 6 bytes.
        let mut m = vec![0x42];
        push_uleb(&mut m, 1_000_000_000);
        assert!(matches!(
            read_message(&m, &Limits::SYNC),
            Err(GuardError::TooMany { .. })
        ));
        let mut m = vec![0x42];
        push_uleb(&mut m, 1_000);
        assert!(matches!(
            read_message(&m, &Limits::SYNC),
            Err(GuardError::Truncated(_))
        ));
        // Overlong LEB128 (0x80 0x00 for 0).
        assert!(read_message(&[0x42, 0x80, 0x00, 0, 0, 0], &Limits::SYNC).is_err());
        assert!(read_message(&[0x42, 0, 0, 0, 0], &Limits::SYNC).is_ok());
        // Trailing garbage after the flags.
        assert!(read_message(&[0x42, 0, 0, 0, 0, 1, 2, 9], &Limits::SYNC).is_err());
    }

    /// A chunk whose checksum is the one of `checksum_of` (kind, data).
    fn chunk(kind: u8, data: &[u8], checksum_of: (u8, &[u8])) -> Vec<u8> {
        let sum: [u8; 4] = chunk_hash(checksum_of.0, checksum_of.1)[..4].try_into().unwrap();
        hostile::chunk(kind, sum, data)
    }

    #[test]
    fn run_length_bombs_are_refused() {
        let small = change_declaring_rows(10);
        let ok = message_with_changes(&[chunk(CHUNK_CHANGE, &small, (CHUNK_CHANGE, &small))]);
        read_message(&ok, &Limits::SYNC).unwrap();
        let big = change_declaring_rows(4_000_000_000);
        let bomb = message_with_changes(&[chunk(CHUNK_CHANGE, &big, (CHUNK_CHANGE, &big))]);
        assert!(matches!(
            read_message(&bomb, &Limits::SYNC),
            Err(GuardError::TooMany { .. })
        ));
        // A wrong checksum.
        let bad = message_with_changes(&[chunk(CHUNK_CHANGE, &small, (CHUNK_CHANGE, b"other"))]);
        assert_eq!(read_message(&bad, &Limits::SYNC), Err(GuardError::Checksum));
        // Document and bundle chunks are not accepted in sync messages.
        let doc_chunk = message_with_changes(&[chunk(CHUNK_DOCUMENT, &small, (CHUNK_DOCUMENT, &small))]);
        assert_eq!(
            read_message(&doc_chunk, &Limits::SYNC),
            Err(GuardError::ChunkType(0))
        );
        let bundle = message_with_changes(&[chunk(3, &small, (3, &small))]);
        assert_eq!(
            read_message(&bundle, &Limits::SYNC),
            Err(GuardError::ChunkType(3))
        );
    }

    #[test]
    fn compressed_changes_inflate_within_the_limit() {
        use std::io::Write;
        // 58 MB of zeros deflate to ~57 KB: a bomb inside a 1 KB-ish request.
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&vec![0u8; 58 * 1024 * 1024]).unwrap();
        let deflated = z.finish().unwrap();
        let bomb = message_with_changes(&[chunk(CHUNK_COMPRESSED, &deflated, (CHUNK_CHANGE, b""))]);
        assert_eq!(
            read_message(&bomb, &Limits::SYNC),
            Err(GuardError::Inflates(Limits::SYNC.max_change_bytes))
        );
        // A genuine compressed change passes.
        let body = change_declaring_rows(3);
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&body).unwrap();
        let deflated = z.finish().unwrap();
        let ok = message_with_changes(&[chunk(CHUNK_COMPRESSED, &deflated, (CHUNK_CHANGE, &body))]);
        read_message(&ok, &Limits::SYNC).unwrap();
    }
}
