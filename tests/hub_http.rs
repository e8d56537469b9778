//! The real hub over loopback HTTP: refusals that change nothing, and syncs cut off at
//! many points that the next sync completes without losing or duplicating anything.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ayllu_hub::admin;
use ayllu_hub_server::Hub;
use ayllu_model::{HouseholdId, PersonName, ShortText, VisitId};
use ayllu_store::{Signature, Store};
use ayllu_sync::http::{ClientError, HubClient};
use ayllu_sync::tls::Trust;
use ayllu_sync::wire::{self, Kind, RefusalCode};
use ayllu_sync::{DeviceSession, docsync};
use ayllu_synth::Census;
use chrono::NaiveDate;

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn who() -> Signature {
    Signature::now(PersonName::parse("Juana Condori").unwrap())
}

struct RunningHub {
    hub: Arc<Hub>,
    url: String,
    /// How its phones trust it: its certificate, pinned (or plain HTTP, for the test that
    /// cuts requests at byte offsets).
    trust: Trust,
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

fn start_hub() -> RunningHub {
    start_hub_with(|h| h)
}

fn start_hub_with(configure: impl FnOnce(Hub) -> Hub) -> RunningHub {
    serve(configure, true)
}

/// A hub over plain HTTP (`--insecure-http`): the same protocol, whose requests a test
/// can cut at chosen byte offsets.
fn start_plain_hub() -> RunningHub {
    serve(|h| h, false)
}

fn serve(configure: impl FnOnce(Hub) -> Hub, tls: bool) -> RunningHub {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("hub.sqlite3")).unwrap();
    let hub = Arc::new(configure(Hub::new(store).unwrap()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    let (url, trust) = if tls {
        runtime.spawn(ayllu_hub_server::run(
            listener,
            hub.clone(),
            std::future::pending(),
        ));
        (format!("https://{address}"), Trust::Pinned(hub.fingerprint()))
    } else {
        runtime.spawn(ayllu_hub_server::run_insecure_http(
            listener,
            hub.clone(),
            std::future::pending(),
        ));
        (format!("http://{address}"), Trust::InsecureHttp)
    };
    RunningHub {
        hub,
        url,
        trust,
        _dir: dir,
        _runtime: runtime,
    }
}

struct Device {
    store: Store,
    /// The id the hub gave this device at enrollment.
    device_id: String,
    token: String,
    peer: String,
    _dir: tempfile::TempDir,
}

fn enrolled_device(hub: &RunningHub, communities: &[&str]) -> Device {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("d.sqlite3")).unwrap();
    let communities: Vec<ShortText> = communities.iter().map(|c| ShortText::parse(c).unwrap()).collect();
    let grant = if communities.is_empty() {
        admin::Communities::All
    } else {
        admin::Communities::Only(communities)
    };
    let code = hub.hub.with_store(|s| {
        admin::enroll(
            s,
            &PersonName::parse("Juana Condori").unwrap(),
            &grant,
            admin::Role::Promotor,
            chrono::Duration::days(1),
        )
        .unwrap()
    });
    let e = HubClient::new(&hub.url, hub.trust.clone(), None)
        .enroll(&code, &store, "celular")
        .unwrap();
    Device {
        store,
        device_id: e.device["device_id"].as_str().unwrap().to_string(),
        token: e.token,
        peer: format!("hub:{}", e.hub_id),
        _dir: dir,
    }
}

/// Everything the hub holds, to show a refused request changed nothing.
fn hub_state(hub: &RunningHub) -> (Vec<(HouseholdId, Vec<u8>)>, ayllu_store::ProjectionDump) {
    hub.hub.with_store(|s| {
        let docs = s
            .household_ids()
            .unwrap()
            .into_iter()
            .map(|id| (id, s.document_bytes(id).unwrap()))
            .collect();
        (docs, s.projection_dump().unwrap())
    })
}

/// An HTTPS client that talks to `hub` (a phone's, or an attacker's: the certificate is
/// public).
fn http(hub: &RunningHub) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .tls_backend_preconfigured(ayllu_sync::tls::client_config(hub.trust.clone()).0)
        .build()
        .unwrap()
}

