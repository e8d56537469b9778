//! The hub's registry (hub stores only): enrolled devices and one-time enrollment codes.
//! Plain rows and atomic steps; the rules (how codes and tokens are made and hashed, what a
//! scope grants, when a token rotates) belong to `ayllu-hub`, which alone calls these.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::{Store, StoreError};

/// An enrolled device as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRow {
    pub device_id: String,
    pub name: String,
    pub promotor: String,
    /// JSON list of community names (`"*"` for all), as the hub wrote it.
    pub communities: String,
    pub enrolled_at: String,
    pub last_sync_at: Option<String>,
    pub revoked_at: Option<String>,
    pub actor: Option<String>,
    pub public_key: Option<String>,
    pub token_issued_at: Option<String>,
    /// What the device may ask the hub for (`promotor`, `staff`, `committee`).
    pub role: String,
    /// Set aside for staff to review (it opens nothing): its key was first held by
    /// `set_aside_for`, a device enrolled before it (see the schema's V9).
    pub set_aside_at: Option<String>,
    pub set_aside_for: Option<String>,
}

/// One line of the hub's access log.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AccessRow {
    pub at: String,
    pub device_id: Option<String>,
    pub role: Option<String>,
    pub action: String,
    pub status: u16,
    pub detail: String,
}

/// What a redeemed code registers.
#[derive(Debug, Clone)]
pub struct NewDevice<'a> {
    pub device_id: &'a str,
    pub name: &'a str,
    pub actor: &'a str,
    pub public_key: &'a str,
    pub token_hash: &'a [u8],
}

/// How redeeming a code went.
#[derive(Debug, Clone, PartialEq)]
pub enum Redeemed {
    Device(Box<DeviceRow>),
    /// Unknown, already used or expired.
    BadCode,
    /// Another unrevoked device writes under this actor.
    ActorTaken,
    /// An enrolled, unrevoked device holds this key.
    KeyTaken,
    /// A revoked device held this key: it never opens anything again.
    KeyRevoked,
}

/// Who holds a public key: one device, or nobody this hub trusts.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyHolder {
    Nobody,
    Device(Box<DeviceRow>),
    /// The device that held the key was revoked: what it signs is refused.
    Revoked(Box<DeviceRow>),
}

const DEVICE_COLUMNS: &str = "device_id, name, promotor, communities, enrolled_at, last_sync_at, revoked_at, \
                              actor, public_key, token_issued_at, role, set_aside_at, set_aside_for";

fn device_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceRow> {
    Ok(DeviceRow {
        device_id: r.get(0)?,
        name: r.get(1)?,
        promotor: r.get(2)?,
        communities: r.get(3)?,
        enrolled_at: r.get(4)?,
        last_sync_at: r.get(5)?,
        revoked_at: r.get(6)?,
        actor: r.get(7)?,
        public_key: r.get(8)?,
        token_issued_at: r.get(9)?,
        role: r.get(10)?,
        set_aside_at: r.get(11)?,
        set_aside_for: r.get(12)?,
    })
}

