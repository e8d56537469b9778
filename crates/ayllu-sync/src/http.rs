//! The HTTP transport (reqwest, blocking): a thin adapter around [`DeviceSession`].

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ayllu_store::Store;

use crate::enrollment::{Application, HubSeen};
use crate::tls::{Fingerprint, Seen, Trust};
use crate::wire::{self, Kind, Request, Response};
use crate::{DeviceSession, Progress, SyncError};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No connection at all: no network, hub off. Nothing was sent. Try again later.
    #[error("the hub at {url} cannot be reached: {reason}")]
    Unreachable { url: String, reason: String },
    /// Connected, then the link dropped before the whole answer came back: the hub may
    /// already hold what was sent (it is idempotent), and the next sync confirms it.
    #[error("the link to the hub at {url} was cut before its answer arrived: {reason}")]
    Cut { url: String, reason: String },
    /// The hub answered and said no.
    #[error("the hub refused the request ({status} {code}): {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// The machine at the address is not the hub this phone trusts: its certificate is not
    /// the pinned one. Nothing was sent (not even the token).
    #[error("the machine at {url} is not this phone's hub: its certificate {seen} is not the one pinned")]
    WrongCertificate { url: String, seen: String },
    /// A phone that pins its hub's certificate does not speak plain HTTP (and a plain-HTTP
    /// link must be asked for by name).
    #[error("{url}: plain HTTP refused (the hub is reached over HTTPS, or with --insecure-http)")]
    PlainHttpRefused { url: String },
    #[error("the hub's answer is not understood: {0}")]
    Protocol(String),
    #[error(transparent)]
    Sync(#[from] SyncError),
}

