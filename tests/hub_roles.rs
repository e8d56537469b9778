//! Roles, enforced by the real hub over loopback HTTPS: every request × every role gets
//! exactly the status the design says (200 or 403); the committee's report has no personal
//! field and no count under 5; the access log names who asked what.

use std::sync::Arc;

use ayllu_hub::admin::{self, Communities, Role};
use ayllu_hub_server::Hub;
use ayllu_model::{PersonName, ShortText};
use ayllu_store::{Signature, Store};
use ayllu_sync::tls::Trust;
use ayllu_sync::wire::{self, Kind};
use ayllu_synth::Census;

struct RunningHub {
    hub: Arc<Hub>,
    url: String,
    http: reqwest::blocking::Client,
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

fn start() -> RunningHub {
    let dir = tempfile::tempdir().unwrap();
    let hub = Arc::new(Hub::new(Store::open(&dir.path().join("hub.sqlite3")).unwrap()).unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    runtime.spawn(ayllu_hub_server::run(
        listener,
        hub.clone(),
        std::future::pending(),
    ));
    let http = reqwest::blocking::Client::builder()
        .tls_backend_preconfigured(ayllu_sync::tls::client_config(Trust::Pinned(hub.fingerprint())).0)
        .build()
        .unwrap();
    RunningHub {
        hub,
        url,
        http,
        _dir: dir,
        _runtime: runtime,
    }
}

/// Enrolls a device of `role` directly at the hub; its token and id.
fn device(hub: &RunningHub, role: Role, communities: Communities) -> (String, String) {
    let code = hub.hub.with_store(|s| {
        admin::enroll(
            s,
            &PersonName::parse("Juana Condori").unwrap(),
            &communities,
            role,
            chrono::Duration::days(1),
        )
        .unwrap()
    });
    let phone = tempfile::tempdir().unwrap();
    let store = Store::open(&phone.path().join("p.sqlite3")).unwrap();
    let (token, info) = hub
        .hub
        .with_store(|s| admin::redeem_in_process(s, &code, &store, "equipo").unwrap());
    (token, info.device_id)
}

/// The census at the hub: people whose names and DNIs must never reach the committee.
fn census(hub: &RunningHub) -> Vec<String> {
    let today = chrono::Local::now().date_naive();
    let mut census = Census::new(29733, today);
    let who = Signature::now(PersonName::parse("Juana Condori").unwrap());
    let mut personal = Vec::new();
    for i in 0..120 {
        let mut h = census.household();
        // Communities of very different sizes: some cells are bound to be small.
        let community = if i == 7 {
            "Qollana"
        } else {
            ["Ccorca", "Ccorca", "Ccorca", "Huayllay", "Huayllay", "Chumpe"][i % 6]
        };
        h.info.community = ShortText::parse(community).unwrap();
        for m in h.members.values() {
            personal.push(m.given_names.as_str().to_string());
            personal.push(m.surnames.as_str().to_string());
            if let Some(dni) = &m.dni {
                personal.push(dni.as_str().to_string());
            }
        }
        personal.push(h.info.address.as_str().to_string());
        hub.hub
            .with_store(|s| s.insert_household(census.household_id(), &h, &who))
            .unwrap();
    }
    personal.sort();
    personal.dedup();
    personal
}

fn send(hub: &RunningHub, token: &str, method: &str, path: &str, body: Option<Vec<u8>>) -> (u16, Vec<u8>) {
    let url = format!("{}{path}", hub.url);
    let req = match method {
        "GET" => hub.http.get(url),
        _ => hub.http.post(url).body(body.unwrap_or_default()),
    };
    let resp = req.bearer_auth(token).send().unwrap();
    let status = resp.status().as_u16();
    (status, resp.bytes().unwrap().to_vec())
}

#[test]
fn every_request_gets_exactly_the_status_its_role_allows() {
    let hub = start();
    let personal = census(&hub);
    let (promotor, _) = device(
        &hub,
        Role::Promotor,
        Communities::Only(vec![ShortText::parse("Ccorca").unwrap()]),
    );
    let (staff, _) = device(&hub, Role::Staff, Communities::All);
    let (committee, committee_id) = device(&hub, Role::Committee, Communities::All);
    // A device to revoke: only staff's request may do it.
    let (_, spare) = device(&hub, Role::Promotor, Communities::All);

    let year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    let empty_sync = wire::encode(
        Kind::Request,
        &wire::Request {
            request_id: *uuid::Uuid::new_v4().as_bytes(),
            cursor: 0,
            docs: vec![],
        },
    );
    let revoke = serde_json::json!({"device_id": spare}).to_string().into_bytes();
    let code = serde_json::json!({"promotor": "Rosa Quispe", "communities": ["Ccorca"], "role": "promotor", "days": 7})
        .to_string()
        .into_bytes();
    let requests: Vec<(&str, String, Option<Vec<u8>>)> = vec![
        ("POST", "/v1/sync".into(), Some(empty_sync)),
        ("GET", format!("/v1/report?year={year}"), None),
        ("GET", format!("/v1/report?year={year}&format=html"), None),
        ("GET", "/v1/households".into(), None),
        ("GET", "/v1/devices".into(), None),
        ("POST", "/v1/codes".into(), Some(code)),
        ("GET", "/v1/access-log".into(), None),
        // Last: staff revoke the spare device (the others' attempts must not have).
        ("POST", "/v1/devices/revoke".into(), Some(revoke)),
    ];
    //                              sync report html households devices codes log revoke
    let designed: [(&str, &str, [u16; 8]); 3] = [
        ("promotor", &promotor, [200, 403, 403, 403, 403, 403, 403, 403]),
        ("committee", &committee, [403, 200, 200, 403, 403, 403, 403, 403]),
        ("staff", &staff, [200, 200, 200, 200, 200, 200, 200, 200]),
    ];
    for (role, token, expected) in designed {
        let got: Vec<u16> = requests
            .iter()
            .map(|(method, path, body)| send(&hub, token, method, path, body.clone()).0)
            .collect();
        assert_eq!(got, expected, "{role}: {requests:?}");
    }
    // Without a token, or with a made-up one: 401 everywhere.
    for (method, path, body) in &requests {
        assert_eq!(
            send(&hub, "not-a-token", method, path, body.clone()).0,
            401,
            "{path}"
        );
    }
    let devices = hub.hub.with_store(|s| admin::devices(s).unwrap());
    let spare_row = devices.iter().find(|d| d.device_id == spare).unwrap();
    assert!(spare_row.revoked_at.is_some(), "staff revoked it");
    assert_eq!(devices.len(), 4, "the promotor and the committee made no code");

    // The committee's report: no personal field, no count from 1 to 4.
    let (status, body) = send(&hub, &committee, "GET", &format!("/v1/report?year={year}"), None);
    assert_eq!(status, 200);
    let report: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(report["small_cells_hidden"], true);
    let text = String::from_utf8_lossy(&body);
    for p in &personal {
        assert!(
            !text.contains(&format!("\"{p}\"")),
            "the committee's report holds {p}"
        );
    }
    let mut hidden = 0;
    for table in report["tables"].as_array().unwrap() {
        for row in table["rows"].as_array().unwrap() {
            for cell in row.as_array().unwrap() {
                if cell == "<5" {
                    hidden += 1;
                }
                if let Some(n) = cell.as_i64() {
                    assert!(n == 0 || n >= 5, "{}: a count of {n}", table["id"]);
                }
            }
        }
    }
    // Staff see the same tables with every count: some of them were small.
    let (_, full) = send(&hub, &staff, "GET", &format!("/v1/report?year={year}"), None);
    let full: serde_json::Value = serde_json::from_slice(&full).unwrap();
    assert_eq!(full["small_cells_hidden"], false);
    let small_in_full = full["tables"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["rows"].as_array().unwrap().iter())
        .flat_map(|r| r.as_array().unwrap().iter())
        .filter(|c| c.as_i64().is_some_and(|n| (1..5).contains(&n)))
        .count();
    assert!(
        small_in_full > 0 && hidden >= small_in_full,
        "{small_in_full} small counts, {hidden} hidden"
    );
    let (_, html) = send(
        &hub,
        &committee,
        "GET",
        &format!("/v1/report?year={year}&format=html"),
        None,
    );
    let html = String::from_utf8_lossy(&html);
    assert!(html.contains("&lt;5"));
    for p in &personal {
        assert!(
            !html.contains(&format!(">{p}<")),
            "the committee's printable report holds {p}"
        );
    }

    // The access log: who asked what, with the refusals and the export of named data; no
    // name in it.
    let (status, log) = send(&hub, &staff, "GET", "/v1/access-log", None);
    assert_eq!(status, 200);
    let log = String::from_utf8(log).unwrap();
    assert!(
        log.lines()
            .any(|l| l.contains(&committee_id) && l.contains("GET /v1/households") && l.contains(",403,")),
        "{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("\"staff\"") && l.contains("named data: 120 households")),
        "{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("\"committee\"") && l.contains("counts under 5 hidden")),
        "{log}"
    );
    assert!(log.lines().any(|l| l.contains(",401,")), "{log}");
    for p in &personal {
        assert!(!log.contains(p.as_str()), "the access log holds {p}");
    }
}

