//! # ayllu-hub-server
//!
//! The health post's hub served over HTTPS: its own accept loop (connection caps, header
//! and body timeouts), throttles, TLS with the hub's certificate, and axum routes that are
//! thin adapters over the hub's rules (`ayllu-hub`), the sync handler (`ayllu-sync`) and
//! the operations (`ayllu-ops`, for the committee's report). A library, so the `ayllu` CLI
//! and the app's facility mode both start it; neither holds a rule of its own.
//!
//! Endpoints (all under `/v1`):
//! - `GET  /health` → `{hub_id, version}`
//! - `POST /enroll` JSON `{code, actor, public_key, name, signature}` → `{token, hub_id,
//!   hub_key, device}` (the hub makes the device id; `actor` is the Automerge actor the
//!   device writes under, `public_key` its ed25519 key for bundles, `signature` that key's
//!   proof over all of it and the hub's certificate: `ayllu_sync::enrollment`; `hub_key`
//!   the hub's)
//! - `POST /sync` (`Authorization: Bearer TOKEN`, body: `ayllu_sync::wire` request) → wire response
//!
//! - staff and committee requests (reports, households, devices, codes, the access log):
//!   see `ayllu_hub::roles`, which says who may ask what (`staff.rs` serves them).
//!
//! Refusals are 4xx with JSON `{code, message}` and change nothing.

mod ahead;
pub mod connections;
mod staff;
pub mod throttle;

use std::sync::{Arc, Mutex};

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ayllu_store::Store;
use ayllu_sync::wire::{self, Kind};
use ayllu_sync::{Sender, Serving, SyncError};

use ayllu_hub::{AdminError, admin, roles, tls};
pub use connections::{ClientAddr, ConnectionLimits, Link};
use throttle::Throttle;

/// A hub: its store, behind a lock (SQLite has one writer anyway).
pub struct Hub {
    store: Arc<Mutex<Store>>,
    id: String,
    /// The hub's ed25519 public key (hex): phones check the bundles it writes with it.
    public_key: String,
    /// Its TLS certificate's fingerprint (phones pin it) and the server config serving it.
    fingerprint: ayllu_sync::tls::Fingerprint,
    tls: Arc<rustls::ServerConfig>,
    limits: ConnectionLimits,
    tokens: admin::TokenPolicy,
    /// Enrollment attempts per address: codes are not practical to guess, and now not
    /// practical to try either.
    enrollments: Mutex<Throttle>,
    /// Sync requests per device: a phone in a loop cannot take the hub from the others.
    syncs: Mutex<Throttle>,
    /// Pages of a pull built while the phone stores the one before (`ahead.rs`).
    answers: ahead::Answers,
}

/// Enrollment attempts an address may make at once, and per minute after that.
pub const ENROLL_BURST: u32 = 10;
pub const ENROLL_PER_MINUTE: u32 = 10;
/// Sync requests a device may make at once, and per minute after that (a first sync of a
/// whole facility on a poor link is a few dozen requests).
pub const SYNC_BURST: u32 = 120;
pub const SYNC_PER_MINUTE: u32 = 240;

impl Hub {
    pub fn new(store: Store) -> Result<Hub, AdminError> {
        Hub::shared(Arc::new(Mutex::new(store)))
    }

    /// A hub over a store the caller also uses (the app in facility mode).
    pub fn shared(store: Arc<Mutex<Store>>) -> Result<Hub, AdminError> {
        let (id, public_key, identity) = {
            let s = store.lock().unwrap_or_else(|p| p.into_inner());
            // Enrollments set aside when the store was opened (a key held twice, from
            // before enrollments proved their key): said at every start until reviewed.
            for d in admin::awaiting_review(&s)? {
                eprintln!(
                    "ayllu-hub: device {} (\"{}\") is set aside for review: its key was first held by device {}; \
                     it opens nothing until staff revoke it",
                    d.device_id,
                    d.name,
                    d.set_aside_for.as_deref().unwrap_or("?")
                );
            }
            (admin::hub_id(&s)?, s.public_key_hex(), tls::Identity::of(&s)?)
        };
        Ok(Hub {
            store,
            id,
            public_key,
            fingerprint: identity.fingerprint(),
            tls: server_config(&identity)?,
            limits: ConnectionLimits::default(),
            tokens: admin::TokenPolicy::default(),
            enrollments: Mutex::new(Throttle::new(ENROLL_BURST, ENROLL_PER_MINUTE)),
            syncs: Mutex::new(Throttle::new(SYNC_BURST, SYNC_PER_MINUTE)),
            answers: ahead::Answers::default(),
        })
    }