fn post(hub: &RunningHub, token: Option<&str>, body: Vec<u8>) -> (u16, serde_json::Value) {
    let mut req = http(hub).post(format!("{}/v1/sync", hub.url)).body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.bytes().unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

/// A sync request that the hub answers: its status and the households it refused.
fn post_sync(hub: &RunningHub, token: Option<&str>, body: Vec<u8>) -> (u16, Vec<wire::Refused>) {
    let mut req = http(hub).post(format!("{}/v1/sync", hub.url)).body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.bytes().unwrap();
    let refused = wire::decode::<wire::Response>(Kind::Response, &bytes)
        .map(|r| r.refused)
        .unwrap_or_default();
    (status, refused)
}

fn postcard_request(r: &wire::Request) -> Vec<u8> {
    postcard::to_allocvec(r).unwrap()
}

/// A v4 body made by hand: `plain` zstd-compressed with the wire's dictionary, optionally
/// with a window of 2^`window_log` bytes declared (the reader would allocate it).
fn zstd_body(plain: &[u8], window_log: Option<u32>) -> Vec<u8> {
    let mut z = zstd::stream::write::Encoder::with_dictionary(Vec::new(), 3, wire::DICTIONARY_V4).unwrap();
    if let Some(w) = window_log {
        z.window_log(w).unwrap();
        z.include_contentsize(false).unwrap();
    }
    z.write_all(plain).unwrap();
    let mut out = b"AYLS\x04\x01".to_vec();
    out.extend(z.finish().unwrap());
    out
}

fn with_version(body: &[u8], version: u8) -> Vec<u8> {
    let mut b = body.to_vec();
    b[4] = version;
    b
}

fn add_households(store: &mut Store, seed: u64, n: usize, community: Option<&str>) {
    let mut census = Census::new(seed, today());
    for _ in 0..n {
        let mut h = census.household();
        if let Some(c) = community {
            h.info.community = ShortText::parse(c).unwrap();
        }
        store.insert_household(census.household_id(), &h, &who()).unwrap();
    }
}

#[test]
fn bad_requests_get_a_clear_4xx_and_change_nothing() {
    let hub = start_hub();
    let mut device = enrolled_device(&hub, &["Ccorca"]);
    add_households(&mut device.store, 1, 5, Some("Ccorca"));
    HubClient::new(&hub.url, hub.trust.clone(), Some(device.token.clone()))
        .sync(&mut device.store, &device.peer, |_| {})
        .unwrap();
    add_households(&mut device.store, 2, 3, Some("Ccorca"));
    let before = hub_state(&hub);

    // A real request, to tamper with.
    let mut session = DeviceSession::new(&device.peer);
    let request = session.next_request(&mut device.store).unwrap().unwrap();
    let body = wire::encode(Kind::Request, &request);
    let token = Some(device.token.as_str());

    // (what, token, body, status, code)
    type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, u16, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            "garbage",
            token,
            b"hola, soy un celular".to_vec(),
            400,
            "bad_request",
        ),
        (
            "truncated",
            token,
            body[..body.len() / 2].to_vec(),
            400,
            "bad_request",
        ),
        ("oversized", token, vec![b'x'; wire::MAX_BODY + 10], 413, ""),
        (
            "a zstd bomb",
            token,
            zstd_body(&vec![0u8; 40 << 20], None),
            413,
            "too_large",
        ),
        (
            "a zstd frame asking a 128 MiB window",
            token,
            zstd_body(&postcard_request(&request), Some(27)),
            400,
            "bad_request",
        ),
        (
            "an unknown wire version",
            token,
            with_version(&body, 5),
            400,
            "bad_request",
        ),
        ("no token", None, body.clone(), 401, "unauthorized"),
        (
            "unknown token",
            Some("0123456789abcdef"),
            body.clone(),
            401,
            "unauthorized",
        ),
    ];
    for (what, token, body, status, code) in cases {
        let (got, json) = post(&hub, token, body);
        assert_eq!(got, status, "{what}: {json}");
        if !code.is_empty() {
            assert_eq!(json["code"], code, "{what}");
            assert!(
                !json["message"].as_str().unwrap().is_empty(),
                "{what} needs a reason"
            );
        }
        assert!(hub_state(&hub) == before, "{what} changed the hub");
    }

    // A household sent with a message the Automerge protocol cannot read.
    let mut bad = request.clone();
    bad.request_id = [42; 16];
    bad.docs[0].message = vec![0x42, 0x00, 0xff];
    let (got, json) = post(&hub, token, wire::encode(Kind::Request, &bad));
    assert_eq!((got, json["code"].as_str()), (400, Some("bad_request")));
    assert!(hub_state(&hub) == before);
    // The same in the compact form (wire v3): a head naming a change not carried, a count
    // larger than the message, trailing bytes.
    for (i, junk) in [
        vec![0x53, 0, 1, 5, 0, 0],
        vec![0x53, 0, 0xff, 0xff, 0xff, 0xff, 0x0f],
        vec![0x53, 0, 0, 0, 0, 0],
    ]
    .into_iter()
    .enumerate()
    {
        bad.request_id = [43 + i as u8; 16];
        bad.docs[0].message = junk;
        let (got, json) = post(&hub, token, wire::encode(Kind::Request, &bad));
        assert_eq!(
            (got, json["code"].as_str()),
            (400, Some("bad_request")),
            "compact junk {i}"
        );
        assert!(hub_state(&hub) == before);
    }
    // A change our reader takes but Automerge would panic on (found by fuzzing): that
    // household is refused, the hub answers and holds what it held.
    let mut panics = request.clone();
    panics.request_id = [50; 16];
    panics.docs.truncate(1);
    panics.docs[0].message =
        include_bytes!("../crates/ayllu-sync/tests/fixtures/compact-change-missing-object.bin").to_vec();
    let (got, refused) = post_sync(&hub, token, wire::encode(Kind::Request, &panics));
    assert_eq!(got, 200);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(hub_state(&hub) == before);

    // The genuine request goes through once; the same request again is a replay.
    let (got, _) = post(&hub, token, body.clone());
    assert_eq!(got, 200);
    let after = hub_state(&hub);
    let (got, json) = post(&hub, token, body.clone());
    assert_eq!((got, json["code"].as_str()), (409, Some("replayed")));
    assert!(hub_state(&hub) == after);

    // A device reaching outside its communities: that household is refused, kept on the
    // phone with the hub's reason, and still waiting to be sent.
    let mut outsider = enrolled_device(&hub, &["Huancarani"]);
    add_households(&mut outsider.store, 3, 1, Some("Ccorca"));
    HubClient::new(&hub.url, hub.trust.clone(), Some(outsider.token.clone()))
        .sync(&mut outsider.store, &outsider.peer, |_| {})
        .unwrap();
    let refusals = outsider.store.sync_refusals(&outsider.peer).unwrap();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert_eq!(refusals[0].code, "out_of_scope");
    assert_eq!(outsider.store.waiting_for(&outsider.peer).unwrap(), 1);
    assert!(hub_state(&hub) == after);
    // ...and it does not receive Ccorca's households either.
    let mut outsider2 = enrolled_device(&hub, &["Huancarani"]);
    HubClient::new(&hub.url, hub.trust.clone(), Some(outsider2.token.clone()))
        .sync(&mut outsider2.store, &outsider2.peer, |_| {})
        .unwrap();
    assert!(outsider2.store.household_ids().unwrap().is_empty());

    // A household that breaks the rules (a 300 kg child), sent by a device that skipped validation.
    let id = device.store.household_ids().unwrap()[0];
    let mut doc = automerge::Automerge::load(&device.store.document_bytes(id).unwrap()).unwrap();
    doc.set_actor(device.store.actor().clone());
    {
        use automerge::{ROOT, ReadDoc, transaction::Transactable};
        let mut tx = doc.transaction();
        let (_, info) = tx.get(ROOT, "info").unwrap().unwrap();
        tx.put(&info, "community", "").unwrap();
        tx.commit();
    }
    let mut state = docsync::restore(None);
    docsync::prime(&mut state);
    let msg = docsync::offer(&doc, &mut state).unwrap();
    let evil = wire::Request {
        request_id: [7; 16],
        cursor: 0,
        docs: vec![wire::DocMessage {
            household: id,
            message: msg.encode(),
        }],
    };
    let (got, refused) = post_sync(&hub, token, wire::encode(Kind::Request, &evil));
    assert_eq!(got, 200);
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].household, id);
    assert_eq!(refused[0].code, RefusalCode::Invalid, "{refused:?}");
    assert!(hub_state(&hub) == after);

    // A revoked device is turned away.
    hub.hub
        .with_store(|s| admin::revoke(s, &device.device_id).unwrap());
    let err = HubClient::new(&hub.url, hub.trust.clone(), Some(device.token.clone()))
        .sync(&mut device.store, &device.peer, |_| {})
        .unwrap_err();
    assert!(matches!(err, ClientError::Refused { status: 401, .. }), "{err}");
    assert!(hub_state(&hub) == after);

    // An unreachable hub is said plainly, and is worth retrying.
    let err = HubClient::new("https://127.0.0.1:9", hub.trust.clone(), Some("x".into()))
        .sync(&mut device.store, &device.peer, |_| {})
        .unwrap_err();
    assert!(
        err.is_transient() && err.to_string().contains("cannot be reached"),
        "{err}"
    );
}

