//! The hub proves who it is: a phone enrolled with a typed code pins the hub's certificate,
//! and then refuses another machine at the hub's address (another certificate, or plain
//! HTTP) before a byte of its token or census leaves it. Real hubs over loopback HTTPS.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ayllu_hub::admin;
use ayllu_hub_server::Hub;
use ayllu_model::{PersonName, ShortText};
use ayllu_store::{Signature, Store};
use ayllu_sync::http::{ClientError, HubClient};
use ayllu_sync::tls::{self, Trust};
use ayllu_synth::Census;

struct RunningHub {
    hub: Arc<Hub>,
    url: String,
    address: std::net::SocketAddr,
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

fn start(tls: bool) -> RunningHub {
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
    let address = listener.local_addr().unwrap();
    let url = if tls {
        runtime.spawn(ayllu_hub_server::run(
            listener,
            hub.clone(),
            std::future::pending(),
        ));
        format!("https://{address}")
    } else {
        runtime.spawn(ayllu_hub_server::run_insecure_http(
            listener,
            hub.clone(),
            std::future::pending(),
        ));
        format!("http://{address}")
    };
    RunningHub {
        hub,
        url,
        address,
        _dir: dir,
        _runtime: runtime,
    }
}

/// What the staff read out: the one-time secret and the hub's short fingerprint.
fn typed_code(hub: &RunningHub) -> String {
    let secret = hub.hub.with_store(|s| {
        admin::enroll(
            s,
            &PersonName::parse("Juana Condori").unwrap(),
            &admin::Communities::All,
            admin::Role::Promotor,
            chrono::Duration::days(1),
        )
        .unwrap()
    });
    tls::typed_code(&secret, &hub.hub.fingerprint())
}

fn who() -> Signature {
    Signature::now(PersonName::parse("Juana Condori").unwrap())
}

struct Phone {
    store: Store,
    _dir: tempfile::TempDir,
}

fn phone(households: usize) -> Phone {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("phone.sqlite3")).unwrap();
    let mut census = Census::new(7, chrono::Local::now().date_naive());
    for _ in 0..households {
        let mut h = census.household();
        h.info.community = ShortText::parse("Ccorca").unwrap();
        store.insert_household(census.household_id(), &h, &who()).unwrap();
    }
    Phone { store, _dir: dir }
}

fn households_at(hub: &RunningHub) -> usize {
    hub.hub.with_store(|s| s.household_ids().unwrap().len())
}

/// A TCP listener that records whether any bytes of an HTTP request arrived (a
/// plain-HTTP impostor): the phone must not send it its token or census.
fn listening_impostor() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let got = Arc::new(AtomicUsize::new(0));
    let seen = got.clone();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = vec![0u8; 64 * 1024];
            let n = s.read(&mut buf).unwrap_or(0);
            // A TLS ClientHello is 0x16 0x03 ...; anything readable as HTTP would be a leak.
            if buf[..n].windows(6).any(|w| w == b"Bearer") || buf[..n].starts_with(b"POST") {
                seen.fetch_add(1, Ordering::SeqCst);
            }
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
        }
    });
    (format!("https://{addr}"), got)
}

#[test]
fn a_phone_pins_its_hub_and_refuses_another_certificate_and_plain_http() {
    let hub = start(true);
    let mut a = phone(5);
    let e =
        ayllu_ops::enroll::enroll(&mut a.store, &hub.url, &typed_code(&hub), false, Some("celular")).unwrap();
    assert_eq!(e.hub, hub.url);
    // What enrolling kept: the whole fingerprint of the certificate met.
    let link = ayllu_ops::sync::HubLink::of(&a.store).unwrap().unwrap();
    assert_eq!(link.trust, Some(Trust::Pinned(hub.hub.fingerprint())));
    ayllu_ops::sync::sync_once(&mut a.store, &link, |_| {}).unwrap();
    assert_eq!(households_at(&hub), 5);

    // Another machine on the Wi-Fi, a real hub with its own certificate, at "the hub's
    // address": refused during the handshake, before the token or a household is sent.
    let impostor = start(true);
    let moved = ayllu_ops::sync::HubLink::required(&a.store, Some(impostor.url.clone())).unwrap();
    let err = ayllu_ops::sync::sync_once(&mut a.store, &moved, |_| {}).unwrap_err();
    assert_eq!(err.code(), "wrong_certificate", "{err}");
    let words = err.words().render(ayllu_model::Lang::ES);
    assert!(
        words.contains("no es el puesto de salud de este celular"),
        "{words}"
    );
    assert_eq!(households_at(&impostor), 0);
    assert!(impostor.hub.with_store(|s| admin::devices(s).unwrap()).is_empty());

    // The same phone told the hub moved to a plain-HTTP address: refused without a
    // connection; and a plain-HTTP server behind an https:// address gets no request.
    let plain = start(false);
    let moved = ayllu_ops::sync::HubLink::required(&a.store, Some(plain.url.clone())).unwrap();
    let err = ayllu_ops::sync::sync_once(&mut a.store, &moved, |_| {}).unwrap_err();
    assert_eq!(err.code(), "plain_http", "{err}");
    assert_eq!(households_at(&plain), 0);
    let (posing, requests) = listening_impostor();
    let moved = ayllu_ops::sync::HubLink::required(&a.store, Some(posing)).unwrap();
    let err = ayllu_ops::sync::sync_once(&mut a.store, &moved, |_| {}).unwrap_err();
    assert!(matches!(err, ayllu_ops::OpsError::Hub(_)), "{err}");
    assert_eq!(
        requests.load(Ordering::SeqCst),
        0,
        "a request reached the impostor"
    );

    // Its own hub, at a new address (the post's Wi-Fi changed): the pin still matches.
    let mut more = Census::new(8, chrono::Local::now().date_naive());
    let mut h = more.household();
    h.info.community = ShortText::parse("Ccorca").unwrap();
    a.store.insert_household(more.household_id(), &h, &who()).unwrap();
    let same = format!("https://localhost:{}", hub.address.port());
    let moved = ayllu_ops::sync::HubLink::required(&a.store, Some(same)).unwrap();
    ayllu_ops::sync::sync_once(&mut a.store, &moved, |_| {}).unwrap();
    assert_eq!(households_at(&hub), 6);
}

