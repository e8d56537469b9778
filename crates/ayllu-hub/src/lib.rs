//! # ayllu-hub
//!
//! The health post's hub: the same store as a device, plus enrolled devices, served over
//! HTTP with axum. A library, so the `ayllu` CLI and the app's facility mode both embed it.
//!
//! Endpoints (all under `/v1`):
//! - `GET  /health` → `{hub_id, version}`
//! - `POST /enroll` JSON `{code, actor, name}` → `{token, hub_id, device}` (the hub makes
//!   the device id; `actor` is the Automerge actor the device writes under)
//! - `POST /sync` (`Authorization: Bearer TOKEN`, body: `ayllu_sync::wire` request) → wire response
//!
//! Refusals are 4xx with JSON `{code, message}` and change nothing.

pub mod admin;

use std::sync::{Arc, Mutex};

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ayllu_store::Store;
use ayllu_sync::wire::{self, Kind};
use ayllu_sync::{Sender, SyncError, serve};

pub use admin::{AdminError, DeviceInfo};

/// A hub: its store, behind a lock (SQLite has one writer anyway).
pub struct Hub {
    store: Arc<Mutex<Store>>,
    id: String,
}

impl Hub {
    pub fn new(store: Store) -> Result<Hub, AdminError> {
        Hub::shared(Arc::new(Mutex::new(store)))
    }

    /// A hub over a store the caller also uses (the app in facility mode).
    pub fn shared(store: Arc<Mutex<Store>>) -> Result<Hub, AdminError> {
        let id = admin::hub_id(&store.lock().unwrap_or_else(|p| p.into_inner()))?;
        Ok(Hub { store, id })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Runs `f` with the hub's store (for staff tools and tests).
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut store = self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut store)
    }

    /// One sync request, from body bytes to body bytes.
    pub fn sync(&self, token: Option<&str>, body: &[u8]) -> Result<Vec<u8>, Refusal> {
        self.with_store(|store| {
            let token = token.ok_or(Refusal::Unauthorized("missing bearer token"))?;
            let device = admin::authenticate(store, token)
                .map_err(Refusal::internal)?
                .ok_or(Refusal::Unauthorized("unknown or revoked token"))?;
            let actor = device.actor_id().ok_or(Refusal::Unauthorized(
                "this device was enrolled before devices had registered actors: enroll it again",
            ))?;
            let request = wire::decode(Kind::Request, body).map_err(|e| Refusal::from(SyncError::Wire(e)))?;
            let (peer, scope) = (device.peer(), device.scope());
            let sender = Sender {
                peer: &peer,
                scope: &scope,
                actor: Some(&actor),
            };
            let response = serve(store, &sender, request)?;
            admin::touch(store, &device.device_id).map_err(Refusal::internal)?;
            Ok(wire::encode(Kind::Response, &response))
        })
    }
}

/// Why a request was refused; each maps to one HTTP status.
#[derive(Debug)]
pub enum Refusal {
    BadRequest(String),
    Unauthorized(&'static str),
    Forbidden(String),
    Conflict(String),
    ActorTaken(String),
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
            Refusal::BadRequest(_) => StatusCode::BAD_REQUEST,
            Refusal::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Refusal::Forbidden(_) => StatusCode::FORBIDDEN,
            Refusal::Conflict(_) | Refusal::ActorTaken(_) => StatusCode::CONFLICT,
            Refusal::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Refusal::BadRequest(_) => "bad_request",
            Refusal::Unauthorized(_) => "unauthorized",
            Refusal::Forbidden(_) => "out_of_scope",
            Refusal::Conflict(_) => "replayed",
            Refusal::ActorTaken(_) => "actor_taken",
            Refusal::TooLarge(_) => "too_large",
            Refusal::Unprocessable(_) => "invalid_household",
            Refusal::Internal(_) => "internal",
        }
    }

    fn message(&self) -> String {
        match self {
            Refusal::Unauthorized(m) => m.to_string(),
            Refusal::BadRequest(m)
            | Refusal::Forbidden(m)
            | Refusal::Conflict(m)
            | Refusal::ActorTaken(m)
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
        (self.status(), Json(body)).into_response()
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrollRequest {
    code: String,
    /// The Automerge actor (hex) the device writes under.
    actor: String,
    #[serde(default)]
    name: String,
}

async fn health(State(hub): State<Arc<Hub>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({"hub_id": hub.id, "version": env!("CARGO_PKG_VERSION")}))
}

async fn enroll(
    State(hub): State<Arc<Hub>>,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, Refusal> {
    let req: EnrollRequest =
        serde_json::from_slice(&body).map_err(|e| Refusal::BadRequest(format!("enrollment request: {e}")))?;
    if req.actor.len() > 64 || req.name.len() > 120 || req.code.len() > 64 {
        return Err(Refusal::BadRequest("enrollment request: field too long".into()));
    }
    let hub2 = hub.clone();
    let (token, device) = tokio::task::spawn_blocking(move || {
        hub2.with_store(|s| admin::redeem(s, &req.code, &req.actor, &req.name))
    })
    .await
    .map_err(Refusal::internal)?
    .map_err(|e| match e {
        AdminError::BadCode => {
            Refusal::Unauthorized("the enrollment code is not valid, was already used, or has expired")
        }
        e @ AdminError::BadActor => Refusal::BadRequest(e.to_string()),
        e @ AdminError::ActorTaken => Refusal::ActorTaken(e.to_string()),
        other => Refusal::internal(other),
    })?;
    Ok(Json(
        serde_json::json!({"token": token, "hub_id": hub.id, "device": device}),
    ))
}

async fn sync(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let out = tokio::task::spawn_blocking(move || hub.sync(token.as_deref(), &body))
        .await
        .map_err(Refusal::internal)??;
    Ok(([(header::CONTENT_TYPE, "application/x-ayllu-sync")], out).into_response())
}

/// The hub's HTTP routes.
pub fn router(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/enroll", post(enroll))
        .route("/v1/sync", post(sync))
        .layer(DefaultBodyLimit::max(wire::MAX_BODY))
        .with_state(hub)
}

/// Serves until `shutdown` resolves.
pub async fn run(
    listener: tokio::net::TcpListener,
    hub: Arc<Hub>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(hub))
        .with_graceful_shutdown(shutdown)
        .await
}