/// Forwards TCP to `target`, cutting every connection once `limit` bytes went through in
/// the chosen direction (true: device → hub).
fn cutting_proxy(target: std::net::SocketAddr, limit: usize, upstream: bool) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let moved = Arc::new(AtomicUsize::new(0));
    let counter = moved.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let Ok(server) = TcpStream::connect(target) else {
                return;
            };
            let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let count = counter.clone();
            let pump =
                move |mut from: TcpStream, mut to: TcpStream, counted: bool, count: Arc<AtomicUsize>| {
                    let mut buf = [0u8; 1024];
                    loop {
                        let n = match from.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        let mut n_send = n;
                        if counted {
                            let before = count.fetch_add(n, Ordering::SeqCst);
                            if before + n >= limit {
                                n_send = limit.saturating_sub(before);
                                let _ = to.write_all(&buf[..n_send]);
                                let _ = from.shutdown(Shutdown::Both);
                                let _ = to.shutdown(Shutdown::Both);
                                return;
                            }
                        }
                        if to.write_all(&buf[..n_send]).is_err() {
                            break;
                        }
                    }
                    let _ = to.shutdown(Shutdown::Write);
                };
            let count2 = count.clone();
            std::thread::spawn(move || pump(client, server, upstream, count));
            std::thread::spawn(move || pump(s2, c2, !upstream, count2));
        }
    });
    (format!("http://{addr}"), moved)
}

