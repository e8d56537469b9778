//! Enrollment proves the key, from outside: the real hub (`ayllu hub serve`, HTTPS on
//! loopback), a phone that is a command-line data folder, and an attacker who holds a valid
//! enrollment code and the phone's public key (every bundle the phone writes carries it in
//! the clear). Before the fix the attacker registered the phone's key, the phone's own
//! bundles were then judged as the attacker's and refused, and revoking the phone did not
//! close its key.

use std::path::Path;

use automerge::ActorId;
use ayllu_model::ShortText;
use ayllu_sync::enrollment::{Application, HubSeen};
use ayllu_sync::tls::Fingerprint;
use ayllu_synth::Census;
use ed25519_dalek::SigningKey;
use serde_json::Value;

mod common;
use common::*;

/// Posts an enrollment as the attacker writes it, from its own machine: the status and
/// the hub's JSON answer.
fn post(hub: &HubProcess, application: &Application) -> (u16, Value) {
    let resp = hub
        .http_from("127.0.0.7")
        .post(format!("{}/v1/enroll", hub.url))
        .body(serde_json::to_string(application).unwrap())
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (
        status,
        serde_json::from_slice(&resp.bytes().unwrap()).unwrap_or(Value::Null),
    )
}

/// The phone's identity as its data folder holds it.
fn identity(phone: &Path) -> (ActorId, SigningKey) {
    let store = ayllu_ops::folder::open(phone, SECRETS[0].1).unwrap();
    (store.actor().clone(), store.signing_key().clone())
}

/// A household recorded on the phone, then a bundle of what the hub lacks written to `file`.
fn record_and_bundle(phone: &Path, seed: u64, file: &Path) -> ayllu_model::HouseholdId {
    let id = {
        let mut store = ayllu_ops::folder::open(phone, SECRETS[0].1).unwrap();
        let mut census = Census::new(seed, today());
        let mut h = census.household();
        h.info.community = ShortText::parse("Ccorca").unwrap();
        let id = census.household_id();
        store.insert_household(id, &h, &who()).unwrap();
        id
    };
    let (rc, _, err) = cli(phone, &["bundle", "write", file.to_str().unwrap()]);
    assert_eq!(rc, 0, "{err}");
    id
}

/// The devices the hub lists (`ayllu hub devices`), read beside the running hub.
fn devices(hub: &HubProcess) -> Vec<Value> {
    let (rc, out, err) = cli(&hub.data, &["hub", "devices"]);
    assert_eq!(rc, 0, "{err}");
    out.as_array().cloned().unwrap_or_else(|| panic!("{out}"))
}

/// The hub reads the bundle at `file` (beside the running hub) and takes `household`,
/// refusing nothing.
fn read_whole(hub: &HubProcess, file: &Path, household: ayllu_model::HouseholdId) {
    let (rc, report, err) = cli(&hub.data, &["bundle", "read", file.to_str().unwrap()]);
    assert_eq!(rc, 0, "{err}");
    assert_eq!(
        report["changed"],
        serde_json::json!([household.to_string()]),
        "{report}"
    );
    assert_eq!(report["refused"], serde_json::json!([]), "{report}");
}

fn holders(hub: &HubProcess, key: &SigningKey) -> Vec<Value> {
    let hex = hex(key);
    devices(hub)
        .into_iter()
        .filter(|d| d["public_key"] == hex.as_str())
        .collect()
}