impl ClientError {
    /// Worth retrying later (as opposed to a refusal that will not change by itself).
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Unreachable { .. } | ClientError::Cut { .. } => true,
            ClientError::Refused { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Enrollment {
    /// The hub's certificate met while enrolling (none over plain HTTP): pinned from then on.
    #[serde(skip)]
    pub certificate: Option<Fingerprint>,
    pub token: String,
    pub hub_id: String,
    /// The hub's ed25519 public key (hex): bundles from the hub are checked against it.
    pub hub_key: String,
    pub device: serde_json::Value,
}

impl Enrollment {
    /// The communities the hub granted this device (fail closed: none if it did not say).
    pub fn scope(&self) -> crate::Scope {
        if self.device["all_communities"].as_bool() == Some(true) {
            return crate::Scope::All;
        }
        let list = self.device["communities"]
            .as_array()
            .map(|l| l.iter().filter_map(|c| c.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        crate::Scope::Communities(list)
    }

    /// Keeps what enrolling gave this device: token, hub, the hub's key, the scope.
    pub fn save(&self, store: &Store, hub_url: &str) -> Result<(), ayllu_store::StoreError> {
        store.set_setting(HUB_URL, hub_url)?;
        store.set_setting(TOKEN, &self.token)?;
        store.set_setting(HUB_ID, &self.hub_id)?;
        store.set_setting(HUB_KEY, &self.hub_key)?;
        match self.certificate {
            Some(pin) => {
                store.set_setting(HUB_CERT, &pin.to_hex())?;
                store.set_setting(INSECURE_HTTP, "false")?;
            }
            None => {
                store.set_setting(HUB_CERT, "")?;
                store.set_setting(INSECURE_HTTP, "true")?;
            }
        }
        // What the hub lets this device ask for (the app shows only that).
        let role = self.device["role"].as_str().unwrap_or("promotor");
        store.set_setting(ROLE, role)?;
        store.set_device_scope(&self.scope())
    }
}

/// Settings a phone keeps about its hub (one owner for the names: the CLI and the app).
pub const HUB_URL: &str = "sync.hub_url";
pub const TOKEN: &str = "sync.token";
pub const HUB_ID: &str = "sync.hub_id";
/// The hub's ed25519 public key (hex): bundles from the hub are checked against it.
pub const HUB_KEY: &str = "sync.hub_key";
/// The SHA-256 fingerprint (hex) of the hub's certificate: the only one this phone accepts.
pub const HUB_CERT: &str = "sync.hub_certificate";
/// "true" when the phone was enrolled over plain HTTP, asked for by name.
pub const INSECURE_HTTP: &str = "sync.insecure_http";
/// The role the hub enrolled this device with (`promotor`, `staff`, `committee`).
pub const ROLE: &str = "sync.role";

/// How this phone trusts its hub, from what enrolling kept: the pinned certificate, else
/// plain HTTP if it was asked for; `None`, enrolled before hubs had certificates.
pub fn kept_trust(store: &Store) -> Result<Option<Trust>, ayllu_store::StoreError> {
    if let Some(pin) = store
        .setting(HUB_CERT)?
        .as_deref()
        .and_then(Fingerprint::parse_hex)
    {
        return Ok(Some(Trust::Pinned(pin)));
    }
    Ok((store.setting(INSECURE_HTTP)?.as_deref() == Some("true")).then_some(Trust::InsecureHttp))
}

/// The HTTP client for a hub trusted as `trust`: always our TLS config (reqwest has no
/// default crypto provider here; over plain HTTP it trusts no certificate at all), no
/// redirects (they could lead the token elsewhere), HTTPS only when a certificate is pinned.
fn http_client(
    trust: &Trust,
    local: Option<std::net::IpAddr>,
) -> (reqwest::blocking::Client, Option<Arc<Mutex<Seen>>>) {
    let (config, seen) = crate::tls::client_config(trust.clone());
    let mut builder = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(120))
        .redirect(reqwest::redirect::Policy::none())
        .local_address(local)
        .tls_backend_preconfigured(config);
    let seen = match trust {
        Trust::InsecureHttp => None,
        _ => {
            builder = builder.https_only(true);
            Some(seen)
        }
    };
    (
        builder.build().expect("a client with a rustls config builds"),
        seen,
    )
}

pub struct HubClient {
    base: String,
    trust: Trust,
    /// What the last TLS handshake met (a refused certificate is told apart from no network).
    seen: Option<Arc<Mutex<Seen>>>,
    /// Replaced when the hub rotates it (see [`Response::token`]).
    token: Mutex<Option<String>>,
    http: reqwest::blocking::Client,
    budget: usize,
    /// How fast the last sync exchange carried its request (bytes a second, as `f64`
    /// bits; 0: not measured): the next request's compression depends on it.
    rate: std::sync::atomic::AtomicU64,
}

impl HubClient {
    /// A client for the hub at `base_url` that only talks to the hub `trust` names: over
    /// HTTPS with a pinned (or typed) certificate, or over plain HTTP asked for by name.
    pub fn new(base_url: &str, trust: Trust, token: Option<String>) -> HubClient {
        let (http, seen) = http_client(&trust, None);
        HubClient {
            base: base_url.trim_end_matches('/').to_string(),
            trust,
            seen,
            token: Mutex::new(token),
            http,
            budget: crate::DEFAULT_BUDGET,
            rate: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The hub's certificate met in the last handshake, if one was accepted.
    pub fn certificate(&self) -> Option<Fingerprint> {
        let seen = *self.seen.as_ref()?.lock().unwrap_or_else(|p| p.into_inner());
        seen.fingerprint.filter(|_| !seen.refused)
    }

    /// `path` on the hub, if this client may go there: HTTPS when it pins a certificate,
    /// plain HTTP only when that was asked for.
    fn url(&self, path: &str) -> Result<String, ClientError> {
        let https = self.base.starts_with("https://");
        let plain = self.base.starts_with("http://");
        match (&self.trust, https, plain) {
            (Trust::InsecureHttp, _, true) | (Trust::Pinned(_) | Trust::Short(_), true, _) => {
                Ok(format!("{}{path}", self.base))
            }
            _ => Err(ClientError::PlainHttpRefused {
                url: self.base.clone(),
            }),
        }
    }

    /// The same client, its connections made from `local` (a machine with several
    /// addresses; the load bench gives each phone its own loopback address, as each phone
    /// has its own on the post's Wi-Fi).
    pub fn with_local_address(mut self, local: std::net::IpAddr) -> HubClient {
        (self.http, self.seen) = http_client(&self.trust, Some(local));
        self
    }

    /// Bytes of sync messages per request (smaller on a poor link: less to resend).
    pub fn with_budget(mut self, bytes: usize) -> HubClient {
        self.budget = bytes;
        self
    }

    /// A transport failure: another machine's certificate, no connection (nothing sent),
    /// or a link cut once connected.
    fn unreachable(&self, e: reqwest::Error) -> ClientError {
        let (url, reason) = (self.base.clone(), e.to_string());
        if let Some(seen) = &self.seen {
            let seen = *seen.lock().unwrap_or_else(|p| p.into_inner());
            if let (true, Some(f)) = (seen.refused, seen.fingerprint) {
                return ClientError::WrongCertificate {
                    url,
                    seen: f.to_hex(),
                };
            }
        }
        if e.is_connect() {
            ClientError::Unreachable { url, reason }
        } else {
            ClientError::Cut { url, reason }
        }
    }

    fn refused(status: reqwest::StatusCode, body: &[u8]) -> ClientError {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        ClientError::Refused {
            status: status.as_u16(),
            code: v["code"].as_str().unwrap_or("unknown").to_string(),
            message: v["message"].as_str().unwrap_or("").to_string(),
        }
    }

    pub fn health(&self) -> Result<serde_json::Value, ClientError> {
        let resp = self
            .http
            .get(self.url("/v1/health")?)
            .send()
            .map_err(|e| self.unreachable(e))?;
        let status = resp.status();
        let body = resp.bytes().map_err(|e| self.unreachable(e))?;
        if !status.is_success() {
            return Err(Self::refused(status, &body));
        }
        serde_json::from_slice(&body).map_err(|e| ClientError::Protocol(e.to_string()))
    }

    /// The hub's printable indicator report for `year` (HTML; for a committee device, its
    /// small counts hidden by the hub). At most 8 MiB.
    pub fn report_html(&self, year: i32) -> Result<String, ClientError> {
        let mut req = self
            .http
            .get(self.url(&format!("/v1/report?year={year}&format=html"))?);
        if let Some(t) = self.token.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            req = req.bearer_auth(t);
        }
        let resp = req.send().map_err(|e| self.unreachable(e))?;
        let status = resp.status();
        let bytes = resp.bytes().map_err(|e| self.unreachable(e))?;
        if !status.is_success() {
            return Err(Self::refused(status, &bytes));
        }
        if bytes.len() > 8 * 1024 * 1024 {
            return Err(ClientError::Protocol("report over 8 MiB".into()));
        }
        String::from_utf8(bytes.to_vec()).map_err(|e| ClientError::Protocol(e.to_string()))
    }

    /// Exchanges a one-time enrollment code for this device's token, registering the
    /// Automerge actor this device writes under and its public key.
    pub fn enroll(&self, code: &str, device: &Store, name: &str) -> Result<Enrollment, ClientError> {
        self.enroll_as(code, device.actor(), device.signing_key(), name)
    }

    /// [`HubClient::enroll`] with the device's actor and key given, for a caller that must
    /// not hold its store during the network call. The enrollment is signed with `key`
    /// over the hub met (see [`crate::enrollment`]): over HTTPS the certificate of a first
    /// handshake, to which alone the signed enrollment is then sent.
    pub fn enroll_as(
        &self,
        code: &str,
        actor: &automerge::ActorId,
        key: &ed25519_dalek::SigningKey,
        name: &str,
    ) -> Result<Enrollment, ClientError> {
        let seen = match &self.trust {
            Trust::InsecureHttp => HubSeen::PlainHttp,
            Trust::Pinned(pin) => HubSeen::Certificate(*pin),
            Trust::Short(_) => {
                self.health()?;
                HubSeen::Certificate(
                    self.certificate()
                        .ok_or_else(|| ClientError::Protocol("no certificate met".into()))?,
                )
            }
        };
        let pinned;
        let client = match seen {
            HubSeen::Certificate(pin) if self.trust != Trust::Pinned(pin) => {
                pinned = HubClient::new(&self.base, Trust::Pinned(pin), None);
                &pinned
            }
            _ => self,
        };
        let application = Application::sign(code, actor, key, name, seen);
        let resp = client
            .http
            .post(client.url("/v1/enroll")?)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&application).expect("an application is JSON"))
            .send()
            .map_err(|e| client.unreachable(e))?;
        let status = resp.status();
        let bytes = resp.bytes().map_err(|e| client.unreachable(e))?;
        if !status.is_success() {
            return Err(Self::refused(status, &bytes));
        }
        let mut enrollment: Enrollment =
            serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol(e.to_string()))?;
        enrollment.certificate = client.certificate();
        Ok(enrollment)
    }

    /// Keeps a token the hub rotated: in the store for the next sync, here for this one.
    /// (Lost before it is written? The hub still accepts the old one once more.)
    fn keep_token(&self, store: &Store, token: Option<String>) -> Result<(), SyncError> {
        if let Some(t) = token {
            store.set_setting(TOKEN, &t)?;
            *self.token.lock().unwrap_or_else(|p| p.into_inner()) = Some(t);
        }
        Ok(())
    }

    /// Sends one encoded request; returns the decoded response. A hub that says "too many
    /// requests" (429) changed nothing: the same request is sent again after the wait it
    /// asks for (at most 30 s, a few times).
    /// A request as the link deserves: compressed thoroughly on a slow link, quickly on a
    /// fast one (the phone's CPU is then the wait).
    fn encode(&self, request: &Request) -> Vec<u8> {
        let effort = wire::Effort::for_rate(self.rate());
        wire::encode_with(wire::Version::CURRENT, Kind::Request, effort, request)
    }

    /// Bytes a second the last exchange carried; `None` before any.
    fn rate(&self) -> Option<f64> {
        let rate = f64::from_bits(self.rate.load(std::sync::atomic::Ordering::Relaxed));
        (rate > 0.0).then_some(rate)
    }

    fn exchange(&self, body: Vec<u8>) -> Result<Response, ClientError> {
        let mut tries = 0;
        let started = std::time::Instant::now();
        loop {
            let mut req = self
                .http
                .post(self.url("/v1/sync")?)
                .header("content-type", "application/x-ayllu-sync")
                .body(body.clone());
            if let Some(t) = self.token.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
                req = req.bearer_auth(t);
            }
            let resp = req.send().map_err(|e| self.unreachable(e))?;
            let status = resp.status();
            let wait = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            let bytes = resp.bytes().map_err(|e| self.unreachable(e))?;
            if status.as_u16() == 429 && tries < 3 {
                tries += 1;
                std::thread::sleep(Duration::from_secs(wait.unwrap_or(5).clamp(1, 30)));
                continue;
            }
            if !status.is_success() {
                return Err(Self::refused(status, &bytes));
            }
            let rate = (body.len() + bytes.len()) as f64 / started.elapsed().as_secs_f64().max(1e-3);
            self.rate
                .store(rate.to_bits(), std::sync::atomic::Ordering::Relaxed);
            return Ok(wire::decode(Kind::Response, &bytes).map_err(SyncError::from)?);
        }
    }

