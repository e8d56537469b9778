//! Sync bundles: files carried where no link reaches (a USB stick, an SD card).

use std::path::{Path, PathBuf};

use ayllu_store::Store;
use ayllu_sync::bundle::BundleReport;
use ayllu_sync::http::HUB_ID;
use serde::Serialize;

use crate::OpsError;

#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub file: PathBuf,
    pub households: usize,
    pub bytes: usize,
}

/// Writes what the other side is not known to have: on a phone, for its hub; on a hub,
/// `for_device` within that device's communities (or, with none, everything).
pub fn write(store: &mut Store, file: &Path, for_device: Option<&str>) -> Result<Written, OpsError> {
    let (from, peer, scope) = match for_device {
        Some(device_id) => {
            let device = ayllu_hub::admin::device(store, device_id)?
                .ok_or_else(|| OpsError::UnknownDevice(device_id.to_string()))?;
            (
                ayllu_hub::admin::hub_id(store)?,
                Some(device.peer()),
                device.scope(),
            )
        }
        None => {
            let peer = store.setting(HUB_ID)?.map(|h| format!("hub:{h}"));
            (store.device_id().to_string(), peer, ayllu_sync::Scope::All)
        }
    };
    let (bytes, households) = ayllu_sync::bundle::write(store, &from, peer.as_deref(), &scope)?;
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
    let unreadable = |reason: String| OpsError::Bundle {
        file: file.display().to_string(),
        reason,
    };
    let key = ayllu_sync::bundle::signer(&bytes).map_err(|e| unreadable(e.to_string()))?;
    let author = ayllu_hub::bundle_author(store, &key)?.ok_or_else(|| {
        unreadable("lo firmó un dispositivo que no está registrado aquí o fue dado de baja".into())
    })?;
    ayllu_sync::bundle::read(store, &bytes, &author, apply).map_err(|e| unreadable(e.to_string()))
}