    /// The same hub with other connection limits (tests, a bigger facility).
    pub fn with_limits(mut self, limits: ConnectionLimits) -> Hub {
        self.limits = limits;
        self
    }

    /// The same hub with another token policy (tests: rotate at every sync).
    pub fn with_token_policy(mut self, tokens: admin::TokenPolicy) -> Hub {
        self.tokens = tokens;
        self
    }

    /// The device holding `token`, if it may sync now (and its next token, if it rotated).
    pub fn authenticate(&self, token: Option<&str>) -> Result<admin::Authenticated, Refusal> {
        let token = token.ok_or(Refusal::Unauthorized("missing bearer token"))?;
        let found = self
            .with_store(|store| admin::authenticate(store, token, &self.tokens, chrono::Utc::now()))
            .map_err(Refusal::internal)?;
        let Some(found) = found else {
            self.log_access(
                None,
                roles::Action::Sync,
                401,
                "unknown, revoked or expired token",
            );
            return Err(Refusal::Unauthorized("unknown, revoked or expired token"));
        };
        if !found.device.role.is_some_and(|r| roles::Action::Sync.allows(r)) {
            self.log_access(
                Some(&found.device),
                roles::Action::Sync,
                403,
                "refused: not for this role",
            );
            return Err(Refusal::Role);
        }
        self.syncs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take(&found.device.device_id, Instant::now())
            .map_err(Refusal::TooMany)?;
        Ok(found)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The SHA-256 of the hub's certificate, which enrollment codes carry.
    pub fn fingerprint(&self) -> ayllu_sync::tls::Fingerprint {
        self.fingerprint
    }

    /// Runs `f` with the hub's store (for staff tools and tests).
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut store = self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut store)
    }

    /// One sync request from an authenticated device, from body bytes to body bytes.
    pub fn sync(self: &Arc<Self>, found: &admin::Authenticated, body: &[u8]) -> Result<Vec<u8>, Refusal> {
        let device = &found.device;
        let actor = device.actor_id().ok_or(Refusal::Unauthorized(
            "this device was enrolled before devices had registered actors: enroll it again",
        ))?;
        // Decoding and our bounded read of every message happen without the store.
        let (version, request): (_, wire::Request) =
            wire::decode_versioned(Kind::Request, body).map_err(|e| Refusal::from(SyncError::Wire(e)))?;
        let received = request.docs.len();
        // Answered in the version asked in: a phone not yet updated reads its own.
        let mut serving = Serving::new(request, version, ayllu_sync::DEFAULT_BUDGET)?;
        let (peer, scope) = (device.peer(), device.scope());
        let sender = Sender {
            peer: &peer,
            scope: &scope,
            actor: Some(&actor),
        };
        // A page built while the phone stored the last one is its answer if nothing changed
        // since (the request's own bookkeeping is done either way, once).
        let built = self.answers.take(&peer);
        let ahead = match built {
            Some(built) if found.new_token.is_none() => self
                .with_store(|store| serving.answer_ahead(store, &sender, &built.ahead))?
                .then_some(built),
            _ => None,
        };
        let (body, refused, sent, more, cursor) = match ahead {
            Some(built) => {
                self.answers.used();
                (built.body, 0, built.sent, built.more, built.cursor)
            }
            None => {
                // A step at a time, the store's lock let go in between: other phones' syncs
                // and the staff's screens are not held up by a large request.
                let mut response = loop {
                    if let Some(done) = self.with_store(|store| serving.step(store, &sender))? {
                        break done;
                    }
                };
                response.token = found.new_token.clone();
                let counts = (
                    response.refused.len(),
                    response.docs.len(),
                    response.more,
                    response.cursor,
                );
                let body = wire::encode_as(version, Kind::Response, &response);
                (body, counts.0, counts.1, counts.2, counts.3)
            }
        };
        if more {
            ahead::Answers::build(
                self,
                ahead::Device {
                    peer: peer.clone(),
                    scope: scope.clone(),
                    actor: actor.clone(),
                },
                cursor,
                version,
            );
        }
        self.with_store(|store| admin::touch(store, &device.device_id))
            .map_err(Refusal::internal)?;
        self.log_access(
            Some(device),
            roles::Action::Sync,
            200,
            &format!("{received} households received, {refused} refused, {sent} sent"),
        );
        Ok(body)
    }

    /// Pages of pulls that went out as built ahead (`ahead.rs`), since the hub started.
    pub fn pages_built_ahead(&self) -> usize {
        self.answers.used_count()
    }
}