fn hex(key: &SigningKey) -> String {
    key.verifying_key()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn an_enrollment_must_prove_its_key_and_a_key_belongs_to_one_device() {
    let root = tempfile::tempdir().unwrap();
    let mut hub = HubProcess::start(&root.path().join("hub"));

    // V: a promotora's phone, enrolled for Ccorca; it writes a bundle for a USB stick.
    let v = root.path().join("v");
    assert_eq!(cli(&v, &["init", "--as", "Juana Condori"]).0, 0);
    let code = hub.code(&["--community", "Ccorca"]);
    let (rc, _, err) = cli(
        &v,
        &[
            "enroll",
            "--hub",
            &hub.url,
            "--code",
            &code,
            "--name",
            "celular de V",
        ],
    );
    assert_eq!(rc, 0, "{err}");
    let (v_actor, v_key) = identity(&v);
    let stick = root.path().join("v-1.ayllu");
    let from_v = record_and_bundle(&v, 1, &stick);
    let v_device = holders(&hub, &v_key)[0]["device_id"]
        .as_str()
        .unwrap()
        .to_string();

    // The attacker: one code from staff, V's public key, keys and actors of its own.
    let code = hub.code(&["--community", "Ccorca"]);
    let attacker = SigningKey::from_bytes(&[0x5a; 32]);
    let fresh = ActorId::random();
    let refused = |hub: &HubProcess, application: &Application, status: u16, code: &str, what: &str| {
        let (s, json) = post(hub, application);
        assert_eq!((s, json["code"].as_str()), (status, Some(code)), "{what}: {json}");
    };
    // V's key, signed by the attacker (V's secret is on V's phone only).
    let mut with_v_key = hub.application(&code, &fresh, &attacker);
    with_v_key.public_key = hex(&v_key);
    refused(
        &hub,
        &with_v_key,
        401,
        "bad_signature",
        "V's key, the attacker's signature",
    );
    // A signature that does not verify at all.
    let mut garbage = hub.application(&code, &fresh, &attacker);
    garbage.signature = "00".repeat(64);
    refused(&hub, &garbage, 401, "bad_signature", "a signature of zeros");
    // Signed for another code, sent with this one.
    let other_code = hub.code(&["--community", "Ccorca"]);
    let mut for_other_code = hub.application(&other_code, &fresh, &attacker);
    for_other_code.code = code.clone();
    refused(
        &hub,
        &for_other_code,
        401,
        "bad_signature",
        "signed for another code",
    );
    // Signed for another hub (another post's certificate), or for plain HTTP.
    let another_post = HubSeen::Certificate(Fingerprint::of(b"the certificate of another post"));
    for (elsewhere, what) in [(another_post, "another hub"), (HubSeen::PlainHttp, "plain HTTP")] {
        let application = Application::sign(&code, &fresh, &attacker, "", elsewhere);
        refused(&hub, &application, 401, "bad_signature", what);
    }
    // V's key, properly signed (as V's own phone could): a key belongs to one device.
    refused(
        &hub,
        &hub.application(&code, &fresh, &v_key),
        409,
        "key_taken",
        "a live device's key",
    );
    // Nothing was registered and the code was not spent: the attacker's own key enrolls
    // with it (a code is for a phone, whichever), and V's key still has one holder.
    assert_eq!(devices(&hub).len(), 1);
    assert_eq!(post(&hub, &hub.application(&code, &fresh, &attacker)).0, 200);
    assert_eq!(holders(&hub, &v_key).len(), 1);
    assert_eq!(holders(&hub, &v_key)[0]["device_id"], v_device.as_str());
    // Every refused attempt is in the access log staff read.
    let store = hub.store();
    let attempts = store
        .access_log()
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "POST /v1/enroll" && r.status != 200)
        .count();
    assert_eq!(attempts, 6);
    drop(store);
    hub.assert_healthy("forged enrollments");

    // V's genuine bundle is read at the hub as V's: every household taken, its changes
    // under V's registered actor (judged as anyone else's, they were refused).
    read_whole(&hub, &stick, from_v);
    let (rc, history, err) = cli(&hub.data, &["household", "history", &from_v.to_string()]);
    assert_eq!(rc, 0, "{err}");
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .all(|line| line["actor"] == v_actor.to_hex_string().as_str()),
        "{history}"
    );

    // Staff revoke V (a lost phone): a bundle signed with V's key is refused whole and
    // nothing changes.
    let later = root.path().join("v-2.ayllu");
    let second = record_and_bundle(&v, 2, &later);
    let (rc, _, err) = cli(&hub.data, &["hub", "revoke", &v_device]);
    assert_eq!(rc, 0, "{err}");
    let before = hub_documents(&hub);
    let (rc, _, err) = cli(&hub.data, &["bundle", "read", later.to_str().unwrap()]);
    assert_ne!(rc, 0);
    assert!(err.contains("dado de baja"), "{err}");
    assert!(hub_documents(&hub) == before, "a revoked key changed nothing");
    // Its key enrolls nowhere again, and the code it tried stays good.
    let code = hub.code(&["--community", "Ccorca"]);
    refused(
        &hub,
        &hub.application(&code, &ActorId::random(), &v_key),
        409,
        "key_revoked",
        "a revoked device's key",
    );

    // V, found and trusted again, is given that code: it enrolls with a new key of its own.
    let (rc, _, err) = cli(&v, &["enroll", "--hub", &hub.url, "--code", &code]);
    assert_eq!(rc, 0, "{err}");
    let (actor_now, key_now) = identity(&v);
    assert_eq!(actor_now, v_actor, "the phone's actor stays");
    assert_ne!(hex(&key_now), hex(&v_key), "a new key");
    let old = holders(&hub, &v_key);
    assert!(old.len() == 1 && old[0]["revoked_at"].is_string(), "{old:?}");
    assert_eq!(holders(&hub, &key_now).len(), 1);
    // What it signed with the revoked key stays refused; what it signs now is read.
    let (rc, _, _) = cli(&hub.data, &["bundle", "read", later.to_str().unwrap()]);
    assert_ne!(rc, 0);
    let now = root.path().join("v-3.ayllu");
    record_and_bundle(&v, 3, &now);
    let (rc, report, err) = cli(&hub.data, &["bundle", "read", now.to_str().unwrap()]);
    assert_eq!(rc, 0, "{err}");
    let changed = report["changed"].as_array().unwrap();
    assert!(changed.contains(&Value::from(second.to_string())), "{report}");
    hub.assert_healthy("revocation and a new enrollment");
}