#[test]
fn a_code_with_another_hubs_fingerprint_enrolls_nowhere_and_is_not_spent() {
    let hub = start(true);
    let other = start(true);
    let mut a = phone(0);
    // The code is for `other`; the machine at the address typed is `hub`.
    let for_other = typed_code(&other);
    let secret_of_hub = typed_code(&hub)[..14].to_string();
    let forged = format!("{secret_of_hub}-{}", &for_other[15..]);
    let err = ayllu_ops::enroll::enroll(&mut a.store, &hub.url, &forged, false, None).unwrap_err();
    assert_eq!(err.code(), "wrong_certificate", "{err}");
    assert!(hub.hub.with_store(|s| admin::devices(s).unwrap()).is_empty());
    // The secret never left the phone: the right code (same secret) still enrolls.
    let right = format!("{secret_of_hub}-{}", &typed_code(&hub)[15..]);
    // (a second code was made meanwhile; the first secret is the one being tested)
    ayllu_ops::enroll::enroll(&mut a.store, &hub.url, &right, false, None).unwrap();
    assert_eq!(hub.hub.with_store(|s| admin::devices(s).unwrap()).len(), 1);

    // An https:// hub with a code that has no fingerprint: refused before any connection.
    let mut b = phone(0);
    let err =
        ayllu_ops::enroll::enroll(&mut b.store, &hub.url, &typed_code(&hub)[..14], false, None).unwrap_err();
    assert_eq!(err.code(), "code_without_fingerprint", "{err}");
    // Plain HTTP only when asked for by name.
    let plain = start(false);
    let err =
        ayllu_ops::enroll::enroll(&mut b.store, &plain.url, &typed_code(&plain), false, None).unwrap_err();
    assert_eq!(err.code(), "plain_http", "{err}");
    ayllu_ops::enroll::enroll(&mut b.store, &plain.url, &typed_code(&plain), true, None).unwrap();
    let link = ayllu_ops::sync::HubLink::of(&b.store).unwrap().unwrap();
    assert!(link.is_insecure());
}

/// Forwards TCP to `target`, cutting each connection once `limit` bytes went through
/// (both directions counted).
fn cutting_proxy(target: std::net::SocketAddr, limit: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(target) else {
                continue;
            };
            let count = Arc::new(AtomicUsize::new(0));
            let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let pump = move |mut from: TcpStream, mut to: TcpStream, count: Arc<AtomicUsize>| {
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    let n = match from.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let before = count.fetch_add(n, Ordering::SeqCst);
                    if before + n >= limit {
                        let _ = to.write_all(&buf[..limit.saturating_sub(before)]);
                        let _ = from.shutdown(Shutdown::Both);
                        let _ = to.shutdown(Shutdown::Both);
                        return;
                    }
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = to.shutdown(Shutdown::Write);
            };
            let count2 = count.clone();
            std::thread::spawn(move || pump(client, server, count));
            std::thread::spawn(move || pump(s2, c2, count2));
        }
    });
    format!("https://{addr}")
}

#[test]
fn a_tls_sync_cut_anywhere_completes_next_time() {
    let hub = start(true);
    let mut a = phone(40);
    ayllu_ops::enroll::enroll(&mut a.store, &hub.url, &typed_code(&hub), false, None).unwrap();
    let link = ayllu_ops::sync::HubLink::of(&a.store).unwrap().unwrap();
    let trust = link.trust.clone().unwrap();
    // Cuts in the handshake (a few hundred bytes), in the first request, and further on.
    let mut failures = 0;
    for limit in [200, 900, 1_500, 3_000, 8_000, 20_000, 60_000] {
        let proxy = cutting_proxy(hub.address, limit);
        let client = HubClient::new(&proxy, trust.clone(), link.token.clone());
        match client.sync(&mut a.store, &link.peer, |_| {}) {
            Err(e) => {
                failures += 1;
                assert!(e.is_transient(), "limit {limit}: {e}");
                assert!(!matches!(e, ClientError::WrongCertificate { .. }), "{e}");
            }
            Ok(_) => break,
        }
    }
    assert!(
        failures >= 3,
        "the cuts fell too late to test anything ({failures})"
    );
    ayllu_ops::sync::sync_once(&mut a.store, &link, |_| {}).unwrap();
    assert_eq!(households_at(&hub), 40);
    assert_eq!(a.store.waiting_for(&link.peer).unwrap(), 0);
}
