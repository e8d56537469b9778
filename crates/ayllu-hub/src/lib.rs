//! # ayllu-hub
//!
//! The health post's hub, its rules: enrollment codes and what redeeming one registers
//! (`admin`: a key proved, one device per key and per live actor, scopes, hashed and
//! rotating tokens), who may ask for what (`roles`), who signed a bundle
//! ([`bundle_author`]) and the hub's certificate (`tls::Identity`). Plain functions over
//! the store: no socket, no web server. `ayllu-hub-server` serves them over HTTPS; the
//! operations both faces call (`ayllu-ops`) use them directly.

pub mod admin;
pub mod roles;
pub mod tls;

use ayllu_store::Store;

pub use admin::{AdminError, DeviceInfo};

/// Who signed a bundle, as this store knows them: on a hub, an enrolled and unrevoked
/// device (its scope and actor bound what the bundle may change); on a phone, its hub
/// (whose key it kept at enrollment). `None`: nobody this store trusts.
pub fn bundle_author(
    store: &Store,
    key: &[u8; 32],
) -> Result<Option<ayllu_sync::bundle::Author>, AdminError> {
    if let Some(device) = admin::device_by_key(store, key)? {
        let Some(actor) = device.actor_id() else {
            return Ok(None);
        };
        return Ok(Some(ayllu_sync::bundle::Author {
            scope: device.scope(),
            actor: Some(actor),
            name: device.device_id,
        }));
    }
    let hub_key = store.setting(ayllu_sync::http::HUB_KEY)?;
    Ok(hub_key
        .and_then(|k| ayllu_sync::enrollment::parse_public_key(&k))
        .filter(|k| k == key)
        .map(|_| ayllu_sync::bundle::Author {
            name: "hub".into(),
            scope: ayllu_sync::Scope::All,
            actor: None,
        }))
}