#[test]
fn a_sync_cut_anywhere_completes_next_time() {
    // Plain HTTP: the cuts fall at known places in the request and the response (under
    // TLS they would mostly fall in the handshake; a TLS sync cut short is in hub_tls).
    let hub = start_plain_hub();
    let target: std::net::SocketAddr = hub.url.trim_start_matches("http://").parse().unwrap();
    let mut a = enrolled_device(&hub, &[]);
    let mut b = enrolled_device(&hub, &[]);
    add_households(&mut a.store, 10, 40, None);
    add_households(&mut b.store, 11, 40, None);
    let direct_a = HubClient::new(&hub.url, hub.trust.clone(), Some(a.token.clone()));
    let direct_b = HubClient::new(&hub.url, hub.trust.clone(), Some(b.token.clone()));
    direct_b.sync(&mut b.store, &b.peer, |_| {}).unwrap();

    // Measure a full first sync's size, then cut at points spread across it.
    let mut visits_recorded = 0usize;
    let mut cuts = 0usize;
    for round in 0..36usize {
        // New work on both devices before every attempt.
        let ids = a.store.household_ids().unwrap();
        let id = ids[round % ids.len()];
        let recorded = a.store.update(id, &who(), "household.edit", |h| {
            let mut info = h.info.clone();
            info.address = ShortText::parse(&format!("Casa {round}")).unwrap();
            h.set_info(info)?;
            let child = h
                .members
                .iter()
                .find(|(_, m)| m.is_under_five_at(today()))
                .map(|(id, _)| *id);
            let mut visit: ayllu_model::Visit = ayllu_model::FieldError::parse_json(serde_json::json!({
                "date": today(), "promotor": "Juana Condori", "notes": format!("visita {round}")
            }))?;
            if let Some(c) = child {
                visit.child_checks.insert(c, Default::default());
            }
            h.record_visit(VisitId::new(), visit, today())
        });
        if recorded.is_ok() {
            visits_recorded += 1;
        }
        let upstream = round % 2 == 0;
        // The first attempt is cut inside the big first upload; then the cut moves through
        // the request (headers, then body) and through the response.
        let limit = match (round, upstream) {
            (0, _) => 20_000,
            // A small sync is about 800 bytes up (headers + body) and 130 down.
            (_, true) => 40 + (round / 2) * 44,
            (_, false) => 5 + (round / 2) * 7,
        };
        let (proxy, _moved) = cutting_proxy(target, limit, upstream);
        let through_proxy = HubClient::new(&proxy, hub.trust.clone(), Some(a.token.clone()));
        let outcome = through_proxy.sync(&mut a.store, &a.peer, |_| {});
        eprintln!(
            "round {round}: limit {limit} {} moved {} cut {}",
            if upstream { "up" } else { "down" },
            _moved.load(Ordering::SeqCst),
            outcome.is_err()
        );
        if let Err(e) = outcome {
            cuts += 1;
            // Connected, then cut: never "cannot reach the health post".
            assert!(matches!(e, ClientError::Cut { .. }), "round {round}: {e}");
            let words = ayllu_ops::OpsError::Hub(e).words().render(ayllu_model::Lang::ES);
            assert!(
                words.contains("se cortó") && !words.contains("¿Hay señal?"),
                "{words}"
            );
        }
        // The next sync, on a good link, completes.
        direct_a.sync(&mut a.store, &a.peer, |_| {}).unwrap();
    }
    assert!(cuts >= 30, "only {cuts} of 36 syncs were actually cut");
    direct_b.sync(&mut b.store, &b.peer, |_| {}).unwrap();
    direct_a.sync(&mut a.store, &a.peer, |_| {}).unwrap();

    let on = |s: &Store| -> Vec<(HouseholdId, ayllu_model::Household)> {
        s.household_ids()
            .unwrap()
            .into_iter()
            .map(|id| (id, s.household(id).unwrap().unwrap()))
            .collect()
    };
    let hub_docs = hub.hub.with_store(|s| on(s));
    assert_eq!(on(&a.store), hub_docs, "device a and hub differ");
    assert_eq!(on(&b.store), hub_docs, "device b and hub differ");
    assert_eq!(hub_docs.len(), 80);
    // Every visit recorded exactly once: none lost, none duplicated.
    let notes: Vec<String> = hub_docs
        .iter()
        .flat_map(|(_, h)| h.visits.values())
        .filter_map(|v| v.notes.as_ref().map(|n| n.to_string()))
        .filter(|n| n.starts_with("visita "))
        .collect();
    assert_eq!(notes.len(), visits_recorded);
    let unique: std::collections::BTreeSet<_> = notes.iter().collect();
    assert_eq!(unique.len(), notes.len());
}

/// The app's background sync shares its store with the UI: while a sync runs the store
/// stays usable, and "records waiting" counts exactly what the hub has not confirmed.
#[test]
fn a_shared_store_sync_counts_what_is_waiting_and_leaves_the_store_usable() {
    let hub = start_hub();
    let a = enrolled_device(&hub, &[]);
    let b = enrolled_device(&hub, &[]);
    let (token_a, token_b) = (a.token.clone(), b.token.clone());
    let client = |token: &str| HubClient::new(&hub.url, hub.trust.clone(), Some(token.to_string()));
    let (peer_a, peer_b) = (a.peer.clone(), b.peer.clone());
    let store_a = std::sync::Mutex::new(a.store);
    let store_b = std::sync::Mutex::new(b.store);

    add_households(&mut store_a.lock().unwrap(), 41, 30, None);
    assert_eq!(store_a.lock().unwrap().waiting_for(&peer_a).unwrap(), 30);

    // Between exchanges the lock is free: a save made from the progress callback (as the
    // UI would, on another thread) lands, and is sent by the same session or the next.
    let mut saved_during = None;
    let mut census = Census::new(42, today());
    let progress = client(&token_a)
        .with_budget(4 * 1024)
        .sync_shared(&store_a, &peer_a, |_| {
            if saved_during.is_none() {
                let mut s = store_a
                    .try_lock()
                    .expect("the store is not held during the network wait");
                let id = census.household_id();
                s.insert_household(id, &census.household(), &who()).unwrap();
                saved_during = Some(id);
            }
        })
        .unwrap();
    assert!(progress.exchanges > 1, "small budget: several exchanges");
    client(&token_a).sync_shared(&store_a, &peer_a, |_| {}).unwrap();
    assert_eq!(store_a.lock().unwrap().waiting_for(&peer_a).unwrap(), 0);
    let at_hub = hub.hub.with_store(|s| s.household_ids().unwrap());
    assert_eq!(at_hub.len(), 31);
    assert!(at_hub.contains(&saved_during.unwrap()));

    // A device that only receives has nothing waiting afterwards.
    client(&token_b).sync_shared(&store_b, &peer_b, |_| {}).unwrap();
    assert_eq!(store_b.lock().unwrap().household_ids().unwrap().len(), 31);
    assert_eq!(store_b.lock().unwrap().waiting_for(&peer_b).unwrap(), 0);

    // One edit here: one household waiting, none after the next sync.
    let id = saved_during.unwrap();
    store_b
        .lock()
        .unwrap()
        .update(id, &who(), "visit.record", |h| {
            let visit = census.visit(h);
            h.record_visit(VisitId::new(), visit, today())
        })
        .unwrap();
    assert_eq!(store_b.lock().unwrap().waiting_for(&peer_b).unwrap(), 1);
    client(&token_b).sync_shared(&store_b, &peer_b, |_| {}).unwrap();
    assert_eq!(store_b.lock().unwrap().waiting_for(&peer_b).unwrap(), 0);
}

