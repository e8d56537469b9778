//! Syncing with the hub this device is enrolled with.

use std::sync::Mutex;

use ayllu_hub::admin::Role;
use ayllu_model::HouseholdId;
use ayllu_store::{Direction, Store};
use ayllu_sync::Progress;
use ayllu_sync::http::{HUB_ID, HUB_URL, HubClient, ROLE, TOKEN, kept_trust};
use ayllu_sync::tls::Trust;
use ayllu_sync::wire::RefusalCode;
use serde::Serialize;

use crate::OpsError;

/// Where this device syncs: the hub's address, its token, and the name this store keeps
/// the hub's bookkeeping under.
#[derive(Debug, Clone)]
pub struct HubLink {
    pub url: String,
    pub token: Option<String>,
    pub peer: String,
    /// The hub's certificate pinned at enrollment (or plain HTTP, asked for then); `None`
    /// for a phone enrolled before hubs had certificates, which must enroll again.
    pub trust: Option<Trust>,
}

impl HubLink {
    /// This device's hub, once enrolled.
    pub fn of(store: &Store) -> Result<Option<HubLink>, OpsError> {
        let Some(url) = store.setting(HUB_URL)? else {
            return Ok(None);
        };
        let hub_id = store.setting(HUB_ID)?.unwrap_or_else(|| url.clone());
        Ok(Some(HubLink {
            token: store.setting(TOKEN)?,
            peer: format!("hub:{hub_id}"),
            trust: kept_trust(store)?,
            url,
        }))
    }

    /// This device's hub, at a new address when `url` is given (the hub moved since
    /// enrollment: its certificate, pinned, still has to be the same).
    pub fn required(store: &Store, url: Option<String>) -> Result<HubLink, OpsError> {
        let link = HubLink::of(store)?.ok_or(OpsError::NotEnrolled)?;
        Ok(match url {
            Some(url) => HubLink {
                url: url.trim().trim_end_matches('/').to_string(),
                ..link
            },
            None => link,
        })
    }

    /// Plain HTTP, asked for at enrollment: the caller warns about it.
    pub fn is_insecure(&self) -> bool {
        self.trust == Some(Trust::InsecureHttp)
    }

    pub fn client(&self) -> Result<HubClient, OpsError> {
        let trust = self.trust.clone().ok_or(OpsError::ReEnroll)?;
        Ok(HubClient::new(&self.url, trust, self.token.clone()))
    }
}

/// The role the hub enrolled this device with; `None` while not enrolled (a device
/// enrolled before roles existed is a promotor's).
pub fn role(store: &Store) -> Result<Option<Role>, OpsError> {
    if store.setting(HUB_URL)?.is_none() {
        return Ok(None);
    }
    Ok(Some(
        store
            .setting(ROLE)?
            .as_deref()
            .map_or(Some(Role::Promotor), Role::parse)
            // A role this app does not know opens the least.
            .unwrap_or(Role::Committee),
    ))
}

/// Whether this device syncs households (a committee device only reads the report).
pub fn syncs(store: &Store) -> Result<bool, OpsError> {
    Ok(role(store)? != Some(Role::Committee))
}

/// The hub's printable indicator report for `year` (a network call: hold no store).
pub fn hub_report(link: &HubLink, year: i32) -> Result<String, OpsError> {
    Ok(link.client()?.report_html(year)?)
}

/// The setting holding the last time a sync finished.
pub const LAST_SUCCESS: &str = "sync.last_success";

/// One whole sync; what was committed before a cut stays and the next sync resumes.
pub fn sync_once(
    store: &mut Store,
    link: &HubLink,
    on_progress: impl FnMut(&Progress),
) -> Result<Progress, OpsError> {
    let progress = link.client()?.sync(store, &link.peer, on_progress)?;
    store.set_setting(LAST_SUCCESS, &chrono::Utc::now().to_rfc3339())?;
    Ok(progress)
}

/// The same sync for a store the UI uses meanwhile (locked only between exchanges).
pub fn sync_shared(
    store: &Mutex<Store>,
    link: &HubLink,
    on_progress: impl FnMut(&Progress),
) -> Result<Progress, OpsError> {
    let progress = link.client()?.sync_shared(store, &link.peer, on_progress)?;
    store
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .set_setting(LAST_SUCCESS, &chrono::Utc::now().to_rfc3339())?;
    Ok(progress)
}

/// A household the hub would not take (or that this phone would not take from the hub),
/// where it is, and why in words.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefusedHousehold {
    pub household: HouseholdId,
    /// "Community · address", as the lists show it.
    pub place: String,
    pub direction: Direction,
    pub code: String,
    /// What the other side said, as it said it.
    pub detail: String,
    /// What it means, in words (`refusal-<code>`).
    pub message: ayllu_words::Message,
}

/// Households that could not be sent (or received), with the reason: they stay on this
/// phone and are offered again at every sync.
/// Households the health post does not have as they are here: every one while this
/// device is not linked to a post; else those waiting to be sent.
pub fn unsent(store: &Store) -> Result<Vec<HouseholdId>, OpsError> {
    Ok(match HubLink::of(store)? {
        Some(link) => store.waiting_ids(&link.peer)?,
        None => store.household_ids()?,
    })
}

pub fn refusals(store: &Store) -> Result<Vec<RefusedHousehold>, OpsError> {
    let Some(link) = HubLink::of(store)? else {
        return Ok(vec![]);
    };
    let mut out = Vec::new();
    for r in store.sync_refusals(&link.peer)? {
        let place = store
            .household(r.household_id)?
            .map(|h| format!("{} · {}", h.info.community, h.info.address))
            .unwrap_or_default();
        let message = match RefusalCode::from_code(&r.code) {
            Some(c) => ayllu_words::Message::new(format!("refusal-{}", c.as_str())),
            None => ayllu_words::Message::new("refusal-other"),
        };
        out.push(RefusedHousehold {
            household: r.household_id,
            place,
            direction: r.direction,
            code: r.code,
            detail: r.reason,
            message,
        });
    }
    Ok(out)
}
