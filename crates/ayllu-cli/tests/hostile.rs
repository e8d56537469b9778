//! Hostile bytes against the real hub: `ayllu hub serve` in its own process, under a hard
//! address-space limit, attacked over loopback HTTP by an enrolled phone. Each attack of
//! the trust issue's table is refused with its reason; the hub stays up and answering, its
//! peak memory stays small, and nothing but the legitimate part of a batch is stored.

use std::process::Command;

use automerge::{ActorId, Automerge, ROOT, ReadDoc, transaction::Transactable};
use ayllu_model::{HouseholdId, ShortText, VisitId};
use ayllu_store::Store;
use ayllu_sync::docsync;
use ayllu_sync::wire::{self, DocMessage, Kind, RefusalCode, Request, Response};
use ayllu_synth::Census;
use ayllu_synth::hostile::{bloom_message, chunk, message_with_changes};
use serde_json::Value;

mod common;
use common::*;

struct Phone {
    store: Store,
    token: String,
    peer: String,
    _dir: tempfile::TempDir,
}

fn phone(hub: &HubProcess, community: &str) -> Phone {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("phone.sqlite3")).unwrap();
    let code = hub.code(&["--community", community]);
    let e = hub.client(None).enroll(&code, &store, "celular").unwrap();
    Phone {
        store,
        token: e.token,
        peer: format!("hub:{}", e.hub_id),
        _dir: dir,
    }
}

impl Phone {
    fn add(&mut self, seed: u64, n: usize, community: &str) -> Vec<HouseholdId> {
        let mut census = Census::new(seed, today());
        (0..n)
            .map(|_| {
                let mut h = census.household();
                h.info.community = ShortText::parse(community).unwrap();
                let id = census.household_id();
                self.store.insert_household(id, &h, &who()).unwrap();
                id
            })
            .collect()
    }

    fn sync(&mut self, hub: &HubProcess) {
        hub.client(Some(self.token.clone()))
            .sync(&mut self.store, &self.peer, |_| {})
            .unwrap();
    }

    /// This phone's copy of a household, to forge changes on.
    fn doc(&self, id: HouseholdId) -> Automerge {
        let mut doc = Automerge::load(&self.store.document_bytes(id).unwrap()).unwrap();
        doc.set_actor(self.store.actor().clone());
        doc
    }
}

/// A sync message carrying what `doc` has beyond `known` (the hub's copy).
fn message(doc: &Automerge, known: &[automerge::ChangeHash]) -> Vec<u8> {
    let mut state = docsync::restore(None);
    state.shared_heads = known.to_vec();
    docsync::prime(&mut state);
    docsync::offer(doc, &mut state).unwrap().encode()
}

fn request(docs: Vec<(HouseholdId, Vec<u8>)>) -> Vec<u8> {
    wire::encode(
        Kind::Request,
        &Request {
            request_id: *uuid::Uuid::new_v4().as_bytes(),
            cursor: 0,
            docs: docs
                .into_iter()
                .map(|(household, message)| DocMessage { household, message })
                .collect(),
        },
    )
}

/// Posts a body; the status, the decoded response if any, the JSON refusal if any.
fn post(hub: &HubProcess, token: &str, body: Vec<u8>) -> (u16, Option<Response>, Value) {
    let resp = hub
        .http()
        .post(format!("{}/v1/sync", hub.url))
        .bearer_auth(token)
        .body(body)
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.bytes().unwrap();
    let decoded = wire::decode::<Response>(Kind::Response, &bytes).ok();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, decoded, json)
}