/// Tokens rotate as the device syncs: the phone keeps the new one by itself, the old one
/// stops working once the new one has been used, and nothing is lost on the way.
#[test]
fn tokens_rotate_during_sync() {
    let hub = start_hub_with(|h| {
        h.with_token_policy(admin::TokenPolicy {
            rotate_after: chrono::Duration::zero(),
            expire_after: chrono::Duration::days(365),
        })
    });
    let mut device = enrolled_device(&hub, &["Ccorca"]);
    device
        .store
        .set_setting(ayllu_sync::http::TOKEN, &device.token)
        .unwrap();
    add_households(&mut device.store, 51, 5, Some("Ccorca"));
    let first = device.token.clone();
    for round in 0..3 {
        let token = device.store.setting(ayllu_sync::http::TOKEN).unwrap().unwrap();
        HubClient::new(&hub.url, hub.trust.clone(), Some(token.clone()))
            .sync(&mut device.store, &device.peer, |_| {})
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let next = device.store.setting(ayllu_sync::http::TOKEN).unwrap().unwrap();
        assert_ne!(next, token, "round {round}: rotated and kept");
    }
    // The first token was superseded and its successor used: it opens nothing now.
    let err = HubClient::new(&hub.url, hub.trust.clone(), Some(first))
        .sync(&mut device.store, &device.peer, |_| {})
        .unwrap_err();
    assert!(matches!(err, ClientError::Refused { status: 401, .. }), "{err}");
    assert_eq!(hub.hub.with_store(|s| s.household_ids().unwrap().len()), 5);
}

/// A household document written before answers were tri-state (every answer a boolean,
/// `tests/fixtures/README.md`) held by the hub: phones receive it, read it as it was
/// written, add a visit in today's form (questions not asked), and sync it back; another
/// phone then reads both visits, each as it was recorded.
#[test]
fn a_document_written_by_older_phones_still_reads_and_syncs() {
    use ayllu_model::{Answer, Gated};
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/household-2026-11.json")).unwrap();
    let id: HouseholdId = fixture["id"].as_str().unwrap().parse().unwrap();
    let baby: ayllu_model::MemberId = fixture["members"][1].as_str().unwrap().parse().unwrap();
    let hub = start_hub();
    hub.hub.with_store(|s| {
        let doc = automerge::Automerge::load(include_bytes!("fixtures/household-2026-11.automerge")).unwrap();
        s.replica(|r| r.save_document(id, &doc, None).map(|_| ()))
            .unwrap();
    });

    let mut a = enrolled_device(&hub, &["Ccorca"]);
    let mut b = enrolled_device(&hub, &["Ccorca"]);
    let client = |token: &str| HubClient::new(&hub.url, hub.trust.clone(), Some(token.to_string()));
    client(&a.token).sync(&mut a.store, &a.peer, |_| {}).unwrap();
    let old_visit = {
        let h = a.store.household(id).unwrap().expect("received");
        let (visit_id, v) = h.visits.iter().next().map(|(k, v)| (*k, v.clone())).unwrap();
        let c = &v.child_checks[&baby];
        assert_eq!(
            (c.vaccination_card_seen, c.vaccines_up_to_date),
            (Answer::Yes, Answer::No)
        );
        assert!(c.danger_sign(), "convulsions, recorded as a boolean, still read");
        visit_id
    };

    // Today's form: only the weight and the diarrhoea question asked.
    let visit: ayllu_model::Visit = serde_json::from_value(serde_json::json!({
        "date": today().to_string(), "promotor": "Juana Condori",
        "child_checks": {baby.to_string(): {"weight_kg": 8.4, "diarrhoea": {"answer": "no"}}}
    }))
    .unwrap();
    let new_visit = VisitId::new();
    a.store
        .update(id, &who(), "visit.record", |h| {
            h.record_visit(new_visit, visit, today())
        })
        .unwrap();
    client(&a.token).sync(&mut a.store, &a.peer, |_| {}).unwrap();
    assert_eq!(a.store.waiting_for(&a.peer).unwrap(), 0, "the hub took the edit");
    assert!(a.store.sync_refusals(&a.peer).unwrap().is_empty());

    client(&b.token).sync(&mut b.store, &b.peer, |_| {}).unwrap();
    let h = b.store.household(id).unwrap().expect("received");
    assert_eq!(h.visits.len(), 2);
    let old = &h.visits[&old_visit].child_checks[&baby];
    assert_eq!((old.fever, old.vitamin_a), (Answer::Yes, Answer::No));
    let new = &h.visits[&new_visit].child_checks[&baby];
    assert_eq!(new.diarrhoea, Gated::No);
    assert_eq!(
        (new.fever, new.vaccines_up_to_date, new.danger_signs.answer()),
        (Answer::NotAsked, Answer::NotAsked, Answer::NotAsked),
        "what was not asked arrives as not asked, not as no"
    );
}

