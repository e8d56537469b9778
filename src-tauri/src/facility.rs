//! Facility mode: at the health post the app is the hub. The hub serves this app's own
//! store over HTTP (the same `ayllu-hub` router the `ayllu hub serve` command runs), on
//! the app's async runtime, until staff switch facility mode off.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use ayllu_hub_server::Hub;
use ayllu_ops::facility::{self, Mode};
use ayllu_ops::{DeviceInfo, Store};

use crate::boundary::UiError;

/// What the facility screen shows.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct FacilityStatus {
    pub running: bool,
    pub port: u16,
    /// Addresses phones on the post's network can use, e.g. `https://192.168.1.20:8470`.
    pub addresses: Vec<String>,
    /// Where the hub may listen (this machine's network address first, then this machine
    /// only), and the one chosen.
    pub interfaces: Vec<String>,
    pub listen: String,
    pub hub_id: Option<String>,
    pub devices: Vec<DeviceInfo>,
}

/// A fresh enrollment code with a QR code of address + code for a phone to scan.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct NewEnrollment {
    pub code: String,
    pub address: String,
    /// What the QR code holds: `ayllu://enroll?hub=ADDRESS&code=CODE&cert=SHA256`.
    pub link: String,
    /// The QR code as an SVG image.
    pub qr_svg: String,
}

struct Running {
    listen: IpAddr,
    port: u16,
    hub_id: String,
    stop: tokio::sync::oneshot::Sender<()>,
}

#[derive(Default)]
pub struct Facility {
    running: Mutex<Option<Running>>,
}

pub fn qr_svg(text: &str) -> String {
    let code = qrcode::QrCode::new(text.as_bytes()).expect("a short link fits a QR code");
    code.render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build()
}

impl Facility {
    pub fn is_running(&self) -> bool {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// Starts serving on `listen`:`port` (0: any free port). Fails, changing nothing, if the
    /// port is taken.
    pub async fn start(&self, store: Arc<Mutex<Store>>, mode: Mode) -> Result<u16, UiError> {
        let Mode { listen, port } = mode;
        if let Some(r) = self.running.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            return Ok(r.port);
        }
        let hub = Arc::new(Hub::shared(store).map_err(|e| {
            UiError::other(
                "internal",
                ayllu_words::Message::new("facility-start_failed").with("reason", e.to_string()),
            )
        })?);
        let listener = tokio::net::TcpListener::bind(SocketAddr::from((listen, port)))
            .await
            .map_err(|e| UiError {
                field: "port".into(),
                code: "port_unavailable".into(),
                message: ayllu_words::Message::new("facility-port_unavailable")
                    .with("port", port.to_string())
                    .with("reason", e.to_string()),
            })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let hub_id = hub.id().to_string();
        tauri::async_runtime::spawn(async move {
            let _ = ayllu_hub_server::run(listener, hub, async {
                let _ = stopped.await;
            })
            .await;
        });
        *self.running.lock().unwrap_or_else(|p| p.into_inner()) = Some(Running {
            listen,
            port,
            hub_id,
            stop,
        });
        Ok(port)
    }

    pub fn stop(&self) {
        if let Some(r) = self.running.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = r.stop.send(());
        }
    }

    pub fn status(&self, store: &Store) -> Result<FacilityStatus, UiError> {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let port = match running.as_ref() {
            Some(r) => r.port,
            None => facility::kept_port(store)?,
        };
        let devices = facility::devices(store)?;
        Ok(FacilityStatus {
            running: running.is_some(),
            port,
            addresses: running
                .as_ref()
                .map(|r| vec![format!("https://{}:{}", r.listen, r.port)])
                .unwrap_or_default(),
            interfaces: facility::interfaces().iter().map(|ip| ip.to_string()).collect(),
            listen: running
                .as_ref()
                .map_or_else(|| facility::remembered_listen(store), |r| r.listen)
                .to_string(),
            hub_id: running.as_ref().map(|r| r.hub_id.clone()),
            devices,
        })
    }

    pub fn address(&self) -> Option<String> {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running
            .as_ref()
            .map(|r| format!("https://{}:{}", r.listen, r.port))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_qr_code_is_an_svg_image() {
        let svg = super::qr_svg(
            "ayllu://enroll?hub=https://192.168.1.20:8470&code=ABCD-EFGH-JKMN-PQRS-TUVW-XYZ2-3456&cert=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        );
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }
}
