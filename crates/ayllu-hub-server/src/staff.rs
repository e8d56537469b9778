//! The staff and committee requests (`ayllu_hub::roles` says who may make each), served:
//! each admitted by its token and role before a byte of its body is read, logged, and
//! answered by the rules or the operations it names.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use ayllu_hub::admin::{self, Authenticated, Communities, Role};
use ayllu_hub::roles::{Action, access_log_csv, access_row};

use crate::{Hub, Refusal, read_body};

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
}

impl Hub {
    /// Adds a line to the access log (a failure to log is itself only logged: it must not
    /// turn a phone's sync into an error).
    pub fn log_access(&self, device: Option<&admin::DeviceInfo>, action: Action, status: u16, detail: &str) {
        let row = access_row(device, action, status, detail);
        if let Err(e) = self.with_store(|s| s.log_access(&row)) {
            eprintln!("ayllu-hub: the access log could not be written: {e}");
        }
    }

    /// The device behind the request's token, if its role allows `action` (the token is
    /// checked, not rotated: these answers cannot carry a new one).
    fn admit(&self, headers: &HeaderMap, action: Action) -> Result<Authenticated, Refusal> {
        let token = bearer(headers).ok_or(Refusal::Unauthorized("missing bearer token"))?;
        let found = self
            .with_store(|s| admin::check_token(s, &token, &self.tokens, chrono::Utc::now()))
            .map_err(Refusal::internal)?;
        let Some(found) = found else {
            self.log_access(None, action, 401, "unknown, revoked or expired token");
            return Err(Refusal::Unauthorized("unknown, revoked or expired token"));
        };
        if !found.device.role.is_some_and(|r| action.allows(r)) {
            self.log_access(Some(&found.device), action, 403, "refused: not for this role");
            return Err(Refusal::Role);
        }
        Ok(found)
    }
}

fn json(value: serde_json::Value) -> Response {
    (StatusCode::OK, axum::Json(value)).into_response()
}

/// `GET /v1/report?year=YYYY[&format=html]`: the indicator tables; the committee's copy has
/// its small cells hidden.
pub(crate) async fn report(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Refusal> {
    let query = uri.query().unwrap_or("");
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
            .map(str::to_string)
    };
    let today = chrono::Utc::now().date_naive();
    let year = match param("year") {
        Some(y) => y
            .parse::<i32>()
            .map_err(|_| Refusal::BadRequest("year: a number such as 2026".into()))?,
        None => chrono::Datelike::year(&today),
    };
    let html = match param("format").as_deref() {
        None | Some("json") => false,
        Some("html") => true,
        Some(_) => return Err(Refusal::BadRequest("format: json or html".into())),
    };
    let hub2 = hub.clone();
    tokio::task::spawn_blocking(move || {
        let found = hub2.admit(&headers, Action::Report)?;
        let committee = found.device.role == Some(Role::Committee);
        let audience = if committee {
            ayllu_ops::export::Audience::Committee
        } else {
            ayllu_ops::export::Audience::Staff
        };
        let report = hub2
            .with_store(|s| ayllu_ops::export::indicators(s, year, None, today, audience))
            .map_err(|e| match e {
                ayllu_ops::OpsError::Invalid(f) => Refusal::BadRequest(format!("year: {f}")),
                other => Refusal::internal(other),
            })?;
        let detail = format!(
            "indicator tables {year}{}",
            if committee {
                ", counts under 5 hidden"
            } else {
                ", every count"
            }
        );
        hub2.log_access(Some(&found.device), Action::Report, 200, &detail);
        if html {
            return Ok((
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                ayllu_report::html(&report),
            )
                .into_response());
        }
        let tables: Vec<serde_json::Value> = report
            .tables
            .iter()
            .map(|t| {
                serde_json::json!({
                    "id": t.id,
                    "title": t.title,
                    "columns": t.columns.iter().map(|c| c.id).collect::<Vec<_>>(),
                    "rows": t.rows.iter().map(|r| r.iter().map(cell_json).collect::<Vec<_>>()).collect::<Vec<_>>(),
                })
            })
            .collect();
        Ok(json(serde_json::json!({"year": year, "small_cells_hidden": committee, "tables": tables})))
    })
    .await
    .map_err(Refusal::internal)?
}

/// A cell as JSON: counts and percents as numbers, flags as booleans, a hidden count as
/// the text "<5".
fn cell_json(cell: &ayllu_report::Cell) -> serde_json::Value {
    use ayllu_report::Cell;
    match cell {
        Cell::Text(t) => t.as_str().into(),
        Cell::Int(n) => (*n).into(),
        Cell::Pct(p) => (*p).into(),
        Cell::Flag(b) => (*b).into(),
        Cell::Suppressed => "<5".into(),
    }
}

