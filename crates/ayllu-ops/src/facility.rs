//! The health post's side: enrollment codes for phones, the devices list, revocation.

use ayllu_hub::AdminError;
use ayllu_hub::DeviceInfo;
pub use ayllu_hub::admin::Role;
use ayllu_hub::admin::{self, Communities};
use ayllu_model::{FieldError, PersonName, ShortText};
use ayllu_store::Store;
use serde::Serialize;

use crate::OpsError;

#[derive(Debug, Clone, Serialize)]
pub struct Code {
    /// What the promotora types: the one-time secret and the short fingerprint of this
    /// hub's certificate (`XXXX-XXXX-XXXX-FFFF-FFFF-FFFF-FFFF`).
    pub code: String,
    /// The certificate's whole SHA-256 (hex), for the QR link.
    pub fingerprint: String,
    pub promotor: PersonName,
    pub communities: Vec<ShortText>,
    pub all_communities: bool,
    pub role: Role,
    pub valid_days: i64,
}

/// Who may enroll: named communities, or every one said explicitly (fail closed).
pub enum Grant {
    All,
    Only(Vec<String>),
}

/// A one-time enrollment code for a promotor's phone, valid for `days` (the limits are
/// `ayllu_hub::admin`'s, refused here naming the field).
pub fn new_code(
    store: &Store,
    promotor: &str,
    grant: Grant,
    role: Role,
    days: i64,
) -> Result<Code, OpsError> {
    let promotor = PersonName::parse(promotor).map_err(|p| FieldError::new("promotor", p))?;
    let (communities, all) = match grant {
        Grant::All => (Vec::new(), true),
        Grant::Only(list) => (
            list.iter()
                .filter(|c| !c.trim().is_empty())
                .map(|c| ShortText::parse(c).map_err(|p| FieldError::new("community", p)))
                .collect::<Result<Vec<_>, _>>()?,
            false,
        ),
    };
    let grant = if all {
        Communities::All
    } else {
        Communities::Only(communities.clone())
    };
    let secret = admin::enroll(store, &promotor, &grant, role, chrono::Duration::days(days))?;
    let hub = ayllu_hub::tls::Identity::of(store)
        .map_err(AdminError::from)?
        .fingerprint();
    Ok(Code {
        code: ayllu_sync::tls::typed_code(&secret, &hub),
        fingerprint: hub.to_hex(),
        promotor,
        communities,
        all_communities: all,
        role,
        valid_days: days,
    })
}

pub fn devices(store: &Store) -> Result<Vec<DeviceInfo>, OpsError> {
    Ok(admin::devices(store)?)
}

pub fn revoke(store: &Store, device_id: &str) -> Result<DeviceInfo, OpsError> {
    Ok(admin::revoke(store, device_id)?)
}
