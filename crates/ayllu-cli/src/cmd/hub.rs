//! `hub`: the health post's hub — serve, enroll phones, list and revoke them.

use anyhow::Context as _;
use ayllu_ops::facility::{self, Grant};
use clap::Subcommand;
use serde_json::Value;

use crate::{Context, Failure, json};

#[derive(Subcommand)]
pub enum HubCmd {
    /// Serves the hub over HTTPS with its own certificate (the data folder is created if
    /// needed). Phones trust it by the fingerprint their enrollment code carries.
    Serve {
        #[arg(long, default_value = "0.0.0.0:7878")]
        listen: String,
        /// Plain HTTP: anyone on the network reads the census and can pose as the hub.
        #[arg(long)]
        insecure_http: bool,
    },
    /// Prints a one-time enrollment code for a promotor's phone.
    Enroll {
        #[arg(long)]
        promotor: String,
        /// Communities the device may see (repeat). One at least, or --all-communities.
        #[arg(long, required_unless_present = "all_communities")]
        community: Vec<String>,
        /// Every community of the facility (a supervisor's device), said explicitly.
        #[arg(long, conflicts_with = "community")]
        all_communities: bool,
        /// Days the code stays valid (1 to 90).
        #[arg(long, default_value_t = 7)]
        days: i64,
        /// What the device may ask the hub for: promotor (sync, bundles), staff (every
        /// household, devices, the access log) or committee (the indicator tables only).
        #[arg(long, default_value = "promotor", value_parser = ["promotor", "staff", "committee"])]
        role: String,
    },
    /// Lists enrolled devices.
    Devices,
    /// Revokes a device's token.
    Revoke { device_id: String },
}

pub fn hub(cx: &Context, cmd: HubCmd) -> Result<Value, Failure> {
    match cmd {
        HubCmd::Serve {
            listen,
            insecure_http,
        } => serve(cx, &listen, insecure_http),
        HubCmd::Enroll {
            promotor,
            community,
            all_communities,
            days,
            role,
        } => {
            let role = facility::Role::parse(&role).expect("clap checked it");
            let grant = if all_communities {
                Grant::All
            } else {
                Grant::Only(community)
            };
            let store = cx.open_or_create(ayllu_lock::Unlock::Passphrase)?;
            json(facility::new_code(&store, &promotor, grant, role, days)?)
        }
        HubCmd::Devices => json(facility::devices(&cx.open()?)?),
        HubCmd::Revoke { device_id } => json(facility::revoke(&cx.open()?, &device_id)?),
    }
}

fn serve(cx: &Context, listen: &str, insecure_http: bool) -> Result<Value, Failure> {
    let store = cx.open_or_create(ayllu_lock::Unlock::Passphrase)?;
    let hub = std::sync::Arc::new(ayllu_hub_server::Hub::new(store).context("starting the hub")?);
    let runtime = tokio::runtime::Runtime::new().context("starting the runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        let addr = listener.local_addr().context("local address")?;
        let scheme = if insecure_http { "http" } else { "https" };
        // Scripts and tests read this line to find the port.
        println!("listening on {scheme}://{addr}");
        use std::io::Write as _;
        std::io::stdout().flush().ok();
        eprintln!("Ayllu hub {} — data in {}", hub.id(), cx.data.display());
        let stop = async {
            tokio::signal::ctrl_c().await.ok();
        };
        if insecure_http {
            eprintln!("{}", ayllu_words::text(cx.lang, "cli-insecure_http"));
            ayllu_hub_server::run_insecure_http(listener, hub, stop).await
        } else {
            eprintln!("certificate SHA-256 {}", hub.fingerprint().to_hex());
            ayllu_hub_server::run(listener, hub, stop).await
        }
        .context("serving")?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(Value::Null)
}