#[test]
fn hostile_staff_requests_are_refused_and_change_nothing() {
    let hub = start();
    let (staff, _) = device(&hub, Role::Staff, Communities::All);
    let devices = || hub.hub.with_store(|s| admin::devices(s).unwrap());
    let before = devices();
    // Just over each bound (the whole body is sent before the answer comes back).
    let over = |n: usize| vec![b'{'; n];
    for (method, path, body, want) in [
        // Bodies over their bound, not JSON, with fields nobody asked for, or out of range.
        ("POST", "/v1/codes", over(16 * 1024 + 1), 413),
        ("POST", "/v1/devices/revoke", over(1024 + 1), 413),
        ("POST", "/v1/codes", b"not json".to_vec(), 400),
        (
            "POST",
            "/v1/codes",
            br#"{"promotor":"Rosa Quispe","communities":null,"role":"promotor","days":7,"admin":true}"#
                .to_vec(),
            400,
        ),
        (
            "POST",
            "/v1/codes",
            br#"{"promotor":"Rosa Quispe","communities":null,"role":"root","days":7}"#.to_vec(),
            400,
        ),
        (
            "POST",
            "/v1/codes",
            br#"{"promotor":"Rosa Quispe","communities":null,"role":"staff","days":4000}"#.to_vec(),
            400,
        ),
        (
            "POST",
            "/v1/codes",
            br#"{"promotor":"<script>","communities":null,"role":"staff","days":7}"#.to_vec(),
            400,
        ),
        (
            "POST",
            "/v1/codes",
            br#"{"promotor":"Rosa Quispe","communities":[],"role":"staff","days":7}"#.to_vec(),
            400,
        ),
        (
            "POST",
            "/v1/devices/revoke",
            br#"{"device_id":"nobody"}"#.to_vec(),
            400,
        ),
        ("GET", "/v1/report?year=99999999999", vec![], 400),
        ("GET", "/v1/report?year=1999", vec![], 400),
        ("GET", "/v1/report?format=pdf", vec![], 400),
    ] {
        let (status, _) = send(&hub, &staff, method, path, (method == "POST").then_some(body));
        assert_eq!(status, want, "{method} {path}");
    }
    assert_eq!(devices(), before, "nothing changed");
    // Plain HTTP bytes at the TLS port: the connection is dropped, the hub serves on.
    use std::io::{Read, Write};
    let addr = hub.url.trim_start_matches("https://");
    let mut raw = std::net::TcpStream::connect(addr).unwrap();
    raw.set_read_timeout(Some(std::time::Duration::from_secs(15)))
        .unwrap();
    raw.write_all(b"GET /v1/households HTTP/1.1\r\nHost: hub\r\n\r\n")
        .unwrap();
    let mut buf = Vec::new();
    let _ = raw.read_to_end(&mut buf);
    assert!(
        !String::from_utf8_lossy(&buf).contains("HTTP/1.1 200"),
        "no answer in the clear"
    );
    assert_eq!(send(&hub, &staff, "GET", "/v1/devices", None).0, 200);
}