#[test]
fn hostile_requests_are_refused_and_the_hub_stays_up_within_bounded_memory() {
    let root = tempfile::tempdir().unwrap();
    let mut hub = HubProcess::start(&root.path().join("hub"));
    let mut a = phone(&hub, "Ccorca");
    let ids = a.add(1, 6, "Ccorca");
    a.sync(&hub);
    hub.assert_healthy("the first sync");
    let known = |a: &Phone, id| a.doc(id).get_heads();
    let target = ids[0];

    // 1. A Bloom filter with 4,294,967,295 probes (16 GiB asked at once), in 65 bytes.
    // 2. A Bloom filter with 0 bits per entry (a division by zero).
    // 3. A compressed change that inflates to 58 MB.
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut z, &vec![0u8; 58 * 1024 * 1024]).unwrap();
    let deflated = z.finish().unwrap();
    let inflating = message_with_changes(&[chunk(2, [0; 4], &deflated)]);
    let before = hub_documents(&hub);
    for (what, msg) in [
        (
            "row 1: 4,294,967,295 Bloom probes",
            bloom_message(1, 10, u32::MAX as u64, 2),
        ),
        (
            "row 2: Bloom filter of 0 bits per entry",
            bloom_message(5, 0, 7, 0),
        ),
        ("row 3: a change inflating to 58 MB", inflating),
    ] {
        let (status, _, json) = post(&hub, &a.token, request(vec![(target, msg)]));
        assert_eq!(
            (status, json["code"].as_str()),
            (400, Some("bad_request")),
            "{what}: {json}"
        );
        assert!(!json["message"].as_str().unwrap().is_empty(), "{what}: a reason");
        hub.assert_healthy(what);
        assert!(hub_documents(&hub) == before, "{what} changed the hub");
    }

    // 4. Megabytes under keys no household has: refused, and every later sync still works.
    let mut doc = a.doc(target);
    let noise: String = (0..3_000_000)
        .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
        .collect();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "zz_noise", noise.as_str())?;
        Ok(())
    })
    .unwrap();
    let (status, resp, _) = post(
        &hub,
        &a.token,
        request(vec![(target, message(&doc, &known(&a, target)))]),
    );
    let refused = resp.unwrap().refused;
    assert_eq!((status, refused.len()), (200, 1));
    assert_eq!(refused[0].code, RefusalCode::Shape, "{:?}", refused[0]);
    assert!(refused[0].detail.contains("zz_noise"), "{:?}", refused[0]);
    hub.assert_healthy("row 4: unknown keys");
    assert!(hub_documents(&hub) == before);
    // A phone enrolled afterwards receives the community whole.
    let mut fresh = phone(&hub, "Ccorca");
    fresh.sync(&hub);
    assert_eq!(fresh.store.household_ids().unwrap().len(), 6);

    // ... and a household grown past the size cap with valid visits is refused alone.
    let big = ids[1];
    let mut rng = 7u64;
    a.store
        .update(big, &who(), "visit.record", |h| {
            for _ in 0..700 {
                let notes: String = (0..2000)
                    .map(|_| {
                        rng = rng
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        char::from(b'a' + ((rng >> 33) % 26) as u8)
                    })
                    .collect();
                let visit = ayllu_model::FieldError::parse_json(serde_json::json!({
                    "date": today(), "promotor": "Juana Condori", "notes": notes
                }))?;
                h.record_visit(VisitId::new(), visit, today())?;
            }
            Ok(())
        })
        .unwrap();
    a.sync(&hub);
    let refusals = a.store.sync_refusals(&a.peer).unwrap();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert_eq!(
        (refusals[0].household_id, refusals[0].code.as_str()),
        (big, "too_large")
    );
    hub.assert_healthy("a household past the size cap");
    assert!(hub_documents(&hub) == before);

    // 7. Changes built from scratch under another actor, with high op counters.
    let mut forged = a.doc(target);
    forged.set_actor(ActorId::random());
    forged
        .transact::<_, _, automerge::AutomergeError>(|tx| {
            for _ in 0..50 {
                let (_, info) = tx.get(ROOT, "info")?.unwrap();
                tx.put(&info, "address", "Casa tomada")?;
            }
            Ok(())
        })
        .unwrap();
    let (status, resp, _) = post(
        &hub,
        &a.token,
        request(vec![(target, message(&forged, &known(&a, target)))]),
    );
    let refused = resp.unwrap().refused;
    assert_eq!(
        (status, refused[0].code),
        (200, RefusalCode::ForeignActor),
        "{refused:?}"
    );
    hub.assert_healthy("row 7: a forged actor");
    assert!(hub_documents(&hub) == before);

    // 8. Undoing a dissolution by setting it to null, as the phone's own actor.
    a.store
        .update(ids[2], &who(), "household.dissolve", |h| {
            h.dissolve(ayllu_model::FieldError::parse_json(serde_json::json!({
                "on": today(), "reason": "se mudó a Lima"
            }))?)
        })
        .unwrap();
    a.sync(&hub);
    let dissolved_state = hub_documents(&hub);
    let mut undo = a.doc(ids[2]);
    let hub_heads = undo.get_heads();
    undo.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "dissolved", automerge::ScalarValue::Null)?;
        Ok(())
    })
    .unwrap();
    let (status, resp, _) = post(
        &hub,
        &a.token,
        request(vec![(ids[2], message(&undo, &hub_heads))]),
    );
    let refused = resp.unwrap().refused;
    assert_eq!(
        (status, refused[0].code),
        (200, RefusalCode::Transition),
        "{refused:?}"
    );
    hub.assert_healthy("row 8: undoing a dissolution");
    assert!(hub_documents(&hub) == dissolved_state);

    // 9. One household out of scope in a batch: the others are stored.
    let mut b = phone(&hub, "Huancarani");
    let mine = b.add(3, 3, "Huancarani");
    let theirs = b.add(4, 1, "Ccorca");
    b.sync(&hub);
    let refusals = b.store.sync_refusals(&b.peer).unwrap();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert_eq!(
        (refusals[0].household_id, refusals[0].code.as_str()),
        (theirs[0], "out_of_scope")
    );
    let at_hub: Vec<String> = hub_documents(&hub).into_iter().map(|(id, ..)| id).collect();
    assert!(mine.iter().all(|id| at_hub.contains(&id.to_string())));
    assert!(!at_hub.contains(&theirs[0].to_string()));
    // The refused one waits on the phone; the rest do not.
    assert_eq!(b.store.waiting_for(&b.peer).unwrap(), 1);
    hub.assert_healthy("row 9: a batch with one household out of scope");

    // 10. Enrolling under a live phone's actor is refused; the hub makes device ids.
    let code = hub.code(&["--community", "Ccorca"]);
    let thief = Store::open(&root.path().join("thief.sqlite3")).unwrap();
    let taken = hub
        .client(None)
        .enroll_as(&code, a.store.actor(), thief.signing_key(), "ladrón");
    assert!(
        matches!(
            taken,
            Err(ayllu_sync::http::ClientError::Refused { status: 409, .. })
        ),
        "{taken:?}"
    );
    let choose_id = hub
        .http()
        .post(format!("{}/v1/enroll", hub.url))
        .body(
            serde_json::json!({"code": hub.code(&["--community", "Ccorca"]), "device_id": "mine",
                               "actor": ActorId::random().to_hex_string(),
                               "public_key": thief.public_key_hex()})
            .to_string(),
        )
        .send()
        .unwrap();
    assert_eq!(
        choose_id.status().as_u16(),
        400,
        "a phone cannot pick its device id"
    );
    // A malformed actor or public key is refused, naming it, and the code is not spent.
    let code = hub.code(&["--community", "Ccorca"]);
    let devices_before = hub.store().devices().unwrap().len();
    for (actor, key, what) in [
        ("not hex".to_string(), thief.public_key_hex(), "actor"),
        (ActorId::random().to_hex_string(), "zz".repeat(32), "public key"),
        (ActorId::random().to_hex_string(), "00".repeat(31), "public key"),
    ] {
        let mut application = hub.application(&code, &ActorId::random(), thief.signing_key());
        (application.actor, application.public_key) = (actor, key);
        let resp = hub
            .http()
            .post(format!("{}/v1/enroll", hub.url))
            .body(serde_json::to_string(&application).unwrap())
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 400, "{what}");
        let json: Value = serde_json::from_slice(&resp.bytes().unwrap()).unwrap();
        assert!(json["message"].as_str().unwrap().contains(what), "{json}");
    }
    assert_eq!(hub.store().devices().unwrap().len(), devices_before);
    let fresh_phone = Store::open(&root.path().join("fresh.sqlite3")).unwrap();
    hub.client(None)
        .enroll(&code, &fresh_phone, "celular nuevo")
        .expect("the code still works after the refusals");
    a.sync(&hub); // the real phone still syncs
    hub.assert_healthy("row 10: taking over a device");

    // 12. Thousands of empty messages for made-up households: no rows for them.
    let peer_docs = hub.store().sync_state_count().unwrap();
    let empty = vec![0x42, 0, 0, 0, 0];
    let made_up: Vec<(HouseholdId, Vec<u8>)> =
        (0..4_000).map(|_| (HouseholdId::new(), empty.clone())).collect();
    let (status, resp, _) = post(&hub, &a.token, request(made_up));
    let refused = resp.unwrap().refused;
    assert_eq!((status, refused.len()), (200, 4_000));
    assert!(refused.iter().all(|f| f.code == RefusalCode::Unknown));
    assert_eq!(
        hub.store().sync_state_count().unwrap(),
        peer_docs,
        "no bookkeeping for made-up households"
    );
    let too_many: Vec<(HouseholdId, Vec<u8>)> =
        (0..5_000).map(|_| (HouseholdId::new(), empty.clone())).collect();
    let (status, _, json) = post(&hub, &a.token, request(too_many));
    assert_eq!(
        (status, json["code"].as_str()),
        (413, Some("too_large")),
        "{json}"
    );
    let peak = hub.assert_healthy("row 12: made-up households");
    eprintln!("hub peak RSS after every attack: {peak} kB");
}