/// The hub's folder as a hub from before the fix left it: its store still plain (an install
/// from before encryption: the hub encrypts it with the staff passphrase when it starts) at
/// schema 8, where V enrolled first and an impostor then registered V's key under an actor
/// of its own (a device id that sorts first, so V's bundles were judged as the impostor's).
/// Returns V's device id and the impostor's device id and token.
fn hub_from_before_the_fix(hub_dir: &Path, v: &Path) -> (String, String, String) {
    use sha2::Digest;
    std::fs::create_dir_all(hub_dir).unwrap();
    let path = ayllu_ops::folder::store_path(hub_dir);
    let v_device = {
        let mut hub = ayllu_store::Store::open(&path).unwrap();
        let v_store = ayllu_ops::folder::open(v, SECRETS[0].1).unwrap();
        let code = ayllu_hub::admin::enroll(
            &hub,
            &ayllu_model::PersonName::parse("Juana Condori").unwrap(),
            &ayllu_hub::admin::Communities::Only(vec![ShortText::parse("Ccorca").unwrap()]),
            ayllu_hub::admin::Role::Promotor,
            chrono::Duration::days(1),
        )
        .unwrap();
        let (_, info) =
            ayllu_hub::admin::redeem_in_process(&mut hub, &code, &v_store, "celular de V").unwrap();
        // V keeps the hub's key, as enrolling does: its bundles are sealed to it.
        v_store
            .set_setting(ayllu_sync::http::HUB_KEY, &hub.public_key_hex())
            .unwrap();
        info.device_id
    };
    let impostor = "00000000-0000-4000-8000-000000000001".to_string();
    let token = "5a".repeat(32);
    let v_key = hex(&identity(v).1);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP INDEX hub_devices_by_key;
         DROP INDEX hub_devices_by_live_actor;
         ALTER TABLE hub_devices DROP COLUMN set_aside_at;
         ALTER TABLE hub_devices DROP COLUMN set_aside_for;
         CREATE UNIQUE INDEX hub_devices_by_live_actor ON hub_devices(actor) WHERE revoked_at IS NULL;
         PRAGMA user_version = 8;",
    )
    .unwrap();
    let now = chrono::Utc::now().to_rfc3339();
    conn.execute(
        "INSERT INTO hub_devices (device_id, name, promotor, communities, token_hash, enrolled_at, actor,
                                  public_key, token_issued_at, role)
         VALUES (?1, 'impostor', 'Juana Condori', '[\"Ccorca\"]', ?2, ?3, ?4, ?5, ?3, 'promotor')",
        rusqlite::params![
            impostor,
            sha2::Sha256::digest(token.to_ascii_uppercase().as_bytes()).to_vec(),
            now,
            ActorId::random().to_hex_string(),
            v_key
        ],
    )
    .unwrap();
    (v_device, impostor, token)
}