impl Store {
    pub fn add_enrollment_code(
        &self,
        code_hash: &[u8],
        promotor: &str,
        communities: &str,
        role: &str,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO hub_enrollments (code_hash, promotor, communities, created_at, expires_at, role)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                code_hash,
                promotor,
                communities,
                created_at.to_rfc3339(),
                expires_at.to_rfc3339(),
                role
            ],
        )?;
        Ok(())
    }

    /// Spends a code and registers the device, in one transaction: a power cut leaves the
    /// code unspent and no device, or both. The device gets the code's promotor and
    /// communities.
    pub fn redeem_enrollment(
        &mut self,
        code_hash: &[u8],
        now: DateTime<Utc>,
        device: &NewDevice<'_>,
    ) -> Result<Redeemed, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let code: Option<(String, String, String, Option<String>, String)> = tx
            .query_row(
                "SELECT promotor, communities, expires_at, used_by, role FROM hub_enrollments WHERE code_hash = ?1",
                [code_hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((promotor, communities, expires_at, used_by, role)) = code else {
            return Ok(Redeemed::BadCode);
        };
        let expired = DateTime::parse_from_rfc3339(&expires_at).map_or(true, |t| t < now);
        if used_by.is_some() || expired {
            return Ok(Redeemed::BadCode);
        }
        // A key belongs to one device, revoked or not (a set-aside row holds nothing: the
        // key is its first holder's). Refused before the code is spent.
        let key_holder: Option<bool> = tx
            .query_row(
                "SELECT revoked_at IS NOT NULL FROM hub_devices WHERE public_key = ?1 AND set_aside_at IS NULL",
                [device.public_key],
                |r| r.get(0),
            )
            .optional()?;
        match key_holder {
            Some(false) => return Ok(Redeemed::KeyTaken),
            Some(true) => return Ok(Redeemed::KeyRevoked),
            None => {}
        }
        let taken: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM hub_devices
                           WHERE actor = ?1 AND revoked_at IS NULL AND set_aside_at IS NULL)",
            [device.actor],
            |r| r.get(0),
        )?;
        if taken {
            return Ok(Redeemed::ActorTaken);
        }
        tx.execute(
            "UPDATE hub_enrollments SET used_by = ?2 WHERE code_hash = ?1",
            params![code_hash, device.device_id],
        )?;
        tx.execute(
            "INSERT INTO hub_devices (device_id, name, promotor, communities, token_hash, enrolled_at, actor,
                                      public_key, token_issued_at, role)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?6, ?9)",
            params![
                device.device_id,
                device.name,
                promotor,
                communities,
                device.token_hash,
                now.to_rfc3339(),
                device.actor,
                device.public_key,
                role
            ],
        )?;
        let row = tx.query_row(
            &format!("SELECT {DEVICE_COLUMNS} FROM hub_devices WHERE device_id = ?1"),
            [device.device_id],
            device_row,
        )?;
        tx.commit()?;
        Ok(Redeemed::Device(Box::new(row)))
    }

    pub fn device(&self, device_id: &str) -> Result<Option<DeviceRow>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {DEVICE_COLUMNS} FROM hub_devices WHERE device_id = ?1"),
                [device_id],
                device_row,
            )
            .optional()?)
    }

    /// Every enrolled device, oldest enrollment first.
    pub fn devices(&self) -> Result<Vec<DeviceRow>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {DEVICE_COLUMNS} FROM hub_devices ORDER BY enrolled_at"
        ))?;
        Ok(stmt.query_map([], device_row)?.collect::<Result<_, _>>()?)
    }

    /// Who holds a public key (hex): exactly one device, or nobody. Devices set aside
    /// hold nothing; two holders (a store the schema's index does not guard) is nobody.
    pub fn key_holder(&self, public_key: &str) -> Result<KeyHolder, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {DEVICE_COLUMNS} FROM hub_devices WHERE public_key = ?1 AND set_aside_at IS NULL LIMIT 2"
        ))?;
        let mut rows: Vec<DeviceRow> = stmt
            .query_map([public_key], device_row)?
            .collect::<Result<_, _>>()?;
        Ok(match (rows.pop(), rows.is_empty()) {
            (Some(row), true) if row.revoked_at.is_some() => KeyHolder::Revoked(Box::new(row)),
            (Some(row), true) => KeyHolder::Device(Box::new(row)),
            _ => KeyHolder::Nobody,
        })
    }

    /// Devices set aside and not yet revoked: staff have not reviewed them.
    pub fn devices_set_aside(&self) -> Result<Vec<DeviceRow>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {DEVICE_COLUMNS} FROM hub_devices
             WHERE set_aside_at IS NOT NULL AND revoked_at IS NULL ORDER BY enrolled_at"
        ))?;
        Ok(stmt.query_map([], device_row)?.collect::<Result<_, _>>()?)
    }

    /// The unrevoked device (not set aside) holding this token hash, and whether it is its current token
    /// (`false`: the one before, still accepted until the current one is used).
    pub fn device_by_token(&self, token_hash: &[u8]) -> Result<Option<(DeviceRow, bool)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {DEVICE_COLUMNS}, token_hash = ?1 FROM hub_devices
                     WHERE (token_hash = ?1 OR previous_token_hash = ?1)
                       AND revoked_at IS NULL AND set_aside_at IS NULL"
                ),
                [token_hash],
                |r| Ok((device_row(r)?, r.get(13)?)),
            )
            .optional()?)
    }

    /// Gives a device a new token. With `keep_current`, the current one becomes the
    /// previous (still accepted once more); otherwise the previous one stays as it was.
    pub fn replace_device_token(
        &self,
        device_id: &str,
        token_hash: &[u8],
        now: DateTime<Utc>,
        keep_current: bool,
    ) -> Result<(), StoreError> {
        let sql = if keep_current {
            "UPDATE hub_devices SET previous_token_hash = token_hash, token_hash = ?2, token_issued_at = ?3
             WHERE device_id = ?1"
        } else {
            "UPDATE hub_devices SET token_hash = ?2, token_issued_at = ?3 WHERE device_id = ?1"
        };
        self.conn
            .execute(sql, params![device_id, token_hash, now.to_rfc3339()])?;
        Ok(())
    }

    /// The device used its current token: the previous one opens nothing from now on.
    pub fn forget_previous_device_token(&self, device_id: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE hub_devices SET previous_token_hash = NULL
             WHERE device_id = ?1 AND previous_token_hash IS NOT NULL",
            [device_id],
        )?;
        Ok(())
    }

    /// Revokes a device; false if there is none with this id.
    pub fn revoke_device(&self, device_id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE hub_devices SET revoked_at = ?2 WHERE device_id = ?1",
            params![device_id, now.to_rfc3339()],
        )? > 0)
    }

    /// Adds a line to the hub's access log.
    pub fn log_access(&self, row: &AccessRow) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO hub_access_log (at, device_id, role, action, status, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                row.at,
                row.device_id,
                row.role,
                row.action,
                row.status,
                row.detail
            ],
        )?;
        Ok(())
    }

    /// The access log, oldest first.
    pub fn access_log(&self) -> Result<Vec<AccessRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT at, device_id, role, action, status, detail FROM hub_access_log ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(AccessRow {
                at: r.get(0)?,
                device_id: r.get(1)?,
                role: r.get(2)?,
                action: r.get(3)?,
                status: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn touch_device(&self, device_id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE hub_devices SET last_sync_at = ?2 WHERE device_id = ?1",
            params![device_id, now.to_rfc3339()],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;

    /// A hub store from before enrollments proved their key (schema 8) in which an
    /// impostor registered V's key twice, and a phone revoked then enrolled again with its
    /// own key: opening it sets every later holder aside, naming the first; from then on
    /// a key belongs to one device.
    #[test]
    fn a_key_held_twice_before_the_fix_is_set_aside_when_the_store_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.sqlite3");
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            schema::migrations().to_version(&mut conn, 8).unwrap();
            let add = |id: &str, actor: &str, key: &str, at: &str, revoked: Option<&str>| {
                conn.execute(
                    "INSERT INTO hub_devices (device_id, name, promotor, communities, token_hash, enrolled_at,
                                              revoked_at, actor, public_key, token_issued_at)
                     VALUES (?1, ?1, 'Juana', '[\"*\"]', ?6, ?2, ?3, ?4, ?5, ?2)",
                    params![id, at, revoked, actor, key, id.as_bytes()],
                )
                .unwrap();
            };
            // Device ids sort against enrollment order: the impostors' first (as in the
            // attack, where V's bundles were judged as an impostor's).
            add("z-v", "aa01", "k-v", "2026-11-01T10:00:00+00:00", None);
            add("a-impostor", "aa02", "k-v", "2026-11-02T10:00:00+00:00", None);
            add("b-impostor", "aa03", "k-v", "2026-11-03T10:00:00+00:00", None);
            add("w", "aa04", "k-w", "2026-11-01T11:00:00+00:00", None);
            add(
                "r",
                "aa05",
                "k-r",
                "2026-11-01T12:00:00+00:00",
                Some("2026-11-04T00:00:00+00:00"),
            );
            add("r-again", "aa05", "k-r", "2026-11-05T12:00:00+00:00", None);
        }
        let mut store = Store::open(&path).unwrap();
        let aside: Vec<(String, Option<String>)> = store
            .devices_set_aside()
            .unwrap()
            .into_iter()
            .map(|d| (d.device_id, d.set_aside_for))
            .collect();
        assert_eq!(
            aside,
            [
                ("a-impostor".to_string(), Some("z-v".to_string())),
                ("b-impostor".into(), Some("z-v".into())),
                ("r-again".into(), Some("r".into())),
            ]
        );
        let holder = |key: &str| match store.key_holder(key).unwrap() {
            KeyHolder::Device(d) => format!("device {}", d.device_id),
            KeyHolder::Revoked(d) => format!("revoked {}", d.device_id),
            KeyHolder::Nobody => "nobody".into(),
        };
        assert_eq!(holder("k-v"), "device z-v");
        assert_eq!(holder("k-w"), "device w");
        assert_eq!(holder("k-r"), "revoked r");
        assert_eq!(holder("k-x"), "nobody");
        // Set aside, a device opens nothing.
        assert!(store.device_by_token(b"a-impostor").unwrap().is_none());
        assert!(store.device_by_token(b"z-v").unwrap().is_some());
        // `ayllu check` names each until staff revoke it.
        let found: Vec<String> = store
            .check()
            .unwrap()
            .into_iter()
            .filter(|f| f.code == "device_set_aside")
            .map(|f| f.detail)
            .collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].contains("a-impostor") && found[0].contains("z-v"),
            "{found:?}"
        );
        store.revoke_device("a-impostor", Utc::now()).unwrap();
        assert_eq!(store.devices_set_aside().unwrap().len(), 2);
        // From now on the schema itself refuses a key held twice.
        let twice = store.conn.execute(
            "INSERT INTO hub_devices (device_id, name, promotor, communities, token_hash, enrolled_at, actor, public_key)
             VALUES ('x', 'x', 'x', '[]', x'01', '2026-12-01', 'aa09', 'k-w')",
            [],
        );
        assert!(twice.is_err(), "{twice:?}");
    }
}