/// A phone not yet updated speaks wire v2 (zlib, Automerge's own message encoding): the hub
/// takes its households and answers it in v2, so it reads the answer; a phone on v3 gets
/// compact messages, an updated one (v4) households it lacks as whole documents.
#[test]
fn a_phone_not_yet_updated_is_answered_in_the_version_it_speaks() {
    let hub = start_hub();
    let mut old = enrolled_device(&hub, &["Ccorca"]);
    add_households(&mut old.store, 3, 4, Some("Ccorca"));
    // What the older app sent: each household's first message as Automerge encodes it.
    let request = wire::Request {
        request_id: [9; 16],
        cursor: 0,
        docs: old
            .store
            .household_ids()
            .unwrap()
            .into_iter()
            .map(|id| {
                let doc = old.store.replica(|r| r.document(id)).unwrap().unwrap();
                let mut state = automerge::sync::State::new();
                docsync::prime(&mut state);
                let message = docsync::offer_message(id, &doc, &mut state, wire::Version::V2).unwrap();
                assert_eq!(message.message[0], 0x42);
                message
            })
            .collect(),
    };
    let send = |token: &str, body: Vec<u8>| {
        let resp = http(&hub)
            .post(format!("{}/v1/sync", hub.url))
            .bearer_auth(token)
            .body(body)
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        resp.bytes().unwrap().to_vec()
    };
    let answer = send(
        &old.token,
        wire::encode_as(wire::Version::V2, Kind::Request, &request),
    );
    let (version, response) = wire::decode_versioned::<wire::Response>(Kind::Response, &answer).unwrap();
    assert_eq!(version, wire::Version::V2);
    assert!(response.refused.is_empty(), "{:?}", response.refused);
    let held: Vec<HouseholdId> = hub.hub.with_store(|s| s.household_ids().unwrap());
    for d in &request.docs {
        assert!(held.contains(&d.household), "the hub took every household");
    }

    // Another phone of the same communities pulls them: in v2 as Automerge's messages, in
    // v3 as compact ones, in v4 as whole documents, all read by our reader.
    let b = enrolled_device(&hub, &["Ccorca"]);
    for version in [wire::Version::V2, wire::Version::V3, wire::Version::V4] {
        let pull = wire::Request {
            request_id: [version as u8; 16],
            cursor: 0,
            docs: vec![],
        };
        let answer = send(&b.token, wire::encode_as(version, Kind::Request, &pull));
        let (got, response) = wire::decode_versioned::<wire::Response>(Kind::Response, &answer).unwrap();
        assert_eq!(got, version);
        assert_eq!(response.docs.len(), 4);
        for d in &response.docs {
            let first = d.message[0];
            let expected = match version {
                wire::Version::V2 => 0x42,
                wire::Version::V3 => 0x53,
                wire::Version::V4 => ayllu_sync::guard::whole::TAG,
            };
            assert_eq!(first, expected);
            ayllu_sync::guard::read_incoming(&d.message, &ayllu_sync::guard::Limits::SYNC).unwrap();
        }
    }
}

/// A fake hub on loopback (plain HTTP): answers the first sync request with `first`, and
/// every later one with an empty response. Returns its URL and how many requests it got.
fn fake_hub(first: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            // Headers, then the body its length says.
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let text = String::from_utf8_lossy(&head).to_lowercase();
            let len = text
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            let mut body = vec![0u8; len];
            if conn.read_exact(&mut body).is_err() {
                continue;
            }
            let answer = if seen.fetch_add(1, Ordering::SeqCst) == 0 {
                first.clone()
            } else {
                let empty = wire::Response {
                    docs: Vec::new(),
                    cursor: 0,
                    more: false,
                    refused: Vec::new(),
                    token: None,
                };
                wire::encode(Kind::Response, &empty)
            };
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\ncontent-type: application/x-ayllu-sync\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                answer.len()
            );
            let _ = conn.write_all(&answer);
            let _ = conn.shutdown(Shutdown::Both);
        }
    });
    (url, count)
}