    /// A whole sync with the hub known locally as `peer`. Each response is committed
    /// before the next request; a failure leaves everything committed so far in place and
    /// the next sync carries on from there.
    pub fn sync(
        &self,
        store: &mut Store,
        peer: &str,
        on_progress: impl FnMut(&Progress),
    ) -> Result<Progress, ClientError> {
        self.run(store, peer, on_progress)
    }

    /// The same sync for a store others use meanwhile (the app's UI): the lock is held
    /// only while a request is built (the next one too, while this one travels) or a
    /// response stored, never for the rest of the wait.
    pub fn sync_shared(
        &self,
        store: &Mutex<Store>,
        peer: &str,
        on_progress: impl FnMut(&Progress),
    ) -> Result<Progress, ClientError> {
        self.run(store, peer, on_progress)
    }

    /// Requests and responses in turn; while the hub works on one request, the next is
    /// built and compressed (`DeviceSession::prefetch`): on a phone that is time a sync
    /// otherwise spends waiting. It is sent only if the answer left it the next request
    /// (`DeviceSession::adopt`); otherwise the next is built as always.
    fn run(
        &self,
        mut store: impl StoreAccess,
        peer: &str,
        mut on_progress: impl FnMut(&Progress),
    ) -> Result<Progress, ClientError> {
        let mut session = DeviceSession::new(peer).with_budget(self.budget);
        if self.rate().is_none() {
            // How to compress for this link is learnt from an exchange: the first is kept
            // small (thoroughly compressed, as for a slow link, until then).
            session = session.with_first_budget(self.budget / 8);
        }
        let Some(first) = store.with(|s| session.next_request(s))? else {
            return Ok(session.progress().clone());
        };
        let mut body = self.encode(&first);
        loop {
            let (response, ahead) = std::thread::scope(|scope| {
                let exchange = scope.spawn(move || self.exchange(body));
                // Compressed ahead too once the link is measured; else after this exchange
                // measures it.
                let measured = self.rate().is_some();
                let ahead = store.with(|s| session.prefetch(s)).map(|ahead| {
                    ahead.map(|ahead| {
                        let body = measured.then(|| self.encode(ahead.request()));
                        (ahead, body)
                    })
                });
                let response = exchange
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (response, ahead)
            });
            let mut response = response?;
            let token = response.token.take();
            store.with(|s| -> Result<(), ClientError> {
                session.receive(s, response)?;
                self.keep_token(s, token)?;
                Ok(())
            })?;
            on_progress(session.progress());
            let adopted = ahead?.and_then(|(ahead, body)| {
                let request = session.adopt(ahead)?;
                Some(body.unwrap_or_else(|| self.encode(&request)))
            });
            body = match adopted {
                Some(body) => body,
                None => match store.with(|s| session.next_request(s))? {
                    Some(request) => self.encode(&request),
                    None => break,
                },
            };
        }
        Ok(session.progress().clone())
    }
}

/// Where a sync finds the phone's store: its own for the sync, or shared with the app
/// (locked only while a request is built or a response stored).
trait StoreAccess {
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> T) -> T;
}

impl StoreAccess for &mut Store {
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> T) -> T {
        f(self)
    }
}

impl StoreAccess for &Mutex<Store> {
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> T) -> T {
        f(&mut self.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}