/// `GET /v1/households`: every household of the facility with its head's name (named
/// data: logged as such).
pub(crate) async fn households(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Result<Response, Refusal> {
    tokio::task::spawn_blocking(move || {
        let found = hub.admit(&headers, Action::Households)?;
        let list = hub
            .with_store(|s| {
                s.list(&ayllu_store::ListFilter {
                    include_dissolved: true,
                    ..Default::default()
                })
            })
            .map_err(Refusal::internal)?;
        let rows: Vec<serde_json::Value> = list
            .iter()
            .map(|h| {
                serde_json::json!({"id": h.id, "community": h.community, "sector": h.sector,
                                   "address": h.address, "head": h.head, "members": h.member_count})
            })
            .collect();
        hub.log_access(
            Some(&found.device),
            Action::Households,
            200,
            &format!("named data: {} households", rows.len()),
        );
        Ok(json(serde_json::Value::Array(rows)))
    })
    .await
    .map_err(Refusal::internal)?
}

/// `GET /v1/devices`: the enrolled devices.
pub(crate) async fn devices(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Result<Response, Refusal> {
    tokio::task::spawn_blocking(move || {
        let found = hub.admit(&headers, Action::Devices)?;
        let list = hub.with_store(|s| admin::devices(s)).map_err(Refusal::internal)?;
        hub.log_access(
            Some(&found.device),
            Action::Devices,
            200,
            &format!("{} devices", list.len()),
        );
        Ok(json(serde_json::to_value(list).map_err(Refusal::internal)?))
    })
    .await
    .map_err(Refusal::internal)?
}

/// A staff request with a JSON body: the device admitted first (before a byte of the body
/// is read), then at most `limit` bytes read and parsed, unknown fields refused.
async fn admitted_json<T: serde::de::DeserializeOwned>(
    hub: &Arc<Hub>,
    headers: &HeaderMap,
    action: Action,
    body: Body,
    limit: usize,
) -> Result<(Authenticated, T), Refusal> {
    let (hub2, headers) = (hub.clone(), headers.clone());
    let found = tokio::task::spawn_blocking(move || hub2.admit(&headers, action))
        .await
        .map_err(Refusal::internal)??;
    let body = read_body(body, limit, hub.limits.body_idle_timeout).await?;
    let request =
        serde_json::from_slice(&body).map_err(|e| Refusal::BadRequest(format!("{}: {e}", action.name())))?;
    Ok((found, request))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeRequest {
    device_id: String,
}

/// `POST /v1/devices/revoke` `{device_id}`.
pub(crate) async fn revoke(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let (found, req): (_, RevokeRequest) = admitted_json(&hub, &headers, Action::Revoke, body, 1024).await?;
    tokio::task::spawn_blocking(move || {
        let revoked = hub
            .with_store(|s| admin::revoke(s, &req.device_id))
            .map_err(|e| match e {
                admin::AdminError::UnknownDevice(d) => Refusal::BadRequest(format!("unknown device {d}")),
                other => Refusal::internal(other),
            })?;
        hub.log_access(
            Some(&found.device),
            Action::Revoke,
            200,
            &format!("revoked device {}", revoked.device_id),
        );
        Ok(json(serde_json::to_value(revoked).map_err(Refusal::internal)?))
    })
    .await
    .map_err(Refusal::internal)?
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeRequest {
    promotor: String,
    /// None: every community (said explicitly by leaving it out).
    communities: Option<Vec<String>>,
    role: Role,
    days: i64,
}

/// `POST /v1/codes` `{promotor, communities, role, days}` → `{code}` (the typed code, with
/// this hub's short fingerprint).
pub(crate) async fn new_code(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let (found, req): (_, CodeRequest) =
        admitted_json(&hub, &headers, Action::NewCode, body, 16 * 1024).await?;
    let promotor = ayllu_model::PersonName::parse(&req.promotor)
        .map_err(|p| Refusal::BadRequest(format!("promotor: {p}")))?;
    let communities = match req.communities {
        None => Communities::All,
        Some(list) => Communities::Only(
            list.iter()
                .map(|c| ayllu_model::ShortText::parse(c))
                .collect::<Result<_, _>>()
                .map_err(|p| Refusal::BadRequest(format!("communities: {p}")))?,
        ),
    };
    tokio::task::spawn_blocking(move || {
        let secret = hub
            .with_store(|s| {
                admin::enroll(
                    s,
                    &promotor,
                    &communities,
                    req.role,
                    chrono::Duration::days(req.days),
                )
            })
            .map_err(|e| match e {
                e @ (admin::AdminError::Validity | admin::AdminError::NoCommunity) => {
                    Refusal::BadRequest(e.to_string())
                }
                other => Refusal::internal(other),
            })?;
        hub.log_access(
            Some(&found.device),
            Action::NewCode,
            200,
            &format!("enrollment code for a {} device", req.role.as_str()),
        );
        let code = ayllu_sync::tls::typed_code(&secret, &hub.fingerprint());
        Ok(json(serde_json::json!({"code": code, "role": req.role})))
    })
    .await
    .map_err(Refusal::internal)?
}

/// `GET /v1/access-log`: the log as CSV (who, role, what, when, answer).
pub(crate) async fn access_log(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Result<Response, Refusal> {
    tokio::task::spawn_blocking(move || {
        let found = hub.admit(&headers, Action::AccessLog)?;
        let rows = hub.with_store(|s| s.access_log()).map_err(Refusal::internal)?;
        hub.log_access(
            Some(&found.device),
            Action::AccessLog,
            200,
            &format!("{} lines", rows.len()),
        );
        Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            access_log_csv(&rows),
        )
            .into_response())
    })
    .await
    .map_err(Refusal::internal)?
}
