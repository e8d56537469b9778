//! Sync bundles: a file carried on a USB stick or SD card where no link reaches.
//!
//! A bundle holds, for each household, the changes the receiver is not known to have (or
//! the whole document). Reading is all or nothing, and idempotent: Automerge ignores
//! changes it already has, so a bundle read twice, or an older one read after a newer
//! one, changes nothing. A truncated or altered file fails its SHA-256 check and is
//! refused whole.

use automerge::{ChangeHash, ReadDoc};
use ayllu_model::HouseholdId;
use ayllu_store::{Replica, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::wire::{self, Kind, WireError};
use crate::{Scope, SyncError, docsync};

/// Largest bundle file read (compressed) and its largest decompressed body.
pub const MAX_BUNDLE: usize = 256 * 1024 * 1024;
const MAX_BUNDLE_DECODED: u64 = 1024 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// Who wrote it (a device id or a hub id), for the record.
    pub from: String,
    pub created_at: i64,
    pub docs: Vec<BundleDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleDoc {
    pub household: HouseholdId,
    /// Automerge changes or a whole saved document (both load with `load_incremental`).
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BundleReport {
    pub households: usize,
    /// Households that changed here because of the bundle.
    pub changed: usize,
}

/// Writes a bundle of every household in `scope`, holding what `peer` is not known to
/// have (everything, without a peer).
pub fn write(
    store: &mut Store,
    from: &str,
    peer: Option<&str>,
    scope: &Scope,
) -> Result<(Vec<u8>, usize), SyncError> {
    let docs = store.replica(|r: &mut Replica<'_>| -> Result<Vec<BundleDoc>, SyncError> {
        let mut docs = Vec::new();
        let mut seq = 0;
        loop {
            let batch = r.updated_since(seq, 512)?;
            let Some(&(_, last)) = batch.last() else { break };
            for (id, _) in batch {
                if !r.community(id)?.is_some_and(|c| scope.allows(&c)) {
                    continue;
                }
                let doc = r.document(id)?.expect("listed documents exist");
                let known: Vec<ChangeHash> = match peer {
                    Some(p) => docsync::restore(r.sync_state(p, id)?.as_deref()).shared_heads,
                    None => vec![],
                };
                // Uncompressed: the whole bundle is compressed at once, which is smaller.
                let data = if known.is_empty() {
                    doc.save_nocompress()
                } else {
                    doc.save_after(&known)
                };
                if !data.is_empty() {
                    docs.push(BundleDoc { household: id, data });
                }
            }
            seq = last;
        }
        Ok(docs)
    })?;
    let count = docs.len();
    let bundle = Bundle {
        from: from.to_string(),
        created_at: chrono_free_now(),
        docs,
    };
    let mut bytes = wire::encode(Kind::Bundle, &bundle);
    let sum = Sha256::digest(&bytes);
    bytes.extend_from_slice(&sum);
    Ok((bytes, count))
}

fn chrono_free_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Checks and decodes a bundle file.
pub fn parse(bytes: &[u8]) -> Result<Bundle, SyncError> {
    if bytes.len() > MAX_BUNDLE {
        return Err(WireError::TooLarge(bytes.len() as u64).into());
    }
    if bytes.len() < 6 + 32 {
        return Err(WireError::Corrupt("the file is too short to be a bundle".into()).into());
    }
    let (body, sum) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(body).as_slice() != sum {
        return Err(
            WireError::Corrupt("checksum mismatch: the file is truncated or was altered".into()).into(),
        );
    }
    Ok(wire::decode_limited(
        Kind::Bundle,
        body,
        MAX_BUNDLE,
        MAX_BUNDLE_DECODED,
    )?)
}

/// Reads a bundle into the store: every household or none.
pub fn read(store: &mut Store, bytes: &[u8]) -> Result<BundleReport, SyncError> {
    let bundle = parse(bytes)?;
    store.replica(|r: &mut Replica<'_>| -> Result<BundleReport, SyncError> {
        let mut report = BundleReport::default();
        for BundleDoc { household: id, data } in &bundle.docs {
            // Read within our limits before Automerge sees a byte of it.
            crate::guard::check_chunks(data, &crate::guard::Limits::SYNC)
                .map_err(|e| SyncError::BadMessage(*id, e.to_string()))?;
            let (mut doc, before) = r.document_or_new(*id)?;
            doc.load_incremental(data)
                .map_err(|e| SyncError::BadMessage(*id, e.to_string()))?;
            if !doc.get_missing_deps(&[]).is_empty() {
                return Err(SyncError::BadMessage(
                    *id,
                    "the bundle builds on changes this store does not have (read the earlier bundle first)"
                        .into(),
                ));
            }
            report.households += 1;
            if before.as_deref() != Some(&doc.get_heads()[..]) {
                r.save_document(*id, &doc, before.as_deref())?;
                report.changed += 1;
            }
        }
        Ok(report)
    })
}
