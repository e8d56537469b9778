//! Writes the fuzz targets' seed corpora (`fuzz/corpus/<target>/`): genuine requests,
//! responses, bundles and census files as Ayllu writes them, and the attacks of the trust
//! issue's table (Bloom filter bombs, an inflating change, a run-length bomb, made-up
//! households, foreign actors) and enrollments that do not prove their key. `bash
//! scripts/fuzz.sh` runs it before fuzzing.

use std::io::Write;
use std::path::{Path, PathBuf};

use automerge::{ActorId, Automerge, ROOT, ReadDoc, transaction::Transactable};
use ayllu_model::{HouseholdId, PersonName, ShortText};
use ayllu_store::{Signature, Store};
use ayllu_sync::bundle::{Bundle, BundleDoc};
use ayllu_sync::enrollment::{Application, HubSeen};
use ayllu_sync::wire::{self, DocMessage, Kind, Request};
use ayllu_sync::{DeviceSession, docsync};
use ayllu_synth::hostile::{bloom_message, change_declaring_rows, chunk, message_with_changes};

fn attacks() -> Vec<Vec<u8>> {
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![0u8; 1 << 20]).unwrap();
    vec![
        bloom_message(1, 10, u32::MAX as u64, 2),
        bloom_message(5, 0, 7, 0),
        bloom_message(8, 10, 7, 10),
        message_with_changes(&[chunk(2, [0; 4], &z.finish().unwrap())]),
        message_with_changes(&[chunk(1, [0; 4], &change_declaring_rows(4_000_000_000))]),
        vec![0x42, 0, 0, 0, 0],
    ]
}

/// The hub_request target's form of a sync request (see fuzz/fuzz_targets/hub_request.rs).
fn as_sync(request: &[u8]) -> Vec<u8> {
    [&[0u8][..], request].concat()
}