/// A hub can be fake. One that answers a phone with good households mixed with bad ones
/// (unreadable bytes, a household of a shape the app never writes, a household sent twice
/// with other contents), spread over several of the groups a phone merges at once on
/// every core: the phone keeps exactly the good ones as they were, keeps none of the bad,
/// records each refusal, and does not move its cursor past what it refused.
#[test]
fn a_fake_hub_cannot_slip_bad_households_into_a_phone() {
    use automerge::transaction::Transactable;
    let dir = tempfile::tempdir().unwrap();
    let mut source = Store::open(&dir.path().join("source.sqlite3")).unwrap();
    add_households(&mut source, 77, 40, None);
    let ids = source.household_ids().unwrap();
    let offer = |doc: &automerge::Automerge, id: HouseholdId| {
        let mut state = automerge::sync::State::new();
        docsync::prime(&mut state);
        docsync::offer_message(id, doc, &mut state, wire::Version::CURRENT).unwrap()
    };
    let doc_of = |id: HouseholdId| automerge::Automerge::load(&source.document_bytes(id).unwrap()).unwrap();
    let mut docs: Vec<wire::DocMessage> = ids.iter().map(|id| offer(&doc_of(*id), *id)).collect();
    // Unreadable bytes, at the start of a group.
    let unreadable = HouseholdId::new();
    docs.insert(
        0,
        wire::DocMessage {
            household: unreadable,
            message: vec![0x53, 0xff, 0xff, 0x01, 0x02],
        },
    );
    // A key the model never writes, in the middle of another group.
    let odd = HouseholdId::new();
    let mut doc = doc_of(ids[3]);
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, "junk", "x".repeat(10_000)).unwrap();
    tx.commit();
    docs.insert(17, offer(&doc, odd));
    // The same, as a hub on wire v4 sends a household the phone lacks: whole (a key the
    // model never writes), and a whole form that does not read.
    let odd_whole = HouseholdId::new();
    let mut doc = doc_of(ids[5]);
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, "junk", "z".repeat(10_000)).unwrap();
    tx.commit();
    docs.insert(
        25,
        wire::DocMessage {
            household: odd_whole,
            message: ayllu_sync::guard::whole::write(&doc.save_nocompress()).unwrap(),
        },
    );
    let unreadable_whole = HouseholdId::new();
    docs.insert(
        9,
        wire::DocMessage {
            household: unreadable_whole,
            message: vec![ayllu_sync::guard::whole::TAG, 1, 16, 0xff],
        },
    );
    // A good household sent again with another content: the first one counts.
    let twice = ids[30];
    let mut doc = doc_of(twice);
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, "junk", "y").unwrap();
    tx.commit();
    docs.push(offer(&doc, twice));
    let response = wire::Response {
        docs,
        cursor: 999,
        more: false,
        refused: Vec::new(),
        token: None,
    };
    let (url, requests) = fake_hub(wire::encode(Kind::Response, &response));

    let mut phone = Store::open(&dir.path().join("phone.sqlite3")).unwrap();
    let client = HubClient::new(&url, Trust::InsecureHttp, Some("token".into()));
    client.sync(&mut phone, "hub", |_| {}).unwrap();
    assert!(requests.load(Ordering::SeqCst) >= 1);

    let mut kept = phone.household_ids().unwrap();
    kept.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(kept, expected, "exactly the good households");
    for id in &ids {
        assert_eq!(
            phone.household(*id).unwrap(),
            source.household(*id).unwrap(),
            "{id} as sent"
        );
    }
    let refused: Vec<HouseholdId> = phone
        .sync_refusals("hub")
        .unwrap()
        .into_iter()
        .filter(|r| r.direction == ayllu_store::Direction::In)
        .map(|r| r.household_id)
        .collect();
    for bad in [unreadable, odd, odd_whole, unreadable_whole] {
        assert!(refused.contains(&bad), "{bad} refused: {refused:?}");
    }
    let cursor = phone.replica(|r| r.peer("hub")).unwrap().cursor;
    assert_eq!(cursor, 0, "the cursor does not pass what was refused");
    assert_eq!(phone.integrity_check().unwrap(), "ok");
}

