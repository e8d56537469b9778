//! Background sync: when the device is enrolled it syncs with the hub at start, a few
//! seconds after each save, periodically, and on "sync now", with backoff while the hub is
//! unreachable. It runs on its own thread and holds the store only while a request is
//! built or a response stored (`HubClient::sync_shared`), so the UI never waits on it.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ayllu_ops::Backoff;
use ayllu_ops::Store;
use ayllu_ops::sync::{HubLink, LAST_SUCCESS};
use chrono::{DateTime, Utc};
use rand::Rng;

/// A save waits this long before syncing, so a burst of edits goes in one sync.
const AFTER_SAVE: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Not enrolled with a hub (or in facility mode: this app is the hub).
    Off,
    Idle,
    Syncing,
    /// The last try failed; another is scheduled.
    Failed,
}

/// What the Sync screen and the status bar show.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type)]
pub struct SyncStatus {
    pub phase: SyncPhase,
    pub hub_url: Option<String>,
    pub last_success: Option<DateTime<Utc>>,
    /// Households with changes the hub has not confirmed yet.
    pub waiting: u32,
    /// Exchanges, households sent and received in the sync running or just finished.
    pub exchanges: u32,
    pub sent: u32,
    pub received: u32,
    /// The last failure, in words (a catalogue message).
    pub error: Option<ayllu_words::Message>,
    /// Seconds until the next try, when one is scheduled.
    pub next_try_secs: Option<u32>,
    /// The link is plain HTTP (asked for by name at enrollment): the screen warns.
    pub insecure: bool,
}

pub enum Nudge {
    /// A record was saved here.
    Saved,
    /// The person asked for a sync now (or enrolled).
    Now,
}

pub struct SyncWorker {
    nudges: Mutex<Option<Sender<Nudge>>>,
    status: Arc<Mutex<SyncStatus>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Drop for SyncWorker {
    fn drop(&mut self) {
        self.stop();
    }
}

impl SyncWorker {
    /// Starts the worker thread. `publish` is called with every new status (to tell the UI).
    pub fn start(
        store: Arc<Mutex<Store>>,
        every: Duration,
        publish: impl Fn(&SyncStatus) + Send + 'static,
    ) -> SyncWorker {
        let (tx, rx) = std::sync::mpsc::channel();
        let status = Arc::new(Mutex::new(initial_status(&store)));
        let shared = status.clone();
        let thread = std::thread::Builder::new()
            .name("ayllu-sync".into())
            .spawn(move || run(store, rx, shared, every, publish))
            .expect("the sync thread starts");
        SyncWorker {
            nudges: Mutex::new(Some(tx)),
            status,
            thread: Mutex::new(Some(thread)),
        }
    }

    pub fn nudge(&self, n: Nudge) {
        if let Some(tx) = self.nudges.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = tx.send(n);
        }
    }

    /// Ends the thread (when the app quits): it finishes what it is doing, up to a few
    /// seconds, so no store work is under way while the process tears its libraries down
    /// (OpenSSL's cleanup at exit under a running SQLCipher connection crashes).
    pub fn stop(&self) {
        self.nudges.lock().unwrap_or_else(|p| p.into_inner()).take();
        let Some(thread) = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take() else {
            return;
        };
        let until = Instant::now() + Duration::from_secs(5);
        while !thread.is_finished() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        if thread.is_finished() {
            let _ = thread.join();
        }
    }