#[test]
fn enrollment_fails_closed() {
    // 14. No community named: the command refuses (it used to grant every community).
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("hub");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ayllu"))
            .envs(SECRETS)
            .arg("--data")
            .arg(&data)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["hub", "enroll", "--promotor", "Juana Condori"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--community"));
    for days in ["--days=-5", "--days=0", "--days=91"] {
        let out = run(&[
            "hub",
            "enroll",
            "--promotor",
            "Juana Condori",
            "--community",
            "Ccorca",
            days,
        ]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("days"), "{days}");
    }
    let out = run(&[
        "hub",
        "enroll",
        "--promotor",
        "Juana Condori",
        "--all-communities",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["all_communities"], true);
}

#[test]
fn a_device_session_is_refused_nothing_it_may_send() {
    // The device session itself never writes what the hub refuses: a full first sync of
    // a realistic census goes through with no refusal (the checks fit real data).
    let root = tempfile::tempdir().unwrap();
    let hub = HubProcess::start(&root.path().join("hub"));
    let mut a = phone(&hub, "Ccorca");
    a.add(9, 40, "Ccorca");
    a.sync(&hub);
    assert!(a.store.sync_refusals(&a.peer).unwrap().is_empty());
    assert_eq!(a.store.waiting_for(&a.peer).unwrap(), 0);
}

#[test]
fn idle_and_half_open_connections_do_not_starve_the_phones() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let root = tempfile::tempdir().unwrap();
    let mut hub = HubProcess::start(&root.path().join("hub"));
    let mut a = phone(&hub, "Ccorca");
    a.add(11, 10, "Ccorca");

    // 11. 1,100 idle connections from one machine: it gets its share, no more.
    let idle: Vec<_> = (0..1_100)
        .filter_map(|_| connect_from("127.0.0.2", &hub.url).ok())
        .collect();
    // The test is only worth something if the machine got well past its share.
    assert!(
        idle.len() >= 500,
        "only {} of 1,100 connections opened",
        idle.len()
    );
    for s in &idle {
        s.set_nonblocking(true).unwrap();
    }
    let still_open = || {
        idle.iter()
            .filter(|s| {
                let mut b = [0u8; 1];
                matches!((&**s).read(&mut b), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
            })
            .count()
    };
    // Connections past the share are closed by the hub as it accepts them (the kernel's
    // queue holds some a moment longer): wait for that, with a deadline.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut open = still_open();
    while open > 32 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        open = still_open();
    }
    // Exactly its share: held (idle, within the header timeout), and no more.
    assert_eq!(open, 32, "idle connections held by one address");
    // Everyone else is served as usual, at once.
    let t = Instant::now();
    hub.assert_healthy("1,100 idle connections");
    a.sync(&hub);
    assert!(a.store.sync_refusals(&a.peer).unwrap().is_empty());
    eprintln!(
        "health and a sync beside 1,100 idle connections: {:?}",
        t.elapsed()
    );

    // Half-sent headers (inside TLS) are closed after the header timeout (it was > 90 s).
    let mut slow = hub.tls_from("127.0.0.3");
    slow.write_all(b"POST /v1/sync HTTP/1.1\r\nHost: hub\r\n")
        .unwrap();
    slow.flush().unwrap();
    slow.sock.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let t = Instant::now();
    let mut buf = [0u8; 256];
    let closed = match slow.read(&mut buf) {
        Ok(_) => true, // an answer (408) or end of stream
        Err(e) => matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::UnexpectedEof
        ),
    };
    assert!(
        closed && t.elapsed() < Duration::from_secs(30),
        "{:?}",
        t.elapsed()
    );
    drop(idle);
    hub.assert_healthy("half-sent headers");
}

