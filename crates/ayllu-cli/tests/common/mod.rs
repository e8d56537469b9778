//! What the outside-in tests share: the real hub in its own process (`ayllu hub serve`,
//! under an address-space limit), the secrets that unlock test folders, the command line.
#![allow(dead_code)] // each test binary uses its own part

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use automerge::{ActorId, Automerge};
use ayllu_model::PersonName;
use ayllu_store::{Signature, Store};
use ayllu_sync::enrollment::{Application, HubSeen};
use ayllu_sync::http::HubClient;
use ayllu_sync::tls::Trust;
use serde_json::Value;

/// What unlocks the test data folders (cheap Argon2id: the code path is the same).
pub const SECRETS: [(&str, &str); 3] = [
    ("AYLLU_PIN", "482913"),
    ("AYLLU_PASSPHRASE", "puesto de salud de prueba"),
    ("AYLLU_KDF_FAST", "1"),
];

/// The hub runs with this much address space at most: an allocation of gigabytes aborts it.
pub const ADDRESS_SPACE: u64 = 1536 * 1024 * 1024;

pub struct HubProcess {
    pub child: Child,
    pub url: String,
    pub data: PathBuf,
    /// The hub's certificate: public (any machine it talks to sees it), so an attacker
    /// has it too and speaks TLS to the hub like a phone.
    pub trust: Trust,
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl HubProcess {
    pub fn start(data: &Path) -> HubProcess {
        HubProcess::start_with(data, Stdio::inherit())
    }

    /// [`HubProcess::start`] with what the hub says on stderr written to `log`.
    pub fn start_logged(data: &Path, log: &Path) -> HubProcess {
        HubProcess::start_with(data, std::fs::File::create(log).unwrap().into())
    }

    fn start_with(data: &Path, stderr: Stdio) -> HubProcess {
        let mut child = Command::new("prlimit")
            .arg(format!("--as={ADDRESS_SPACE}"))
            .arg("--")
            .arg(env!("CARGO_BIN_EXE_ayllu"))
            .arg("--data")
            .arg(data)
            .args(["hub", "serve", "--listen", "127.0.0.1:0"])
            // Fewer malloc arenas: the limit measures what the hub uses, not reservations.
            .env("MALLOC_ARENA_MAX", "2")
            .envs(SECRETS)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("prlimit (util-linux) runs the hub");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().strip_prefix("listening on ").unwrap().to_string();
        assert!(url.starts_with("https://"), "{url}");
        let store = ayllu_ops::folder::open(data, SECRETS[1].1).unwrap();
        let trust = Trust::Pinned(ayllu_hub::tls::Identity::of(&store).unwrap().fingerprint());
        HubProcess {
            child,
            url,
            data: data.to_path_buf(),
            trust,
        }
    }

    /// An HTTPS client that talks to this hub (a phone's, or an attacker's).
    pub fn http(&self) -> reqwest::blocking::Client {
        self.http_from("127.0.0.1")
    }

    /// [`HubProcess::http`] from another address of 127.0.0.0/8 (another machine on the
    /// post's network: the hub throttles enrollments per address).
    pub fn http_from(&self, local: &str) -> reqwest::blocking::Client {
        reqwest::blocking::Client::builder()
            .tls_backend_preconfigured(ayllu_sync::tls::client_config(self.trust.clone()).0)
            .local_address(local.parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap()
    }

    pub fn client(&self, token: Option<String>) -> HubClient {
        HubClient::new(&self.url, self.trust.clone(), token)
    }

    /// A TLS connection to the hub from `local` (an address of 127.0.0.0/8), to write raw
    /// HTTP on.
    pub fn tls_from(
        &self,
        local: &str,
    ) -> rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream> {
        let (config, _) = ayllu_sync::tls::client_config(self.trust.clone());
        let name = rustls::pki_types::ServerName::try_from("ayllu-hub").unwrap();
        let connection = rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
        rustls::StreamOwned::new(connection, connect_from(local, &self.url).unwrap())
    }

    /// Up and answering, and its peak resident memory (kB) so far.
    pub fn assert_healthy(&mut self, after: &str) -> u64 {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "the hub died after {after}"
        );
        let status = self
            .http()
            .get(format!("{}/v1/health", self.url))
            .send()
            .unwrap_or_else(|e| panic!("after {after}: {e}"))
            .status();
        assert_eq!(status, 200, "after {after}");
        let proc_status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let peak = proc_status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap();
        // Far below the limit: the attacks were refused before anything big was made.
        assert!(peak < 400 * 1024, "after {after}: peak RSS {peak} kB");
        peak
    }

    pub fn code(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_ayllu"))
            .envs(SECRETS)
            .arg("--data")
            .arg(&self.data)
            .args(["hub", "enroll", "--promotor", "Juana Condori"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["code"].as_str().unwrap().to_string()
    }

    /// An enrollment signed for this hub (as a phone signs it over HTTPS).
    pub fn application(&self, code: &str, actor: &ActorId, key: &ed25519_dalek::SigningKey) -> Application {
        let Trust::Pinned(pin) = self.trust else {
            unreachable!("the tests pin the hub")
        };
        Application::sign(code, actor, key, "", HubSeen::Certificate(pin))
    }

    /// The hub's store, opened beside the running hub (SQLite in WAL mode: readers and
    /// the hub's writer do not block each other).
    pub fn store(&self) -> Store {
        ayllu_ops::folder::open(&self.data, SECRETS[1].1).unwrap()
    }
}

pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

pub fn who() -> Signature {
    Signature::now(PersonName::parse("Juana Condori").unwrap())
}

/// The hub's documents, to show a refusal changed nothing.
pub fn hub_documents(hub: &HubProcess) -> Vec<(String, Vec<u8>, String)> {
    let store = hub.store();
    store
        .household_ids()
        .unwrap()
        .into_iter()
        .map(|id| {
            let bytes = store.document_bytes(id).unwrap();
            let heads = format!("{:?}", Automerge::load(&bytes).unwrap().get_heads());
            (id.to_string(), bytes, heads)
        })
        .collect()
}

/// A TCP connection to `url`'s port from a chosen loopback address.
pub fn connect_from(local: &str, url: &str) -> std::io::Result<std::net::TcpStream> {
    let target: std::net::SocketAddr = url.trim_start_matches("https://").parse().unwrap();
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.bind(
        &format!("{local}:0")
            .parse::<std::net::SocketAddr>()
            .unwrap()
            .into(),
    )?;
    socket.connect_timeout(&target.into(), std::time::Duration::from_secs(2))?;
    Ok(socket.into())
}

/// Runs `ayllu --data DATA ARGS`: exit code, stdout as JSON, stderr.
pub fn cli(data: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ayllu"))
        .envs(SECRETS)
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
