//! The `ayllu` binary end to end: JSON in, JSON out, refusals that name the field and
//! leave the store byte-for-byte as it was.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

/// What unlocks the test data folders (cheap Argon2id: the code path is the same).
const SECRETS: [(&str, &str); 3] = [
    ("AYLLU_PIN", "482913"),
    ("AYLLU_PASSPHRASE", "puesto de salud de prueba"),
    ("AYLLU_KDF_FAST", "1"),
];

struct Data {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn data() -> Data {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("datos");
    let d = Data { _dir: dir, path };
    let out = ayllu(&d, &["init", "--as", "Juana Condori"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    d
}

fn ayllu(d: &Data, args: &[&str], stdin: Option<&Value>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ayllu"))
        .envs(SECRETS)
        .arg("--data")
        .arg(&d.path)
        .args(args)
        .env_remove("AYLLU_LANG")
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
    child.wait_with_output().unwrap()
}

fn ok(d: &Data, args: &[&str], stdin: Option<&Value>) -> Value {
    let out = ayllu(d, args, stdin);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

fn months_ago(m: u32) -> String {
    today()
        .checked_sub_months(chrono::Months::new(m))
        .unwrap()
        .to_string()
}

fn household_json() -> Value {
    json!({
        "community": "Huancarani", "sector": "Bajo", "address": "Pasando el puente, casa azul", "consent": true,
        "members": [
            {"given_names": "Nélida", "surnames": "Ñahui Quispe", "sex": "F", "birth": {"date": months_ago(12 * 28)},
             "relationship": "head", "dni": "41234567", "insurance": "sis", "education": "secondary_complete"},
            {"given_names": "Inti", "surnames": "Cusi Ñahui", "sex": "M", "birth": {"date": months_ago(18)},
             "relationship": "child", "insurance": "sis"}
        ]
    })
}

/// Every file in the data folder with its bytes.
fn snapshot(d: &Data) -> Vec<(String, Vec<u8>)> {
    fn walk(p: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<_> = std::fs::read_dir(p).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                walk(&e, out);
            } else {
                out.push((e.display().to_string(), std::fs::read(&e).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&d.path, &mut out);
    out
}

#[test]
fn a_household_is_registered_visited_found_and_shown() {
    let d = data();
    let added = ok(&d, &["household", "add"], Some(&household_json()));
    let id = added["household"].as_str().unwrap().to_string();
    let child = added["members"][1].as_str().unwrap().to_string();

    let visit = json!({
        "date": today().to_string(),
        "child_checks": {child.clone(): {"weight_kg": 10.4, "length": {"cm": 80.1, "position": "lying"},
                                         "diarrhoea": {"answer": "yes", "ors": "yes", "zinc": "no"}}}
    });
    let recorded = ok(&d, &["visit", "record", &id], Some(&visit));
    let visit_id = recorded["visit"].as_str().unwrap();

    let shown = ok(&d, &["household", "show", &id], None);
    let v = &shown["visits"][visit_id];
    assert_eq!(v["promotor"], "Juana Condori");
    assert_eq!(v["child_checks"][&child]["weight_kg"], 10.4);
    assert_eq!(v["child_checks"][&child]["diarrhoea"]["ors"], "yes");
    assert_eq!(
        v["child_checks"][&child]["fever"], "not_asked",
        "a question left out is shown as not asked, never as no"
    );

    let hits = ok(&d, &["household", "search", "nahui"], None);
    assert_eq!(hits[0]["id"], id.as_str());
    let hits = ok(&d, &["household", "search", "41234567"], None);
    assert_eq!(hits[0]["id"], id.as_str());

    let edited = ok(
        &d,
        &["household", "edit", &id],
        Some(&json!({"housing": {"water": "piped_inside"}})),
    );
    assert_eq!(edited["info"]["housing"]["water"], "piped_inside");
    assert_eq!(edited["info"]["address"], "Pasando el puente, casa azul");

    let member = ok(
        &d,
        &["member", "add", &id],
        Some(
            &json!({"given_names": "Wayra", "surnames": "Cusi Ñahui", "sex": "F",
                     "birth": {"date": months_ago(3)}, "relationship": "child", "insurance": "none"}),
        ),
    );
    let m = member["member"].as_str().unwrap();
    let edited = ok(
        &d,
        &["member", "edit", &id, m],
        Some(&json!({"insurance": "sis"})),
    );
    assert_eq!(edited["members"][m]["insurance"], "sis");

    let list = ok(&d, &["household", "list", "--community", "Huancarani"], None);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["member_count"], 3);

    let history = ok(&d, &["household", "history", &id], None);
    let ops: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["op"].as_str().unwrap())
        .collect();
    assert_eq!(
        ops,
        [
            "household.create",
            "visit.record",
            "household.edit",
            "member.add",
            "member.edit"
        ]
    );

    ok(
        &d,
        &["household", "delete", &id, "--reason", "Se mudó a Lima"],
        None,
    );
    assert_eq!(ok(&d, &["household", "list"], None), json!([]));
    assert_eq!(ok(&d, &["household", "search", "nahui"], None), json!([]));
}

#[test]
fn bad_input_names_the_field_and_changes_nothing() {
    let d = data();
    let added = ok(&d, &["household", "add"], Some(&household_json()));
    let id = added["household"].as_str().unwrap().to_string();
    let mother = added["members"][0].as_str().unwrap().to_string();
    let child = added["members"][1].as_str().unwrap().to_string();
    let tomorrow = (today() + chrono::Days::new(1)).to_string();

    let mut future_birth = household_json();
    future_birth["members"][1]["birth"]["date"] = json!(tomorrow);
    let mut short_dni = household_json();
    short_dni["members"][0]["dni"] = json!("1234567");
    let mut empty_name = household_json();
    empty_name["members"][0]["given_names"] = json!("  ");
    let mut control = household_json();
    control["address"] = json!("casa\u{0007}azul");

    let cases: Vec<(Vec<&str>, Option<Value>, &str, &str)> = vec![
        (
            vec!["household", "add"],
            Some(future_birth),
            "members[1].birth.date",
            "es una fecha futura",
        ),
        (
            vec!["household", "add"],
            Some(short_dni),
            "members[0].dni",
            "debe tener exactamente 8 dígitos",
        ),
        (
            vec!["household", "add"],
            Some(empty_name),
            "members[0].given_names",
            "está vacío",
        ),
        (
            vec!["household", "add"],
            Some(control),
            "address",
            "caracteres de control",
        ),
        (
            vec!["visit", "record", &id],
            Some(json!({"date": today().to_string(), "child_checks": {child.clone(): {"weight_kg": 300}}})),
            "weight_kg",
            "fuera del rango",
        ),
        (
            vec!["visit", "record", &id],
            Some(json!({"date": today().to_string(), "child_checks": {child.clone(): {"weight_kg": 0}}})),
            "weight_kg",
            "fuera del rango",
        ),
        (
            vec!["visit", "record", &id],
            Some(json!({"date": today().to_string(), "child_checks": {mother.clone(): {}}})),
            "child_checks",
            "menores de cinco años",
        ),
        (
            vec!["visit", "record", &id],
            Some(json!({"date": months_ago(19), "child_checks": {child.clone(): {}}})),
            "child_checks",
            "anterior al nacimiento",
        ),
        (
            vec!["household", "edit", &id],
            Some(json!({"community": ""})),
            "community",
            "está vacío",
        ),
        (
            vec!["member", "edit", &id, &mother],
            Some(json!({"dni": "12ab5678"})),
            "dni",
            "8 dígitos",
        ),
    ];
    for (args, input, field, reason) in cases {
        let before = snapshot(&d);
        let out = ayllu(&d, &args, input.as_ref());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} should be refused: {stderr}");
        assert!(stderr.contains(field), "{args:?}: {stderr} should name {field}");
        assert!(stderr.contains(reason), "{args:?}: {stderr} should say {reason}");
        assert!(out.stdout.is_empty());
        assert_eq!(snapshot(&d), before, "{args:?} changed the data folder");
    }

    // Malformed JSON is refused the same way.
    let before = snapshot(&d);
    let mut child_proc = Command::new(env!("CARGO_BIN_EXE_ayllu"))
        .envs(SECRETS)
        .arg("--data")
        .arg(&d.path)
        .args(["household", "add"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child_proc
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"community\": ")
        .unwrap();
    let out = child_proc.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid_format"));
    assert_eq!(snapshot(&d), before);
}

#[test]
fn errors_speak_english_when_asked() {
    let d = data();
    let mut bad = household_json();
    bad["members"][0]["dni"] = json!("123");
    let out = ayllu(&d, &["--lang", "en", "household", "add"], Some(&bad));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("members[0].dni: must be exactly 8 digits"),
        "{stderr}"
    );
    assert!(stderr.contains("\"code\":\"dni_format\""), "{stderr}");
}

#[test]
fn commands_need_an_initialised_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = Data {
        path: dir.path().join("nada"),
        _dir: dir,
    };
    let out = ayllu(&d, &["household", "list"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("init"));
    assert!(!d.path.exists(), "a read command must not create a store");
}

#[test]
fn demo_records_a_household_with_a_visit() {
    let dir = tempfile::tempdir().unwrap();
    let d = Data {
        path: dir.path().join("demo"),
        _dir: dir,
    };
    let shown = ok(&d, &["demo"], None);
    assert_eq!(shown["info"]["community"], "Ccorca");
    let visits = shown["visits"].as_object().unwrap();
    assert_eq!(visits.len(), 1);
}

#[test]
fn growth_prints_who_z_scores_and_refuses_bad_input() {
    let d = data();
    // A short, light boy of 33 months (checked against WHO's tables in ayllu-model's tests).
    let out = ok(
        &d,
        &[
            "growth",
            "--sex",
            "M",
            "--age-days",
            "1000",
            "--weight",
            "9.0",
            "--height",
            "80",
            "--measured",
            "standing",
        ],
        None,
    );
    assert_eq!(out["haz"]["z"], -3.93);
    assert_eq!(out["waz"]["z"], -3.56);
    assert_eq!(out["whz_table"], "weight_for_height");
    assert_eq!(out["classifications"], json!(["severe_stunting", "underweight"]));
    assert_eq!(out["messages"][0], "Talla baja severa");
    // Standing before day 731: 0.7 cm added, and said so.
    let out = ok(
        &d,
        &[
            "growth",
            "--sex",
            "M",
            "--age-days",
            "500",
            "--weight",
            "9",
            "--height",
            "80",
            "--measured",
            "standing",
        ],
        None,
    );
    assert_eq!(out["length_cm_used"], 80.7);
    assert_eq!(out["flags"], json!(["standing_before_day_731"]));

    for (args, field) in [
        (vec!["--sex", "X", "--age-days", "10", "--weight", "4"], "sex"),
        (
            vec!["--sex", "F", "--age-days", "1827", "--weight", "18"],
            "age_days",
        ),
        (
            vec!["--sex", "F", "--age-days", "10", "--weight", "400"],
            "weight",
        ),
        (
            vec![
                "--sex",
                "F",
                "--age-days",
                "10",
                "--height",
                "10",
                "--measured",
                "lying",
            ],
            "height",
        ),
        (
            vec![
                "--sex",
                "F",
                "--age-days",
                "10",
                "--height",
                "50",
                "--measured",
                "sentado",
            ],
            "measured",
        ),
    ] {
        let mut all = vec!["growth"];
        all.extend(args);
        let out = ayllu(&d, &all, None);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        let err: Value = serde_json::from_slice(out.stderr.split(|b| *b == b'\n').nth(1).unwrap()).unwrap();
        assert_eq!(err["error"]["field"], field, "{all:?}");
    }
}

#[test]
fn due_lists_follow_ups_by_community_and_a_referral_can_be_confirmed() {
    let d = data();
    let added = ok(&d, &["household", "add"], Some(&household_json()));
    let id = added["household"].as_str().unwrap().to_string();
    let child = added["members"][1].as_str().unwrap().to_string();
    // Written as older clients wrote a visit (booleans): still read as meant.
    let visit = json!({
        "date": today().to_string(),
        "child_checks": {child.clone(): {"growth_check_up_to_date": true, "diarrhoea": {"ors": true},
                                         "danger_signs": {"lethargic": true},
                                         "referral": {"reason": "Letárgico"}}}
    });
    let recorded = ok(&d, &["visit", "record", &id], Some(&visit));
    let visit_id = recorded["visit"].as_str().unwrap().to_string();

    let due = ok(&d, &["due"], None);
    assert_eq!(due[0]["community"], "Huancarani");
    let first = &due[0]["items"][0];
    assert_eq!(first["rule"], "danger_sign_referral");
    assert_eq!(first["urgency"], "urgent");
    assert_eq!(first["household"], id.as_str());
    assert_eq!(first["name"], "Inti Cusi Ñahui");
    // In two days the diarrhoea re-check is due too, after the urgent referral.
    let in_two = (today() + chrono::Days::new(2)).to_string();
    let due = ok(&d, &["due", "--on", &in_two], None);
    let rules: Vec<&str> = due[0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["danger_sign_referral", "diarrhoea_recheck"]);
    assert_eq!(ok(&d, &["due", "--community", "Otra"], None), json!([]));

    // A confirmation dated before the visit is refused and changes nothing.
    let before = snapshot(&d);
    let yesterday = (today() - chrono::Days::new(1)).to_string();
    let out = ayllu(
        &d,
        &[
            "visit", "attended", &id, "--visit", &visit_id, "--member", &child, "--on", &yesterday,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(snapshot(&d), before);
    ok(
        &d,
        &["visit", "attended", &id, "--visit", &visit_id, "--member", &child],
        None,
    );
    let due = ok(&d, &["due", "--on", &in_two], None);
    let rules: Vec<&str> = due[0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["diarrhoea_recheck"]);
}

#[test]
fn import_csv_takes_every_row_or_none() {
    let d = data();
    let dir = tempfile::tempdir().unwrap();
    let header =
        "household,community,address,consent,given_names,surnames,sex,birth_date,relationship,insurance,dni";
    let bad = dir.path().join("malo.csv");
    std::fs::write(
        &bad,
        format!(
            "{header}\nA,Ccorca,Casa 1,sí,Rosa,Quispe,F,1990-01-01,head,sis,\n\
             A,Ccorca,Casa 1,sí,Killa,Quispe,F,2099-01-01,child,sis,\n\
             B,Ccorca,Casa 2,sí,Juan,Mamani,M,1980-01-01,head,sis,123\n"
        ),
    )
    .unwrap();
    let before = snapshot(&d);
    let out = ayllu(&d, &["import", "csv", bad.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["imported"], 0);
    let rejected: Vec<(u64, &str)> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["column"].as_str().unwrap()))
        .collect();
    assert_eq!(rejected, [(3, "birth_date"), (4, "dni")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("línea 3: birth_date «2099-01-01»: es una fecha futura"),
        "{stderr}"
    );
    assert!(stderr.contains("no se importó nada"), "{stderr}");
    assert_eq!(snapshot(&d), before, "a refused import writes nothing");

    let good = dir.path().join("bueno.csv");
    std::fs::write(
        &good,
        format!(
            "{header}\nA,Ccorca,Casa 1,sí,Rosa,Quispe,F,1990-01-01,head,sis,\n\
             A,Ccorca,Casa 1,sí,Killa,Quispe,F,2024-01-01,child,sis,\n\
             B,Ccorca,Casa 2,sí,Juan,Mamani,M,1980-01-01,head,sis,12345678\n"
        ),
    )
    .unwrap();
    let out = ok(&d, &["import", "csv", good.to_str().unwrap()], None);
    assert_eq!(
        (out["imported"].as_u64(), out["members"].as_u64()),
        (Some(2), Some(3))
    );
    let list = ok(&d, &["household", "list", "--community", "Ccorca"], None);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let hits = ok(&d, &["household", "search", "12345678"], None);
    assert_eq!(hits.as_array().unwrap().len(), 1);
}

/// The secret comes from a file or the environment: a wrong PIN, a PIN file that is huge
/// (or endless), or none at all opens nothing and says why; the right one opens.
#[test]
fn the_data_folder_opens_only_with_its_pin() {
    let d = data();
    let run = |pin_file: Option<&std::path::Path>, pin: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ayllu"));
        c.arg("--data")
            .arg(&d.path)
            .args(["household", "list"])
            .env_remove("AYLLU_PIN")
            .env("AYLLU_KDF_FAST", "1");
        if let Some(f) = pin_file {
            c.arg("--pin-file").arg(f);
        }
        if let Some(p) = pin {
            c.env("AYLLU_PIN", p);
        }
        c.output().unwrap()
    };
    let out = run(None, None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("AYLLU_PIN"));
    let out = run(None, Some("111111"));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("PIN incorrecto"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(Some(std::path::Path::new("/dev/zero")), None);
    assert!(!out.status.success(), "an endless file is refused, not read");
    let file = d._dir.path().join("pin.txt");
    std::fs::write(&file, format!("{}\n", SECRETS[0].1)).unwrap();
    assert!(run(Some(&file), None).status.success());
    assert!(run(None, Some(SECRETS[0].1)).status.success());
}

/// A lock file tampered with on disk (one that asks Argon2 for 4 GiB, one cut short, one
/// that is not JSON, one of 1 MiB) opens nothing, says why, is not obeyed (the command
/// runs under a 1 GiB address-space limit) and changes nothing in the folder.
#[test]
fn a_tampered_lock_file_is_refused_before_any_work() {
    let d = data();
    let lock = d.path.join("ayllu.lock");
    let good = std::fs::read_to_string(&lock).unwrap();
    let mut greedy: Value = serde_json::from_str(&good).unwrap();
    greedy["kdf"]["m_kib"] = json!(4u64 * 1024 * 1024);
    for bad in [
        greedy.to_string(),
        good[..good.len() / 2].to_string(),
        "not a lock".to_string(),
        " ".repeat(1024 * 1024),
    ] {
        std::fs::write(&lock, &bad).unwrap();
        let before = snapshot(&d);
        let out = Command::new("prlimit")
            .arg("--as=1073741824")
            .arg("--")
            .arg(env!("CARGO_BIN_EXE_ayllu"))
            .envs(SECRETS)
            .arg("--data")
            .arg(&d.path)
            .args(["household", "list"])
            .output()
            .expect("prlimit (util-linux)");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("bloqueo"), "{err}");
        assert_eq!(snapshot(&d), before, "the folder changed");
    }
    std::fs::write(&lock, good).unwrap();
    ok(&d, &["household", "list"], None);
}

/// Opens the data folder's store with raw SQL, as someone (or a bug) might: the key comes
/// from the lock with the PIN, like the app's.
fn raw_sql(d: &Data, sql: &str) {
    let key = ayllu_ops::folder::unlock(&d.path, SECRETS[0].1, chrono::Utc::now()).unwrap();
    let conn = rusqlite::Connection::open(d.path.join("ayllu.sqlite3")).unwrap();
    conn.pragma_update(None, "key", key.sqlcipher_pragma().as_str())
        .unwrap();
    conn.pragma_update(None, "cipher_page_size", 4096).unwrap();
    conn.pragma_update(None, "cipher_hmac_algorithm", "HMAC_SHA256")
        .unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn check_says_whether_the_store_is_whole_and_exits_non_zero_on_a_finding() {
    let d = data();
    let added = ok(&d, &["household", "add"], Some(&household_json()));
    let id = added["household"].as_str().unwrap().to_string();
    let whole = ok(&d, &["check"], None);
    assert_eq!(whole["ok"], true, "{whole}");
    assert_eq!(whole["households"], 1);
    assert_eq!(whole["findings"], json!([]));

    // The projection edited behind the documents' back: found, named, exit 1, unchanged.
    raw_sql(
        &d,
        &format!("UPDATE households SET address = 'Otra casa' WHERE id = '{id}';"),
    );
    for _ in 0..2 {
        let out = ayllu(&d, &["check"], None);
        assert_eq!(out.status.code(), Some(1));
        let found: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(found["ok"], false);
        assert_eq!(found["findings"][0]["code"], "projection", "{found}");
    }
    // `rebuild` mends the projection from the documents; the check agrees.
    ok(&d, &["rebuild"], None);
    assert_eq!(ok(&d, &["check"], None)["ok"], true);
}
