//! Sync bundles: files carried where no link reaches (a USB stick, an SD card).

use std::path::{Path, PathBuf};

use ayllu_store::Store;
use ayllu_sync::bundle::BundleReport;
use ayllu_sync::http::HUB_ID;
use serde::Serialize;

use crate::OpsError;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Written {
    pub file: PathBuf,
    pub households: usize,
    pub bytes: usize,
}

/// Writes what the other side is not known to have: on a phone, for its hub; on a hub,
/// `for_device` within that device's communities (or, with none, everything).
pub fn write(store: &mut Store, file: &Path, for_device: Option<&str>) -> Result<Written, OpsError> {
    // Encrypted to who reads it: the device's key at the hub, the hub's key on a phone (a
    // phone not yet enrolled has nobody to write to).
    let (from, peer, scope, receiver) = match for_device {
        Some(device_id) => {
            let device = ayllu_hub::admin::device(store, device_id)?
                .ok_or_else(|| OpsError::UnknownDevice(device_id.to_string()))?;
            let receiver = device
                .public_key
                .as_deref()
                .and_then(ayllu_sync::enrollment::parse_public_key)
                .ok_or_else(|| OpsError::UnknownDevice(device_id.to_string()))?;
            (
                ayllu_hub::admin::hub_id(store)?,
                Some(device.peer()),
                device.scope(),
                receiver,
            )
        }
        None => {
            let peer = store.setting(HUB_ID)?.map(|h| format!("hub:{h}"));
            let receiver = store
                .setting(ayllu_sync::http::HUB_KEY)?
                .as_deref()
                .and_then(ayllu_sync::enrollment::parse_public_key)
                .ok_or(OpsError::NotEnrolled)?;
            (
                store.device_id().to_string(),
                peer,
                ayllu_sync::Scope::All,
                receiver,
            )
        }
    };
    let (bytes, households) = ayllu_sync::bundle::write(store, &from, peer.as_deref(), &scope, &receiver)?;
    // Written beside, then renamed: a stick pulled out mid-write leaves no half file.
    let partial = file.with_extension("partial");
    std::fs::write(&partial, &bytes).map_err(OpsError::io(&partial))?;
    std::fs::rename(&partial, file).map_err(OpsError::io(file))?;
    Ok(Written {
        file: file.to_path_buf(),
        households,
        bytes: bytes.len(),
    })
}

/// Reads a bundle signed by someone this store trusts (on a hub: an enrolled device; on a
/// phone: its hub), each household checked like a sync. With `apply` false, only says what
/// it would change. A damaged or unsigned file changes nothing.
pub fn read(store: &mut Store, file: &Path, apply: bool) -> Result<BundleReport, OpsError> {
    let bytes = std::fs::read(file).map_err(OpsError::io(file))?;
    // The person sees the file's name, not where it is; the reason is for support staff.
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let unreadable = |reason: String| OpsError::Bundle {
        file: name.clone(),
        reason,
    };
    let key = ayllu_sync::bundle::signer(&bytes).map_err(|e| unreadable(e.to_string()))?;
    let author = ayllu_hub::bundle_author(store, &key)?.ok_or_else(|| {
        unreadable("lo firmó un dispositivo que no está registrado aquí o fue dado de baja".into())
    })?;
    ayllu_sync::bundle::read(store, &bytes, &author, apply).map_err(|e| unreadable(e.to_string()))
}

/// The ending of bundle files Ayllu writes.
pub const EXTENSION: &str = "ayllu";

/// A bundle's name for today: `ayllu-2026-11-26.ayllu`.
pub fn file_name(today: chrono::NaiveDate) -> String {
    format!("ayllu-{}.{EXTENSION}", today.format("%Y-%m-%d"))
}

/// What reading a bundle did (or would do), in counts a screen can show.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Outcome {
    pub households: u32,
    pub changed: u32,
    pub refused: u32,
    pub preview: bool,
}

impl From<&BundleReport> for Outcome {
    fn from(r: &BundleReport) -> Outcome {
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Outcome {
            households: n(r.households),
            changed: n(r.changed.len()),
            refused: n(r.refused.len()),
            preview: r.preview,
        }
    }
}

/// Where a bundle file was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Found {
    /// In this device's data folder (`paquetes/`).
    Here,
    /// On a USB stick or SD card (a mounted removable drive).
    Removable,
}

/// A bundle file a person can pick without typing a path.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BundleFile {
    /// Opaque to people: passed back to read it.
    pub path: PathBuf,
    pub name: String,
    pub found: Found,
}

/// Bundle files in `folder` and on mounted removable drives (`/media/<user>/<drive>`,
/// `/run/media/<user>/<drive>`, top level of each drive), newest name first.
pub fn files(folder: &Path) -> Vec<BundleFile> {
    let mut out = Vec::new();
    let mut scan = |dir: &Path, found: Found| {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().and_then(|x| x.to_str()) == Some(EXTENSION) && path.is_file() {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                out.push(BundleFile { path, name, found });
            }
        }
    };
    scan(folder, Found::Here);
    for root in ["/media", "/run/media"] {
        for user in std::fs::read_dir(root).into_iter().flatten().flatten() {
            for drive in std::fs::read_dir(user.path()).into_iter().flatten().flatten() {
                scan(&drive.path(), Found::Removable);
            }
        }
    }
    out.sort_by(|a, b| b.name.cmp(&a.name));
    out
}
