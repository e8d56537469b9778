//! Hand-made hostile bytes, in one place for the tests, the fuzz seeds and the attack
//! scenarios: Automerge sync messages and chunks as an attacker writes them (the encodings
//! are Automerge's: LEB128 counts, `0x42` sync messages, `85 6f 4a 83` chunks).

/// Appends `v` as unsigned LEB128.
pub fn uleb(out: &mut Vec<u8>, mut v: u64) {
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

/// `v` as signed LEB128.
pub fn sleb(mut v: i64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        let done = (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0);
        out.push(if done { byte } else { byte | 0x80 });
        if done {
            return out;
        }
    }
}

/// A v1 sync message whose only content is one Bloom filter with these parameters and
/// `bit_bytes` bytes of bits (whatever the parameters say it should have).
pub fn bloom_message(entries: u64, bits_per_entry: u64, probes: u64, bit_bytes: usize) -> Vec<u8> {
    let mut bloom = Vec::new();
    for v in [entries, bits_per_entry, probes] {
        uleb(&mut bloom, v);
    }
    bloom.extend(std::iter::repeat_n(0xa5, bit_bytes));
    let mut m = vec![0x42, 0, 0, 1, 0];
    uleb(&mut m, bloom.len() as u64);
    m.extend(bloom);
    m.push(0);
    m
}

/// A chunk: magic, the first 4 bytes of `checksum` (the chunk hash, as Automerge
/// computes it, or anything), type, length, data.
pub fn chunk(kind: u8, checksum: [u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x85, 0x6f, 0x4a, 0x83];
    out.extend(checksum);
    out.push(kind);
    uleb(&mut out, data.len() as u64);
    out.extend_from_slice(data);
    out
}

/// A v1 sync message carrying these change entries (each one chunk, or several).
pub fn message_with_changes(entries: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0x42, 0, 0, 0];
    uleb(&mut out, entries.len() as u64);
    for e in entries {
        uleb(&mut out, e.len() as u64);
        out.extend_from_slice(e);
    }
    out
}

/// The body of a change (after its chunk header) whose one operation column (an RLE
/// integer column) declares `rows` rows in a few bytes.
pub fn change_declaring_rows(rows: u64) -> Vec<u8> {
    let mut b = vec![0, 16];
    b.extend([7u8; 16]);
    b.extend([1, 1, 0, 0, 0]); // seq 1, start op 1, time 0, no message, no other actors
    let mut col = sleb(rows as i64);
    col.push(1);
    b.push(1);
    uleb(&mut b, (2 << 4) | 2);
    uleb(&mut b, col.len() as u64);
    b.extend(col);
    b
}