#[test]
fn guessing_enrollment_codes_is_slowed_down() {
    // 13. Wrong codes, as fast as possible: after a few, 429 with Retry-After.
    let root = tempfile::tempdir().unwrap();
    let mut hub = HubProcess::start(&root.path().join("hub"));
    let client = hub.http();
    let guesser = Store::open(&root.path().join("guesser.sqlite3")).unwrap();
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for i in 0..1_000 {
        // Signed as a phone would (what is tried here is the code).
        let application = hub.application(
            &format!("AAAA-BBBB-{i:04}"),
            guesser.actor(),
            guesser.signing_key(),
        );
        let resp = client
            .post(format!("{}/v1/enroll", hub.url))
            .body(serde_json::to_string(&application).unwrap())
            .send()
            .unwrap();
        statuses.push(resp.status().as_u16());
        if resp.status().as_u16() == 429 {
            retry_after = resp
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
        }
    }
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    let slowed = statuses.iter().filter(|s| **s == 429).count();
    assert!(wrong <= 12, "{wrong} codes tried");
    assert_eq!(wrong + slowed, 1_000);
    assert!(retry_after.unwrap().parse::<u64>().unwrap() >= 1);
    // A phone from another address enrolls as usual meanwhile.
    let store_dir = tempfile::tempdir().unwrap();
    let store = Store::open(&store_dir.path().join("p.sqlite3")).unwrap();
    let code = hub.code(&["--community", "Ccorca"]);
    let body = serde_json::to_string(&hub.application(&code, store.actor(), store.signing_key())).unwrap();
    let mut s = hub.tls_from("127.0.0.4");
    let req = format!(
        "POST /v1/enroll HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    std::io::Write::write_all(&mut s, req.as_bytes()).unwrap();
    let mut answer = String::new();
    // The hub closes after answering without TLS's close_notify: read what came.
    let _ = std::io::Read::read_to_string(&mut s, &mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    hub.assert_healthy("1,000 wrong codes");
}

#[test]
fn bundles_are_signed_and_apply_only_within_their_authors_scope() {
    let root = tempfile::tempdir().unwrap();
    let mut hub = HubProcess::start(&root.path().join("hub"));
    // A phone (the command line's data folder) enrolled for Ccorca.
    let phone = root.path().join("phone");
    assert_eq!(cli(&phone, &["init", "--as", "Juana Condori"]).0, 0);
    let code = hub.code(&["--community", "Ccorca"]);
    let (rc, _, err) = cli(&phone, &["enroll", "--hub", &hub.url, "--code", &code]);
    assert_eq!(rc, 0, "{err}");
    let ids = {
        let mut store = ayllu_ops::folder::open(&phone, SECRETS[0].1).unwrap();
        // A tampered phone: its own check on its communities switched off.
        store.set_device_scope(&ayllu_model::Scope::All).unwrap();
        let mut census = Census::new(21, today());
        ["Ccorca", "Ccorca", "Huancarani"]
            .iter()
            .map(|c| {
                let mut h = census.household();
                h.info.community = ShortText::parse(c).unwrap();
                let id = census.household_id();
                store.insert_household(id, &h, &who()).unwrap();
                id
            })
            .collect::<Vec<_>>()
    };
    let file = root.path().join("usb.ayllu");
    let (rc, _, err) = cli(&phone, &["bundle", "write", file.to_str().unwrap()]);
    assert_eq!(rc, 0, "{err}");
    let before = hub_documents(&hub);

    // Staff see first what it would change: two households, one refused (row 5: a phone
    // enrolled for Ccorca cannot create one in Huancarani). Nothing is written.
    let (rc, preview, err) = cli(
        &hub.data,
        &["bundle", "read", file.to_str().unwrap(), "--preview"],
    );
    assert_eq!(rc, 0, "{err}");
    assert_eq!(preview["preview"], true);
    assert_eq!(preview["changed"].as_array().unwrap().len(), 2, "{preview}");
    assert_eq!(preview["refused"][0]["code"], "out_of_scope");
    assert_eq!(preview["refused"][0]["household"], ids[2].to_string());
    assert!(hub_documents(&hub) == before);
    let (rc, report, err) = cli(&hub.data, &["bundle", "read", file.to_str().unwrap()]);
    assert_eq!(rc, 0, "{err}");
    assert_eq!(report["changed"].as_array().unwrap().len(), 2);
    let held: Vec<String> = hub_documents(&hub).into_iter().map(|(id, ..)| id).collect();
    assert!(held.contains(&ids[0].to_string()) && !held.contains(&ids[2].to_string()));
    let applied = hub_documents(&hub);

    // Row 6: a crafted bundle — a household's members emptied, its address replaced.
    let store = ayllu_ops::folder::open(&phone, SECRETS[0].1).unwrap();
    let mut doc = Automerge::load(&store.document_bytes(ids[0]).unwrap()).unwrap();
    doc.set_actor(store.actor().clone());
    let heads = doc.get_heads();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        let (_, members) = tx.get(ROOT, "members")?.unwrap();
        for key in tx.keys(&members).collect::<Vec<_>>() {
            tx.delete(&members, key.as_str())?;
        }
        let (_, info) = tx.get(ROOT, "info")?.unwrap();
        tx.put(&info, "address", "Casa tomada")?;
        Ok(())
    })
    .unwrap();
    let crafted = ayllu_sync::bundle::Bundle {
        from: "phone".into(),
        created_at: 0,
        docs: vec![ayllu_sync::bundle::BundleDoc {
            household: ids[0],
            data: doc.save_after(&heads),
        }],
    };
    // Signed by a key nobody enrolled: refused whole.
    let hub_key = *hub.store().signing_key().verifying_key().as_bytes();
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    std::fs::write(
        &file,
        ayllu_sync::bundle::seal(&crafted, &stranger, &hub_key).unwrap(),
    )
    .unwrap();
    let (rc, _, err) = cli(&hub.data, &["bundle", "read", file.to_str().unwrap()]);
    assert_ne!(rc, 0);
    assert!(err.contains("no está registrado"), "{err}");
    // The SHA-256-style trick (edit, then fix the check) does not work on a signature.
    let mut altered = ayllu_sync::bundle::seal(&crafted, store.signing_key(), &hub_key).unwrap();
    let n = altered.len();
    altered[n / 2] ^= 1;
    std::fs::write(&file, &altered).unwrap();
    let (rc, _, err) = cli(&hub.data, &["bundle", "read", file.to_str().unwrap()]);
    assert_ne!(rc, 0);
    assert!(err.contains("signature"), "{err}");
    // Even with the phone's own key (a stolen phone), emptying a household is refused.
    std::fs::write(
        &file,
        ayllu_sync::bundle::seal(&crafted, store.signing_key(), &hub_key).unwrap(),
    )
    .unwrap();
    let (rc, report, err) = cli(&hub.data, &["bundle", "read", file.to_str().unwrap()]);
    assert_eq!(rc, 0, "{err}");
    assert_eq!(report["refused"][0]["code"], "transition", "{report}");
    assert!(hub_documents(&hub) == applied);
    hub.assert_healthy("forged bundles");
}

