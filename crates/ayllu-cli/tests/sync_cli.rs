//! Two phones and a hub, all through the `ayllu` binary: enroll with a code, sync, see a
//! field both changed offline listed as a conflict, resolve it; bundles on a USB stick.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

/// What unlocks the test data folders (cheap Argon2id: the code path is the same).
const SECRETS: [(&str, &str); 3] = [
    ("AYLLU_PIN", "482913"),
    ("AYLLU_PASSPHRASE", "puesto de salud de prueba"),
    ("AYLLU_KDF_FAST", "1"),
];

fn ayllu(data: &Path, args: &[&str], stdin: Option<&Value>) -> (i32, Value, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ayllu"))
        .envs(SECRETS)
        .arg("--data")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(v) = stdin {
        input.write_all(v.to_string().as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(data: &Path, args: &[&str], stdin: Option<&Value>) -> Value {
    let (code, json, err) = ayllu(data, args, stdin);
    assert_eq!(code, 0, "{args:?}: {err}");
    json
}

struct HubProcess(Child);
impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_hub(data: &Path) -> (HubProcess, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ayllu"))
        .envs(SECRETS)
        .arg("--data")
        .arg(data)
        .args(["hub", "serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap().to_string();
    (HubProcess(child), url)
}

fn device(root: &Path, name: &str, hub: &Path, url: &str) -> PathBuf {
    let data = root.join(name);
    ok(&data, &["init", "--as", "Juana Condori"], None);
    let code = ok(
        hub,
        &[
            "hub",
            "enroll",
            "--promotor",
            "Juana Condori",
            "--community",
            "Ccorca",
        ],
        None,
    );
    ok(
        &data,
        &[
            "enroll",
            "--hub",
            url,
            "--code",
            code["code"].as_str().unwrap(),
            "--name",
            name,
        ],
        None,
    );
    data
}

#[test]
fn two_phones_sync_through_the_hub_and_resolve_a_conflict() {
    let root = tempfile::tempdir().unwrap();
    let hub = root.path().join("hub");
    ok(&hub, &["init"], None);
    let (_server, url) = start_hub(&hub);
    let a = device(root.path(), "a", &hub, &url);
    let b = device(root.path(), "b", &hub, &url);

    let added = ok(
        &a,
        &["household", "add"],
        Some(
            &json!({"community": "Ccorca", "address": "Plaza", "consent": true,
                     "members": [{"given_names": "Rosa", "surnames": "Quispe", "sex": "F",
                                  "birth": {"date": "1990-01-01"}, "relationship": "head", "insurance": "sis"}]}),
        ),
    );
    let id = added["household"].as_str().unwrap().to_string();
    ok(&a, &["sync"], None);
    ok(&b, &["sync"], None);
    assert_eq!(
        ok(&b, &["household", "show", &id], None)["info"]["address"],
        "Plaza"
    );

    // Both change the address offline, then sync.
    ok(
        &a,
        &["household", "edit", &id],
        Some(&json!({"address": "Frente a la capilla"})),
    );
    ok(
        &b,
        &["household", "edit", &id],
        Some(&json!({"address": "Casa azul"})),
    );
    ok(&a, &["sync"], None);
    ok(&b, &["sync"], None);
    ok(&a, &["sync"], None);
    let shown_a = ok(&a, &["household", "show", &id], None);
    let shown_b = ok(&b, &["household", "show", &id], None);
    assert_eq!(shown_a["info"], shown_b["info"]);
    let conflicts = shown_a["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0]["field"], "info.address");
    let choose = conflicts[0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .position(|v| v == "Casa azul")
        .unwrap();

    let resolved = ok(
        &a,
        &[
            "household",
            "resolve",
            &id,
            "--field",
            "info.address",
            "--choose",
            &choose.to_string(),
        ],
        None,
    );
    assert_eq!(resolved["info"]["address"], "Casa azul");
    assert_eq!(resolved["conflicts"], json!([]));
    ok(&a, &["sync"], None);
    ok(&b, &["sync"], None);
    let shown_b = ok(&b, &["household", "show", &id], None);
    assert_eq!(shown_b["info"]["address"], "Casa azul");
    assert_eq!(shown_b["conflicts"], json!([]));

    // Staff see both phones and when they last synced; a revoked phone is turned away.
    let devices = ok(&hub, &["hub", "devices"], None);
    assert_eq!(devices.as_array().unwrap().len(), 2);
    assert!(devices[0]["last_sync_at"].is_string());
    let b_id = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "b")
        .unwrap()["device_id"]
        .clone();
    ok(&hub, &["hub", "revoke", b_id.as_str().unwrap()], None);
    let (code, _, err) = ayllu(&b, &["sync"], None);
    assert_ne!(code, 0);
    assert!(err.contains("401"), "{err}");
}

#[test]
fn an_unreachable_hub_is_said_plainly() {
    let root = tempfile::tempdir().unwrap();
    let a = root.path().join("a");
    ok(&a, &["init", "--as", "Juana Condori"], None);
    let typed = "ABCD-EFGH-JKMN-PQRS-TUVW-XYZ2-3456";
    let (code, _, err) = ayllu(
        &a,
        &["enroll", "--hub", "https://127.0.0.1:9", "--code", typed],
        None,
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("No se puede conectar con el puesto de salud"),
        "{err}"
    );
    // Not enrolled: nothing to sync with.
    let (code, _, err) = ayllu(&a, &["sync", "--hub", "https://127.0.0.1:9"], None);
    assert_eq!(code, 1);
    assert!(err.contains("no está registrado con el puesto de salud"), "{err}");
}

#[test]
fn plain_http_is_refused_unless_asked_for_and_then_warned_about() {
    let root = tempfile::tempdir().unwrap();
    let hub = root.path().join("hub");
    ok(&hub, &["init"], None);
    let (_server, url) = start_hub(&hub);
    assert!(url.starts_with("https://"), "{url}");
    let a = device(root.path(), "a", &hub, &url);
    // The phone pins the hub: the same hub named over plain HTTP is refused, unsent.
    let plain = url.replace("https://", "http://");
    let (code, _, err) = ayllu(&a, &["sync", "--hub", &plain], None);
    assert_eq!(code, 1);
    assert!(
        err.contains("solo se conecta a su puesto de salud de forma segura"),
        "{err}"
    );
    ok(&a, &["sync"], None);

    // A hub served over plain HTTP says so, and a phone must ask for it by name.
    let insecure_hub = root.path().join("insecure");
    ok(&insecure_hub, &["init"], None);
    let mut child = Command::new(env!("CARGO_BIN_EXE_ayllu"))
        .envs(SECRETS)
        .arg("--data")
        .arg(&insecure_hub)
        .args(["hub", "serve", "--listen", "127.0.0.1:0", "--insecure-http"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let mut warning = String::new();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    while !warning.contains("AVISO") {
        warning.clear();
        assert!(stderr.read_line(&mut warning).unwrap() > 0, "no warning");
    }
    let _server = HubProcess(child);
    assert!(warning.contains("sin cifrar"), "{warning}");
    let insecure_url = line.trim().strip_prefix("listening on ").unwrap().to_string();
    assert!(insecure_url.starts_with("http://"), "{insecure_url}");
    let code = ok(
        &insecure_hub,
        &[
            "hub",
            "enroll",
            "--promotor",
            "Juana Condori",
            "--community",
            "Ccorca",
        ],
        None,
    );
    let code = code["code"].as_str().unwrap();
    let b = root.path().join("b");
    ok(&b, &["init", "--as", "Juana Condori"], None);
    let (rc, _, err) = ayllu(&b, &["enroll", "--hub", &insecure_url, "--code", code], None);
    assert_ne!(rc, 0);
    assert!(err.contains("no es segura"), "{err}");
    let (rc, _, err) = ayllu(
        &b,
        &[
            "enroll",
            "--hub",
            &insecure_url,
            "--code",
            code,
            "--insecure-http",
        ],
        None,
    );
    assert_eq!(rc, 0, "{err}");
    assert!(err.contains("AVISO: conexión sin cifrar"), "{err}");
    let (rc, _, err) = ayllu(&b, &["sync"], None);
    assert_eq!(rc, 0, "{err}");
    assert!(err.contains("AVISO: conexión sin cifrar"), "{err}");
}

#[test]
fn bundles_travel_on_a_usb_stick() {
    let root = tempfile::tempdir().unwrap();
    let hub = root.path().join("hub");
    ok(&hub, &["init"], None);
    let (_server, url) = start_hub(&hub);
    // Both phones enrolled once (that is when the hub learns their keys); then no link.
    let a = device(root.path(), "a", &hub, &url);
    let b = device(root.path(), "b", &hub, &url);
    ok(
        &a,
        &["household", "add"],
        Some(
            &json!({"community": "Ccorca", "address": "Plaza", "consent": true,
                     "members": [{"given_names": "Rosa", "surnames": "Quispe", "sex": "F",
                                  "birth": {"date": "1990-03-01"}, "relationship": "head",
                                  "insurance": "sis"}]}),
        ),
    );
    let stick = root.path().join("ayllu.bundle");
    let written = ok(&a, &["bundle", "write", stick.to_str().unwrap()], None);
    assert_eq!(written["households"], 1);
    let preview = ok(
        &hub,
        &["bundle", "read", stick.to_str().unwrap(), "--preview"],
        None,
    );
    assert_eq!(preview["changed"].as_array().unwrap().len(), 1);
    assert_eq!(ok(&hub, &["household", "list"], None), json!([]));
    let read = ok(&hub, &["bundle", "read", stick.to_str().unwrap()], None);
    assert_eq!(read["changed"].as_array().unwrap().len(), 1);
    assert_eq!(
        ok(&hub, &["bundle", "read", stick.to_str().unwrap()], None)["changed"],
        json!([])
    );
    assert_eq!(
        ok(&hub, &["household", "list"], None).as_array().unwrap().len(),
        1
    );

    // From the hub to phone b, signed by the hub, whose key b kept at enrollment.
    let devices = ok(&hub, &["hub", "devices"], None);
    let b_id = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "b")
        .unwrap()["device_id"]
        .as_str()
        .unwrap()
        .to_string();
    let to_b = root.path().join("para-b.bundle");
    ok(
        &hub,
        &["bundle", "write", to_b.to_str().unwrap(), "--for", &b_id],
        None,
    );
    assert_eq!(
        ok(&b, &["bundle", "read", to_b.to_str().unwrap()], None)["changed"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(ok(&b, &["household", "list"], None).as_array().unwrap().len(), 1);

    // A damaged file is refused and changes nothing.
    let mut bytes = std::fs::read(&stick).unwrap();
    bytes.truncate(bytes.len() - 5);
    let broken = root.path().join("roto.bundle");
    std::fs::write(&broken, bytes).unwrap();
    let c = root.path().join("c");
    ok(&c, &["init"], None);
    let (code, _, err) = ayllu(&c, &["bundle", "read", broken.to_str().unwrap()], None);
    assert_eq!(code, 1);
    assert!(err.contains("No se cambió nada"), "{err}");
    assert_eq!(ok(&c, &["household", "list"], None), json!([]));
    // A sound bundle from a phone this store never enrolled is refused too.
    let (code, _, err) = ayllu(&c, &["bundle", "read", stick.to_str().unwrap()], None);
    assert_eq!(code, 1);
    assert!(err.contains("no está registrado"), "{err}");
}

#[test]
fn a_phone_keeps_to_its_communities() {
    // Enrolled for Ccorca: moving a household to Huancarani is refused at the field (it
    // used to be accepted, and then every sync of the phone was refused by the hub).
    let root = tempfile::tempdir().unwrap();
    let hub = root.path().join("hub");
    ok(&hub, &["init"], None);
    let (_server, url) = start_hub(&hub);
    let a = device(root.path(), "a", &hub, &url);
    let household = json!({"community": "Ccorca", "address": "Plaza", "consent": true,
                           "members": [{"given_names": "Rosa", "surnames": "Quispe", "sex": "F",
                                        "birth": {"date": "1990-03-01"}, "relationship": "head",
                                        "insurance": "sis"}]});
    let id = ok(&a, &["household", "add"], Some(&household))["household"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, _, err) = ayllu(
        &a,
        &["household", "edit", &id, "--file", "-"],
        Some(&json!({"community": "Huancarani"})),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("community") && err.contains("asignadas a este celular"),
        "{err}"
    );
    let mut elsewhere = household.clone();
    elsewhere["community"] = json!("Huancarani");
    let (code, _, err) = ayllu(&a, &["household", "add"], Some(&elsewhere));
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        ok(&a, &["household", "show", &id], None)["info"]["community"],
        "Ccorca"
    );
    // Accents and case do not matter; the sync carries everything.
    ok(
        &a,
        &["household", "edit", &id, "--file", "-"],
        Some(&json!({"sector": "Alto"})),
    );
    let synced = ok(&a, &["sync"], None);
    assert_eq!(synced["refused"], json!([]));
}

/// After enrolling, recording and syncing, no file of the phone's or the hub's data folder
/// holds a name, a DNI or the phone's sync token in a readable form.
#[test]
fn no_file_of_either_data_folder_holds_a_name_a_dni_or_the_token() {
    let root = tempfile::tempdir().unwrap();
    let hub = root.path().join("hub");
    let (_server, url) = start_hub(&hub);
    let phone = device(root.path(), "a", &hub, &url);
    ok(
        &phone,
        &["household", "add"],
        Some(
            &json!({"community": "Ccorca", "address": "Encima del puquio", "consent": true,
                     "members": [{"given_names": "Teodora", "surnames": "Ccahuana", "sex": "F",
                                  "birth": {"date": "1990-01-01"}, "relationship": "head",
                                  "dni": "40817263", "insurance": "sis"}]}),
        ),
    );
    ok(&phone, &["sync"], None);
    let token = {
        let store = ayllu_ops::folder::open(&phone, SECRETS[0].1).unwrap();
        ayllu_ops::sync::HubLink::of(&store)
            .unwrap()
            .unwrap()
            .token
            .unwrap()
    };
    assert!(token.len() >= 16);
    let hub_store = ayllu_ops::folder::open(&hub, SECRETS[1].1).unwrap();
    assert_eq!(hub_store.household_ids().unwrap().len(), 1, "the hub has it");
    drop(hub_store);
    for (folder, secrets) in [
        (
            &phone,
            vec![token.as_str(), "Teodora", "Ccahuana", "40817263", "puquio"],
        ),
        (&hub, vec!["Teodora", "Ccahuana", "40817263", "puquio"]),
    ] {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if !path.is_file() {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for s in &secrets {
                assert!(
                    !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                    "{s} readable in {}",
                    path.display()
                );
            }
        }
    }
}

/// A forgotten PIN cannot be recovered (nothing on the phone opens without it): the phone
/// starts again with a new folder (and its own lock), is linked again with a new code, and its
/// first sync brings back every household it had sent.
#[test]
fn a_fresh_install_after_a_forgotten_pin_gets_the_households_back_by_sync() {
    let root = tempfile::tempdir().unwrap();
    let hub = root.path().join("hub");
    let (_server, url) = start_hub(&hub);
    let phone = device(root.path(), "celular", &hub, &url);
    let mut ids = Vec::new();
    for (given, address) in [
        ("Teodora", "Encima del puquio"),
        ("Eusebia", "Junto al reservorio"),
    ] {
        let added = ok(
            &phone,
            &["household", "add"],
            Some(
                &json!({"community": "Ccorca", "address": address, "consent": true,
                         "members": [{"given_names": given, "surnames": "Ccahuana", "sex": "F",
                                      "birth": {"date": "1990-01-01"}, "relationship": "head",
                                      "insurance": "sis"}]}),
            ),
        );
        ids.push(added["household"].as_str().unwrap().to_string());
    }
    ok(&phone, &["sync"], None);
    // The PIN is forgotten: the old folder opens for no other PIN.
    let out = Command::new(env!("CARGO_BIN_EXE_ayllu"))
        .envs(SECRETS)
        .env("AYLLU_PIN", "000000")
        .arg("--data")
        .arg(&phone)
        .args(["household", "list"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    // Same promotora, new install (a new folder, locked anew), linked again for her community.
    let again = device(root.path(), "celular-nuevo", &hub, &url);
    ok(&again, &["sync"], None);
    let list = ok(&again, &["household", "list"], None);
    let mut back: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    back.sort();
    ids.sort();
    assert_eq!(back, ids);
    let shown = ok(&again, &["household", "show", &ids[0]], None);
    assert_eq!(shown["members"].as_object().unwrap().len(), 1);
}
