//! The health post's side: enrollment codes for phones, the devices list, revocation, and
//! facility mode as the post's equipment keeps it (where the hub listens, on which port).

use std::net::IpAddr;

use ayllu_hub::AdminError;
use ayllu_hub::DeviceInfo;
pub use ayllu_hub::admin::Role;
use ayllu_hub::admin::{self, Communities};
use ayllu_model::{FieldError, PersonName, Problem, ShortText};
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

impl Grant {
    /// The communities ticked on the facility screen: none ticked is every community, as
    /// the screen says beside the field.
    pub fn picked(communities: Vec<String>) -> Grant {
        if communities.iter().all(|c| c.trim().is_empty()) {
            Grant::All
        } else {
            Grant::Only(communities)
        }
    }
}

/// What a phone scans to enroll: the hub's address, the typed code, and the whole SHA-256
/// of the hub's certificate (the phone pins it).
pub fn enroll_link(address: &str, code: &Code) -> String {
    format!(
        "ayllu://enroll?hub={address}&code={}&cert={}",
        code.code, code.fingerprint
    )
}

const ENABLED: &str = "facility.enabled";
const PORT: &str = "facility.port";
/// The address the hub listens on (one of [`interfaces`]), never every interface.
const LISTEN: &str = "facility.listen";
/// Where the hub listens when staff have not said.
pub const DEFAULT_PORT: u16 = 8470;
/// Ports below this are the system's.
const LOWEST_PORT: u16 = 1024;

/// Facility mode: the hub listens on one of this machine's addresses, on a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    pub listen: IpAddr,
    pub port: u16,
}

impl Mode {
    /// The address and port as staff chose them: one of [`interfaces`] (never all at
    /// once), a port from 1024 up; refused naming `listen` or `port`.
    pub fn parse(listen: &str, port: u32) -> Result<Mode, OpsError> {
        let listen: IpAddr = listen
            .trim()
            .parse()
            .ok()
            .filter(|ip| interfaces().contains(ip))
            .ok_or_else(|| FieldError::new("listen", Problem::UnknownCode))?;
        let port = u16::try_from(port)
            .ok()
            .filter(|p| *p >= LOWEST_PORT)
            .ok_or_else(|| FieldError::new("port", Problem::PortOutOfRange))?;
        Ok(Mode { listen, port })
    }

    /// Facility mode as left at the last start: on (where) or off.
    pub fn kept(store: &Store) -> Result<Option<Mode>, OpsError> {
        if store.setting(ENABLED)?.as_deref() != Some("true") {
            return Ok(None);
        }
        Ok(Some(Mode {
            listen: remembered_listen(store),
            port: kept_port(store)?,
        }))
    }

    /// Keeps facility mode on (here) or off for the next start.
    pub fn keep(store: &Store, on: Option<Mode>) -> Result<(), OpsError> {
        store.set_setting(ENABLED, if on.is_some() { "true" } else { "false" })?;
        if let Some(mode) = on {
            store.set_setting(PORT, &mode.port.to_string())?;
            store.set_setting(LISTEN, &mode.listen.to_string())?;
        }
        Ok(())
    }
}

/// The port chosen last (the default until one is).
pub fn kept_port(store: &Store) -> Result<u16, OpsError> {
    Ok(store
        .setting(PORT)?
        .and_then(|p| p.parse().ok())
        .unwrap_or(DEFAULT_PORT))
}

/// Where the hub may listen: this machine's address on the post's network (first: what
/// phones use), or this machine only. Never 0.0.0.0: another network the machine is on
/// (a second card, a hotspot) does not get the hub.
pub fn interfaces() -> Vec<IpAddr> {
    let mut out = vec![lan_address()];
    let loopback = IpAddr::from([127, 0, 0, 1]);
    if !out.contains(&loopback) {
        out.push(loopback);
    }
    out
}

/// The address chosen before (if still one of this machine's), else the network's.
pub fn remembered_listen(store: &Store) -> IpAddr {
    store
        .setting(LISTEN)
        .ok()
        .flatten()
        .and_then(|s| s.parse().ok())
        .filter(|ip| interfaces().contains(ip))
        .unwrap_or_else(lan_address)
}

/// This machine's address on the local network: the source address a packet to a public
/// address would use (no packet is sent). Loopback when there is no network at all.
fn lan_address() -> IpAddr {
    let probe = || -> std::io::Result<IpAddr> {
        let s = std::net::UdpSocket::bind("0.0.0.0:0")?;
        s.connect("192.0.2.1:9")?;
        Ok(s.local_addr()?.ip())
    };
    probe().unwrap_or(IpAddr::from([127, 0, 0, 1]))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facility_mode_is_kept_and_its_address_and_port_checked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        assert_eq!(Mode::kept(&store).unwrap(), None);
        assert_eq!(kept_port(&store).unwrap(), DEFAULT_PORT);
        let field = |e: OpsError| e.field_name().map(str::to_string);
        assert_eq!(
            field(Mode::parse("127.0.0.1", 1023).unwrap_err()).as_deref(),
            Some("port")
        );
        assert_eq!(
            field(Mode::parse("127.0.0.1", 70_000).unwrap_err()).as_deref(),
            Some("port")
        );
        assert_eq!(
            field(Mode::parse("0.0.0.0", 8470).unwrap_err()).as_deref(),
            Some("listen")
        );
        assert_eq!(
            field(Mode::parse("hub", 8470).unwrap_err()).as_deref(),
            Some("listen")
        );
        let mode = Mode::parse(" 127.0.0.1 ", 9000).unwrap();
        Mode::keep(&store, Some(mode)).unwrap();
        assert_eq!(Mode::kept(&store).unwrap(), Some(mode));
        Mode::keep(&store, None).unwrap();
        assert_eq!(Mode::kept(&store).unwrap(), None);
        assert_eq!(
            kept_port(&store).unwrap(),
            9000,
            "the port chosen stays for next time"
        );
    }

    #[test]
    fn no_community_ticked_is_every_community() {
        assert!(matches!(Grant::picked(vec![" ".into()]), Grant::All));
        assert!(matches!(Grant::picked(vec![]), Grant::All));
        assert!(matches!(
            Grant::picked(vec!["Ccorca".into(), "".into()]),
            Grant::Only(_)
        ));
    }
}