/// Two phones set one field at once: one a plain value (synced first), the other an object
/// holding junk. The hub keeps both values of a concurrent edit, so the shape check must look
/// at the one that does not show as well: the forged household is refused alone, the hub's
/// copy is unchanged, and the forging phone's next honest sync still works.
#[test]
fn a_concurrent_edit_cannot_hide_junk_under_the_value_that_does_not_show() {
    let root = tempfile::tempdir().unwrap();
    let mut hub = HubProcess::start(&root.path().join("hub"));
    let mut a = phone(&hub, "Ccorca");
    let ids = a.add(3, 3, "Ccorca");
    a.sync(&hub);
    let mut b = phone(&hub, "Ccorca");
    b.sync(&hub);
    let target = ids[0];
    let base = b.doc(target).get_heads();

    // Two edits on `a`: its value of the field then carries a higher operation counter than
    // the forged one, so the plain value shows and the junk is the value that does not.
    for (address, sector) in [("Jr. Lima 12", None), ("Jr. Lima 12", Some("Bajo"))] {
        a.store
            .update(target, &who(), "household.edit", |h| {
                let mut info = h.info.clone();
                info.address = ShortText::parse(address).unwrap();
                if let Some(sector) = sector {
                    info.sector = Some(ShortText::parse(sector).unwrap());
                }
                h.set_info(info)
            })
            .unwrap();
    }
    a.sync(&hub);
    let before = hub_documents(&hub);

    let mut forged = b.doc(target);
    forged
        .transact::<_, _, automerge::AutomergeError>(|tx| {
            let Some((_, info)) = tx.get(ROOT, "info")? else {
                panic!("a household has info")
            };
            let junk = tx.put_object(&info, "sector", automerge::ObjType::Map)?;
            tx.put(&junk, "payload", "x".repeat(200_000).as_str())?;
            Ok(())
        })
        .unwrap();
    let (status, resp, _) = post(&hub, &b.token, request(vec![(target, message(&forged, &base))]));
    let refused = resp.unwrap().refused;
    assert_eq!((status, refused.len()), (200, 1), "{refused:?}");
    assert_eq!(refused[0].code, RefusalCode::Shape, "{:?}", refused[0]);
    assert!(refused[0].detail.contains("info.sector"), "{:?}", refused[0]);
    assert!(hub_documents(&hub) == before, "the forged edit changed the hub");
    hub.assert_healthy("a concurrent edit with junk");

    b.sync(&hub);
    let sector = b.store.household(target).unwrap().unwrap().info.sector;
    assert_eq!(sector.map(|s| s.to_string()), Some("Bajo".to_string()));
}