/// Why a request was refused; each maps to one HTTP status.
#[derive(Debug)]
pub enum Refusal {
    /// Too many requests: try again after this long (429 with `Retry-After`).
    TooMany(Duration),
    /// The request body stalled (408).
    Timeout,
    BadRequest(String),
    Unauthorized(&'static str),
    /// The device's role does not allow this request (see [`roles`]).
    Role,
    Forbidden(String),
    Conflict(String),
    ActorTaken(String),
    /// Another device holds the key (409 `key_taken`), or a revoked one did (`key_revoked`).
    KeyTaken(String),
    KeyRevoked(String),
    /// The enrollment does not prove the key it names (401 `bad_signature`).
    BadSignature(String),
    TooLarge(String),
    Unprocessable(String),
    Internal(String),
}

impl Refusal {
    fn internal(e: impl std::fmt::Display) -> Refusal {
        Refusal::Internal(e.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            Refusal::Timeout => StatusCode::REQUEST_TIMEOUT,
            Refusal::BadRequest(_) => StatusCode::BAD_REQUEST,
            Refusal::Unauthorized(_) | Refusal::BadSignature(_) => StatusCode::UNAUTHORIZED,
            Refusal::Forbidden(_) | Refusal::Role => StatusCode::FORBIDDEN,
            Refusal::Conflict(_) | Refusal::ActorTaken(_) | Refusal::KeyTaken(_) | Refusal::KeyRevoked(_) => {
                StatusCode::CONFLICT
            }
            Refusal::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Refusal::TooMany(_) => "too_many_requests",
            Refusal::Timeout => "timeout",
            Refusal::BadRequest(_) => "bad_request",
            Refusal::Unauthorized(_) => "unauthorized",
            Refusal::Forbidden(_) => "out_of_scope",
            Refusal::Role => "role",
            Refusal::Conflict(_) => "replayed",
            Refusal::ActorTaken(_) => "actor_taken",
            Refusal::KeyTaken(_) => "key_taken",
            Refusal::KeyRevoked(_) => "key_revoked",
            Refusal::BadSignature(_) => "bad_signature",
            Refusal::TooLarge(_) => "too_large",
            Refusal::Unprocessable(_) => "invalid_household",
            Refusal::Internal(_) => "internal",
        }
    }