/// Polls the hub's stderr for `needle` until a deadline.
fn said(log: &Path, needle: &str) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if std::fs::read_to_string(log).unwrap_or_default().contains(needle) {
            return true;
        }
        if std::time::Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// What `ayllu check` says of set-aside devices (it exits 1 when it finds anything).
fn findings_set_aside(hub_dir: &Path) -> Vec<String> {
    let (rc, check, err) = cli(hub_dir, &["check"]);
    assert_eq!(rc, if check["ok"] == true { 0 } else { 1 }, "{err}");
    check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "device_set_aside")
        .map(|f| f["detail"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_key_held_twice_before_the_fix_is_set_aside_named_at_start_and_by_check() {
    let root = tempfile::tempdir().unwrap();
    let v = root.path().join("v");
    assert_eq!(cli(&v, &["init", "--as", "Juana Condori"]).0, 0);
    let hub_dir = root.path().join("hub");
    let (v_device, impostor, impostor_token) = hub_from_before_the_fix(&hub_dir, &v);
    let stick = root.path().join("v.ayllu");
    let from_v = record_and_bundle(&v, 1, &stick);

    // The hub, at its first start on it, sets the later holder aside and says so.
    let log = root.path().join("hub.log");
    let mut hub = HubProcess::start_logged(&hub_dir, &log);
    assert!(said(
        &log,
        &format!("device {impostor} (\"impostor\") is set aside for review")
    ));
    assert!(said(&log, &format!("first held by device {v_device}")));
    // `ayllu check` names it; staff see it in the list, naming V.
    let found = findings_set_aside(&hub_dir);
    assert!(found.len() == 1 && found[0].contains(&impostor), "{found:?}");
    let listed = devices(&hub);
    let entry = listed
        .iter()
        .find(|d| d["device_id"] == impostor.as_str())
        .unwrap();
    assert_eq!(entry["set_aside_for"], v_device.as_str(), "{entry}");
    // Set aside, it opens nothing.
    let resp = hub
        .http_from("127.0.0.7")
        .post(format!("{}/v1/sync", hub.url))
        .bearer_auth(&impostor_token)
        .body(Vec::new())
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    // V's genuine bundle is read as V's (before, it was refused as the impostor's).
    read_whole(&hub, &stick, from_v);
    hub.assert_healthy("a store from before the fix");
    drop(hub);

    // Staff review it and revoke it: nothing more is said, and V's key is still V's.
    let (rc, _, err) = cli(&hub_dir, &["hub", "revoke", &impostor]);
    assert_eq!(rc, 0, "{err}");
    assert_eq!(findings_set_aside(&hub_dir), Vec::<String>::new());
    let log = root.path().join("hub-2.log");
    let hub = HubProcess::start_logged(&hub_dir, &log);
    let v_key = identity(&v).1;
    assert_eq!(holders(&hub, &v_key)[0]["device_id"], v_device.as_str());
    drop(hub);
    assert!(!std::fs::read_to_string(&log).unwrap().contains("set aside"));
}