/// Enrollment bodies: a genuine one (signed for a hub met over plain HTTP), another phone's
/// key under one's own signature, a signature for another hub, malformed fields, a field
/// the hub does not take, an over-long name.
fn enrollments(phone: &Store) -> Vec<(&'static str, Vec<u8>)> {
    let code = "K7QF-3MZP-XA22";
    let actor = ActorId::from([3u8; 16].as_slice());
    let mine = ed25519_dalek::SigningKey::from_bytes(&[0x5a; 32]);
    let genuine = Application::sign(code, &actor, &mine, "celular", HubSeen::PlainHttp);
    let mut impostor = genuine.clone();
    impostor.public_key = phone.public_key_hex();
    let elsewhere = Application::sign(
        code,
        &actor,
        &mine,
        "celular",
        HubSeen::Certificate(ayllu_sync::tls::Fingerprint::of(b"another hub")),
    );
    let mut bad_actor = genuine.clone();
    bad_actor.actor = "zz".into();
    let json = |a: &Application| serde_json::to_vec(a).unwrap();
    let mut extra: serde_json::Value = serde_json::to_value(&genuine).unwrap();
    extra["device_id"] = "mine".into();
    let mut long = genuine.clone();
    long.name = "n".repeat(500);
    vec![
        ("genuine", json(&genuine)),
        ("impostor", json(&impostor)),
        ("elsewhere", json(&elsewhere)),
        ("bad-actor", json(&bad_actor)),
        ("extra-field", serde_json::to_vec(&extra).unwrap()),
        ("long-name", json(&long)),
        ("not-json", b"{\"code\": [".to_vec()),
    ]
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn main() -> anyhow::Result<()> {
    let root: PathBuf = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fuzz/corpus".into())
        .into();
    let work = tempfile::tempdir()?;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let who = Signature::now(PersonName::parse("Juana Condori")?);
    let mut phone = Store::open(&work.path().join("phone.sqlite3"))?;
    let mut census = ayllu_synth::Census::new(5, today);
    for _ in 0..3 {
        let mut h = census.household();
        h.info.community = ShortText::parse("Ccorca")?;
        phone.insert_household(census.household_id(), &h, &who)?;
    }

    // Genuine first messages and requests, as a phone writes them (wire v4: whole
    // documents).
    let mut session = DeviceSession::new("hub");
    let request = session.next_request(&mut phone)?.expect("something to send");
    let (sm, hr, wr) = (
        root.join("sync_message"),
        root.join("hub_request"),
        root.join("wire"),
    );
    for (i, d) in request.docs.iter().enumerate() {
        write(&sm, &format!("genuine-{i}"), &d.message);
    }
    write(&hr, "genuine", &as_sync(&postcard::to_allocvec(&request)?));
    write(&wr, "genuine-request", &wire::encode(Kind::Request, &request));
    let response = wire::Response {
        docs: request.docs.clone(),
        cursor: 7,
        more: true,
        refused: vec![],
        token: None,
    };
    write(&wr, "genuine-response", &wire::encode(Kind::Response, &response));
    // A later message with a Bloom filter: after an edit on a household both sides held.
    let id = phone.household_ids()?[0];
    let mut doc = Automerge::load(&phone.document_bytes(id)?)?;
    let mut state = docsync::restore(None);
    state.shared_heads = doc.get_heads();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        let (_, info) = tx.get(ROOT, "info")?.unwrap();
        tx.put(&info, "address", "Pasando el puente")?;
        Ok(())
    })
    .map_err(|f| anyhow::anyhow!("{}", f.error))?;
    let edit = docsync::offer(&doc, &mut state).expect("an edit to offer");
    // Both spellings: Automerge's (wire v2) and ours (v3 and v4).
    write(&sm, "edit-compact", &ayllu_sync::guard::compact::write(&edit));
    write(&sm, "edit", &edit.encode());
    // A first message as wire v3 spells it (changes, where v4 sends the document).
    let mut fresh = docsync::restore(None);
    docsync::prime(&mut fresh);
    let first = docsync::offer(&doc, &mut fresh).expect("a first message");
    write(&sm, "first-compact", &ayllu_sync::guard::compact::write(&first));

    // The attacks, alone and inside requests.
    for (i, attack) in attacks().into_iter().enumerate() {
        write(&sm, &format!("attack-{i}"), &attack);
        let r = Request {
            request_id: [i as u8; 16],
            cursor: 0,
            docs: vec![DocMessage {
                household: id,
                message: attack,
            }],
        };
        write(&hr, &format!("attack-{i}"), &as_sync(&postcard::to_allocvec(&r)?));
        write(&wr, &format!("attack-{i}"), &wire::encode(Kind::Request, &r));
    }
    let made_up = Request {
        request_id: [9; 16],
        cursor: 0,
        docs: (0..50)
            .map(|_| DocMessage {
                household: HouseholdId::new(),
                message: vec![0x42, 0, 0, 0, 0],
            })
            .collect(),
    };
    write(
        &hr,
        "made-up-households",
        &as_sync(&postcard::to_allocvec(&made_up)?),
    );
    for (name, body) in enrollments(&phone) {
        // Read as sent (1), and re-signed for a live code (2).
        for kind in [1u8, 2] {
            write(
                &hr,
                &format!("enroll-{name}-{kind}"),
                &[&[kind][..], &body].concat(),
            );
        }
    }

    // Bundles: a genuine one (whole documents), changes only, and a foreign actor's edit.
    let docs: Vec<BundleDoc> = phone
        .household_ids()?
        .into_iter()
        .map(|id| {
            let d = Automerge::load(&phone.document_bytes(id).unwrap()).unwrap();
            BundleDoc {
                household: id,
                data: d.save_nocompress(),
            }
        })
        .collect();
    let b = root.join("bundle");
    let genuine = Bundle {
        from: "fuzz".into(),
        created_at: 0,
        docs,
    };
    write(&b, "genuine", &postcard::to_allocvec(&genuine)?);
    let mut foreign = Automerge::load(&phone.document_bytes(id)?)?;
    let heads = foreign.get_heads();
    foreign.set_actor(ActorId::random());
    foreign
        .transact::<_, _, automerge::AutomergeError>(|tx| {
            let (_, members) = tx.get(ROOT, "members")?.unwrap();
            tx.put(&members, "extra", "x")?;
            Ok(())
        })
        .map_err(|f| anyhow::anyhow!("{}", f.error))?;
    let forged = Bundle {
        from: "fuzz".into(),
        created_at: 0,
        docs: vec![BundleDoc {
            household: id,
            data: foreign.save_after(&heads),
        }],
    };
    write(&b, "forged", &postcard::to_allocvec(&forged)?);

    // Census files.
    let c = root.join("csv_import");
    write(
        &c,
        "codes",
        "household,community,sector,address,water,electricity,consent,given_names,surnames,sex,birth_date,relationship,dni,insurance,education,expected_delivery\n\
         H-1,Ccorca,Alto,Plaza,piped_inside,yes,yes,Rosa,Quispe,F,1990-03-01,head,45871236,sis,primary_complete,\n\
         H-1,,,,,,,Ch'aska,Mamani,F,2025-05-20,child,,sis,,\n"
            .as_bytes(),
    );
    write(
        &c,
        "labels",
        "\u{feff}household;community;sector;address;water;electricity;consent;given_names;surnames;sex;birth_date;relationship;dni;insurance;education;expected_delivery\n\
         H-2;Huayllay;;Casa azul;Red pública dentro de la vivienda;sí;sí;Elena;Quispe;Mujer;02/03/1994;Jefe o jefa del hogar;;SIS (Seguro Integral de Salud);;01/03/2027\n"
            .as_bytes(),
    );
    println!("seeds written under {}", root.display());
    Ok(())
}