    pub fn status(&self) -> SyncStatus {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The hub this device syncs with (a committee device, enrolled only to read the
/// report, syncs nothing).
fn enrolled(store: &Store) -> Option<HubLink> {
    HubLink::of(store)
        .ok()
        .flatten()
        .filter(|_| ayllu_ops::sync::syncs(store).unwrap_or(false))
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}

fn initial_status(store: &Mutex<Store>) -> SyncStatus {
    let s = lock(store);
    let hub = enrolled(&s);
    SyncStatus {
        phase: if hub.is_some() {
            SyncPhase::Idle
        } else {
            SyncPhase::Off
        },
        waiting: hub
            .as_ref()
            .and_then(|h| s.waiting_for(&h.peer).ok())
            .unwrap_or(0) as u32,
        insecure: hub.as_ref().is_some_and(HubLink::is_insecure),
        hub_url: hub.map(|h| h.url),
        last_success: s
            .setting(LAST_SUCCESS)
            .ok()
            .flatten()
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc)),
        exchanges: 0,
        sent: 0,
        received: 0,
        error: None,
        next_try_secs: None,
    }
}

fn run(
    store: Arc<Mutex<Store>>,
    nudges: Receiver<Nudge>,
    status: Arc<Mutex<SyncStatus>>,
    every: Duration,
    publish: impl Fn(&SyncStatus),
) {
    let mut backoff = Backoff::new(Duration::from_secs(5), Duration::from_secs(300));
    let mut next = Some(Instant::now());
    // Saves leave their pages in the WAL; copying them into the database is a few ms a
    // save should not pay, so it is done here once the promotor pauses.
    let mut checkpoint: Option<Instant> = None;
    let update = |f: &dyn Fn(&mut SyncStatus)| {
        let snapshot = {
            let mut s = status.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut s);
            s.clone()
        };
        publish(&snapshot);
    };
    loop {
        let wake = match (next, checkpoint) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let wait = wake.map(|t| t.saturating_duration_since(Instant::now()));
        let got = match wait {
            Some(w) => nudges.recv_timeout(w),
            None => nudges.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match got {
            Ok(Nudge::Saved) => {
                let soon = Instant::now() + AFTER_SAVE;
                checkpoint = Some(soon);
                // While backing off, a save does not hurry the next try.
                if backoff.failures() == 0 {
                    next = Some(next.map_or(soon, |t| t.min(soon)));
                }
                let waiting = {
                    let s = lock(&store);
                    enrolled(&s)
                        .and_then(|h| s.waiting_for(&h.peer).ok())
                        .unwrap_or(0) as u32
                };
                update(&|s| s.waiting = waiting);
                continue;
            }
            Ok(Nudge::Now) => {
                backoff.succeeded();
                next = Some(Instant::now());
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {}
        }
        if checkpoint.is_some_and(|t| t <= Instant::now()) {
            checkpoint = None;
            let _ = lock(&store).checkpoint();
        }
        if next.is_none_or(|t| t > Instant::now()) {
            continue;
        }
        let Some(hub) = enrolled(&lock(&store)) else {
            update(&|s| {
                s.phase = SyncPhase::Off;
                s.hub_url = None;
                s.next_try_secs = None;
            });
            next = None;
            continue;
        };
        update(&|s| {
            s.phase = SyncPhase::Syncing;
            s.hub_url = Some(hub.url.clone());
            s.insecure = hub.is_insecure();
            s.exchanges = 0;
            s.sent = 0;
            s.received = 0;
            s.next_try_secs = None;
        });
        let result = ayllu_ops::sync::sync_shared(&store, &hub, |p| {
            update(&|s| {
                s.exchanges = p.exchanges;
                s.sent = p.sent as u32;
                s.received = p.received as u32;
            })
        });
        let waiting = lock(&store).waiting_for(&hub.peer).unwrap_or(0) as u32;
        match result {
            Ok(_) => {
                backoff.succeeded();
                let now = Utc::now();
                next = Some(Instant::now() + every);
                update(&|s| {
                    s.phase = SyncPhase::Idle;
                    s.last_success = Some(now);
                    s.waiting = waiting;
                    s.error = None;
                    s.next_try_secs = Some(every.as_secs() as u32);
                });
            }
            Err(e) => {
                let delay = backoff.failed(rand::rng().random::<f64>());
                next = Some(Instant::now() + delay);
                let words = e.words();
                update(&|s| {
                    s.phase = SyncPhase::Failed;
                    s.waiting = waiting;
                    s.error = Some(words.clone());
                    s.next_try_secs = Some(delay.as_secs() as u32);
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The store's WAL is checkpointed a few seconds after the last save, enrolled or not.
    #[test]
    fn saves_are_checkpointed_once_the_promotor_pauses() {
        let dir = tempfile::tempdir().unwrap();
        let store = ayllu_ops::folder::open_or_create(dir.path(), "482913", ayllu_lock::Unlock::Pin).unwrap();
        let store = Arc::new(Mutex::new(store));
        let worker = SyncWorker::start(store.clone(), Duration::from_secs(3600), |_| {});
        {
            let mut s = lock(&store);
            ayllu_ops::settings::set_promotor(&s, "Juana Condori").unwrap();
            let who = ayllu_ops::settings::signature(&s, None).unwrap();
            let new = ayllu_model::NewHousehold::from_json(serde_json::json!({
                "community": "Ccorca", "address": "Frente a la capilla", "consent": true,
                "members": [{"given_names": "Rosa", "surnames": "Quispe", "sex": "F",
                             "birth": {"date": "1990-01-01"}, "relationship": "head", "insurance": "sis"}]
            }))
            .unwrap();
            ayllu_ops::record::create_household(&mut s, &who, new, ayllu_ops::today()).unwrap();
            assert_eq!(s.uncheckpointed(), 1);
        }
        worker.nudge(Nudge::Saved);
        let until = Instant::now() + Duration::from_secs(20);
        while lock(&store).uncheckpointed() > 0 {
            assert!(Instant::now() < until, "no checkpoint 20 s after the save");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