    fn message(&self) -> String {
        match self {
            Refusal::TooMany(wait) => format!("too many requests: try again in {} s", wait.as_secs()),
            Refusal::Timeout => "the request body stopped arriving".into(),
            Refusal::Role => "this device's role does not allow this request".into(),
            Refusal::Unauthorized(m) => m.to_string(),
            Refusal::BadRequest(m)
            | Refusal::Forbidden(m)
            | Refusal::Conflict(m)
            | Refusal::ActorTaken(m)
            | Refusal::KeyTaken(m)
            | Refusal::KeyRevoked(m)
            | Refusal::BadSignature(m)
            | Refusal::TooLarge(m)
            | Refusal::Unprocessable(m)
            | Refusal::Internal(m) => m.clone(),
        }
    }
}

impl From<SyncError> for Refusal {
    fn from(e: SyncError) -> Refusal {
        let m = e.to_string();
        match e {
            SyncError::Wire(wire::WireError::TooLarge(_)) | SyncError::TooManyDocs(_) => Refusal::TooLarge(m),
            SyncError::Wire(_) | SyncError::BadMessage(..) => Refusal::BadRequest(m),
            SyncError::Invalid(..) => Refusal::Unprocessable(m),
            SyncError::OutOfScope(_) => Refusal::Forbidden(m),
            SyncError::Replayed => Refusal::Conflict(m),
            SyncError::Store(_) | SyncError::NoProgress(_) => Refusal::Internal(m),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let message = match &self {
            // What went wrong inside stays in the hub's log; the client gets a reference.
            Refusal::Internal(detail) => {
                let reference = &uuid::Uuid::new_v4().to_string()[..8];
                eprintln!("ayllu-hub: internal error {reference}: {detail}");
                format!("internal error in the hub (reference {reference}, in its log)")
            }
            other => other.message(),
        };
        let body = serde_json::json!({"code": self.code(), "message": message});
        let mut response = (self.status(), Json(body)).into_response();
        if let Refusal::TooMany(wait) = self
            && let Ok(v) = header::HeaderValue::from_str(&wait.as_secs().max(1).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

async fn health(State(hub): State<Arc<Hub>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({"hub_id": hub.id, "version": env!("CARGO_PKG_VERSION")}))
}

async fn enroll(
    State(hub): State<Arc<Hub>>,
    addr: Option<Extension<ClientAddr>>,
    link: Option<Extension<Link>>,
    body: Body,
) -> Result<Json<serde_json::Value>, Refusal> {
    // Throttled per address before the body is even read.
    let key = addr
        .map(|Extension(ClientAddr(ip))| ip.to_string())
        .unwrap_or_default();
    hub.enrollments
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take(&key, Instant::now())
        .map_err(Refusal::TooMany)?;
    let body = read_body(
        body,
        ayllu_sync::enrollment::MAX_BODY,
        hub.limits.body_idle_timeout,
    )
    .await?;
    let application =
        ayllu_sync::enrollment::Application::parse(&body).map_err(|e| Refusal::BadRequest(e.to_string()))?;
    // The hub as this phone met it: the enrollment must be signed for it.
    let seen = match link {
        Some(Extension(Link::PlainHttp)) => ayllu_sync::enrollment::HubSeen::PlainHttp,
        _ => ayllu_sync::enrollment::HubSeen::Certificate(hub.fingerprint),
    };
    let hub2 = hub.clone();
    let (token, device) = tokio::task::spawn_blocking(move || {
        let redeemed = hub2.with_store(|s| admin::redeem(s, &application, seen));
        // Staff see who enrolled, and every attempt with another phone's key or a bad proof.
        match redeemed {
            Ok(done) => {
                hub2.log_access(Some(&done.1), roles::Action::Enroll, 200, "enrolled");
                Ok(done)
            }
            Err(e) => {
                let refusal = Refusal::from(e);
                if !matches!(refusal, Refusal::Internal(_)) {
                    let detail = format!("refused: {}", refusal.code());
                    hub2.log_access(None, roles::Action::Enroll, refusal.status().as_u16(), &detail);
                }
                Err(refusal)
            }
        }
    })
    .await
    .map_err(Refusal::internal)??;
    Ok(Json(serde_json::json!({
        "token": token, "hub_id": hub.id, "hub_key": hub.public_key, "device": device
    })))
}

impl From<AdminError> for Refusal {
    fn from(e: AdminError) -> Refusal {
        use ayllu_sync::enrollment::Refused;
        match e {
            AdminError::BadCode => {
                Refusal::Unauthorized("the enrollment code is not valid, was already used, or has expired")
            }
            AdminError::Application(Refused::BadSignature) => Refusal::BadSignature(e.to_string()),
            e @ AdminError::Application(_) => Refusal::BadRequest(e.to_string()),
            e @ AdminError::ActorTaken => Refusal::ActorTaken(e.to_string()),
            e @ AdminError::KeyTaken => Refusal::KeyTaken(e.to_string()),
            e @ AdminError::KeyRevoked => Refusal::KeyRevoked(e.to_string()),
            other => Refusal::internal(other),
        }
    }
}

async fn sync(State(hub): State<Arc<Hub>>, headers: HeaderMap, body: Body) -> Result<Response, Refusal> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    // Who it is, and whether it may sync now, before a byte of the body is read.
    let hub2 = hub.clone();
    let device = tokio::task::spawn_blocking(move || hub2.authenticate(token.as_deref()))
        .await
        .map_err(Refusal::internal)??;
    let body = read_body(body, wire::MAX_BODY, hub.limits.body_idle_timeout).await?;
    let out = tokio::task::spawn_blocking(move || hub.sync(&device, &body))
        .await
        .map_err(Refusal::internal)??;
    Ok(([(header::CONTENT_TYPE, "application/x-ayllu-sync")], out).into_response())
}

/// Reads a body of at most `limit` bytes whose pieces arrive no more than `idle` apart.
async fn read_body(body: Body, limit: usize, idle: Duration) -> Result<Vec<u8>, Refusal> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut out = Vec::new();
    loop {
        let frame = tokio::time::timeout(idle, body.frame())
            .await
            .map_err(|_| Refusal::Timeout)?;
        let Some(frame) = frame else { return Ok(out) };
        let frame = frame.map_err(|e| Refusal::BadRequest(format!("reading the body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > limit {
                return Err(Refusal::TooLarge(format!("body over {limit} bytes")));
            }
            out.extend_from_slice(&data);
        }
    }
}

/// The hub's HTTP routes.
pub fn router(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/enroll", post(enroll))
        .route("/v1/sync", post(sync))
        .route("/v1/report", get(staff::report))
        .route("/v1/households", get(staff::households))
        .route("/v1/devices", get(staff::devices))
        .route("/v1/devices/revoke", post(staff::revoke))
        .route("/v1/codes", post(staff::new_code))
        .route("/v1/access-log", get(staff::access_log))
        .with_state(hub)
}

/// The hub's TLS: 1.3 only (every phone is an Ayllu app of ours), on ring, with its
/// certificate.
fn server_config(identity: &tls::Identity) -> Result<Arc<rustls::ServerConfig>, tls::TlsError> {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.private_key_der().to_vec()));
    let config = rustls::ServerConfig::builder_with_provider(ayllu_sync::tls::provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| tls::TlsError::Unusable(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(identity.certificate_der().to_vec())],
            key,
        )
        .map_err(|e| tls::TlsError::Unusable(e.to_string()))?;
    Ok(Arc::new(config))
}

/// Serves HTTPS with the hub's certificate until `shutdown` resolves, within the hub's
/// connection limits.
pub async fn run(
    listener: tokio::net::TcpListener,
    hub: Arc<Hub>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (limits, tls) = (hub.limits, hub.tls.clone());
    connections::serve(listener, router(hub), limits, Some(tls), shutdown).await
}

/// Serves plain HTTP: anyone on the network reads names and tokens and can pose as the hub.
/// Only for `--insecure-http`, which says so.
pub async fn run_insecure_http(
    listener: tokio::net::TcpListener,
    hub: Arc<Hub>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = hub.limits;
    connections::serve(listener, router(hub), limits, None, shutdown).await
}