/// A household's first sync travels whole in wire v4 (`guard::whole`): a phone that writes
/// the whole form itself gains nothing by it. Over HTTPS to the real hub: a document made
/// under another actor, one that breaks the rules, one with a key the model does not write,
/// one outside the device's communities are each refused alone, a replay whole; a whole form cut short, or declaring a billion rows, fails the
/// request (400) before Automerge sees it. Nothing of any of them is stored.
#[test]
fn whole_documents_from_a_phone_are_checked_like_any_other() {
    use automerge::{ROOT, ReadDoc, transaction::Transactable};
    use ayllu_sync::guard::whole;
    let hub = start_hub();
    let device = enrolled_device(&hub, &["Ccorca"]);
    let token = Some(device.token.as_str());
    let before = hub_state(&hub);
    // A household as the device's store holds it, changed by `edit` under `actor`.
    let mut other = Store::open(std::path::Path::new(":memory:")).unwrap();
    add_households(&mut other, 41, 1, Some("Ccorca"));
    let id = other.household_ids().unwrap()[0];
    let doc_of = |actor: &automerge::ActorId, edit: &dyn Fn(&mut automerge::transaction::Transaction<'_>)| {
        let mut doc = automerge::Automerge::new().with_actor(actor.clone());
        let household = other.household(id).unwrap().unwrap();
        doc.transact::<_, _, autosurgeon::ReconcileError>(|tx| {
            autosurgeon::reconcile(tx, &household)?;
            edit(tx);
            Ok(())
        })
        .unwrap();
        doc
    };
    let send = |request_id: u8, message: Vec<u8>| {
        let request = wire::Request {
            request_id: [request_id; 16],
            cursor: 0,
            docs: vec![wire::DocMessage {
                household: id,
                message,
            }],
        };
        post(&hub, token, wire::encode(Kind::Request, &request))
    };
    let refused = |request_id: u8, doc: &automerge::Automerge| {
        let form = whole::write(&doc.save_nocompress()).expect("a whole form");
        let request = wire::Request {
            request_id: [request_id; 16],
            cursor: 0,
            docs: vec![wire::DocMessage {
                household: id,
                message: form,
            }],
        };
        let (got, refused) = post_sync(&hub, token, wire::encode(Kind::Request, &request));
        assert_eq!(got, 200);
        assert_eq!(refused.len(), 1, "{refused:?}");
        refused[0].code
    };
    let own = device.store.actor().clone();
    let stranger = automerge::ActorId::random();
    assert_eq!(refused(1, &doc_of(&stranger, &|_| {})), RefusalCode::ForeignActor);
    let emptied = doc_of(&own, &|tx| {
        let (_, info) = tx.get(ROOT, "info").unwrap().unwrap();
        tx.put(&info, "community", "").unwrap();
    });
    assert_eq!(refused(2, &emptied), RefusalCode::Invalid);
    let parked = doc_of(&own, &|tx| {
        tx.put(ROOT, "payload", "x".repeat(1000)).unwrap();
    });
    assert_eq!(refused(3, &parked), RefusalCode::Shape);
    let elsewhere = doc_of(&own, &|tx| {
        let (_, info) = tx.get(ROOT, "info").unwrap().unwrap();
        tx.put(&info, "community", "Huancarani").unwrap();
    });
    assert_eq!(refused(4, &elsewhere), RefusalCode::OutOfScope);
    // Sent again under the same request id: a replay, refused whole.
    let again = wire::Request {
        request_id: [4; 16],
        cursor: 0,
        docs: vec![wire::DocMessage {
            household: id,
            message: whole::write(&doc_of(&own, &|_| {}).save_nocompress()).unwrap(),
        }],
    };
    let (got, json) = post(&hub, token, wire::encode(Kind::Request, &again));
    assert_eq!((got, json["code"].as_str()), (409, Some("replayed")));
    assert!(hub_state(&hub) == before);

    let good = whole::write(&doc_of(&own, &|_| {}).save_nocompress()).unwrap();
    for cut in [1, 2, good.len() / 2, good.len() - 1] {
        let (got, json) = send(10 + cut as u8, good[..cut].to_vec());
        assert_eq!(
            (got, json["code"].as_str()),
            (400, Some("bad_request")),
            "cut at {cut}"
        );
    }
    // One actor, no heads, one change column (unsigned, run-length) declaring a run of a
    // billion rows in four bytes, no operation columns.
    let mut bomb = vec![whole::TAG, 1, 16];
    bomb.extend_from_slice(own.to_bytes());
    bomb.extend_from_slice(&[1, 1, 6, 0]);
    bomb.extend_from_slice(&[0x80, 0x94, 0xeb, 0xdc, 0x03, 0]);
    let (got, json) = send(9, bomb);
    assert_eq!((got, json["code"].as_str()), (400, Some("bad_request")), "{json}");
    assert!(hub_state(&hub) == before);

    // The same household, whole and as the device made it, is taken.
    let (got, json) = send(8, good);
    assert_eq!(got, 200, "{json}");
    let held = hub.hub.with_store(|s| s.household(id).unwrap());
    assert_eq!(held, other.household(id).unwrap());
}

/// A fresh phone pulling many pages gets each next page as the hub built it while the
/// phone stored the last (`pages_built_ahead`); with another phone uploading in between
/// (which makes a page built before it stale: `in_process.rs` shows which), the phone still
/// ends holding exactly what the hub holds.
#[test]
fn a_pull_gets_pages_built_ahead_unless_something_changed() {
    let hub = start_hub();
    hub.hub
        .with_store(|s| add_households(s, 51, 1600, Some("Ccorca")));
    let mut fresh = enrolled_device(&hub, &["Ccorca"]);
    let client = HubClient::new(&hub.url, hub.trust.clone(), Some(fresh.token.clone()));
    let progress = client.sync(&mut fresh.store, &fresh.peer, |_| {}).unwrap();
    assert!(progress.exchanges >= 4, "{progress:?}");
    let built = hub.hub.pages_built_ahead();
    assert!(
        built >= 2,
        "{built} pages built ahead of {} exchanges",
        progress.exchanges
    );
    let holdings = |store: &Store| {
        let mut ids = store.household_ids().unwrap();
        ids.sort();
        ids
    };
    assert_eq!(holdings(&fresh.store), hub.hub.with_store(|s| holdings(s)));

    // Another phone uploads while the next fresh phone stores its first page.
    let mut other = enrolled_device(&hub, &["Ccorca"]);
    add_households(&mut other.store, 52, 3, Some("Ccorca"));
    let other_client = HubClient::new(&hub.url, hub.trust.clone(), Some(other.token.clone()));
    let mut second = enrolled_device(&hub, &["Ccorca"]);
    let client = HubClient::new(&hub.url, hub.trust.clone(), Some(second.token.clone()));
    let mut once = true;
    client
        .sync(&mut second.store, &second.peer, |_| {
            if std::mem::take(&mut once) {
                other_client.sync(&mut other.store, &other.peer, |_| {}).unwrap();
            }
        })
        .unwrap();
    assert_eq!(holdings(&second.store), hub.hub.with_store(|s| holdings(s)));
    assert_eq!(holdings(&second.store).len(), 1603);
}
