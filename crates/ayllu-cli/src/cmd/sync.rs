//! `enroll`, `sync`, `bundle`: this device and its hub.

use std::path::PathBuf;

use ayllu_ops::sync::HubLink;
use ayllu_ops::{bundle, enroll as enrolling, sync as syncing};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::{Context, Failure, json};

#[derive(Args)]
pub struct EnrollArgs {
    #[arg(long)]
    hub: String,
    #[arg(long)]
    code: String,
    /// A name for this phone as staff will see it (default: its promotor's).
    #[arg(long)]
    name: Option<String>,
    /// Enroll with a hub served over plain HTTP: anyone on the network reads what is sent.
    #[arg(long)]
    insecure_http: bool,
}

#[derive(Args)]
pub struct SyncArgs {
    /// Hub address, if it changed since enrollment.
    #[arg(long)]
    hub: Option<String>,
}

#[derive(Subcommand)]
pub enum BundleCmd {
    /// Writes what the other side is not known to have (on a device: the hub; on a hub,
    /// with --for: that device, within its communities; otherwise everything).
    Write {
        file: PathBuf,
        #[arg(long = "for")]
        for_device: Option<String>,
    },
    /// Reads a bundle signed by an enrolled device (on a hub) or by this device's hub:
    /// each household checked like a sync; nothing if the file is damaged or unsigned.
    Read {
        file: PathBuf,
        /// Only say what it would change (households new or changed, and refused).
        #[arg(long)]
        preview: bool,
    },
}

pub fn enroll(cx: &Context, a: EnrollArgs) -> Result<Value, Failure> {
    let mut store = cx.open()?;
    if a.insecure_http {
        eprintln!("{}", ayllu_words::text(cx.lang, "cli-insecure_http"));
    }
    json(enrolling::enroll(
        &mut store,
        &a.hub,
        &a.code,
        a.insecure_http,
        a.name.as_deref(),
    )?)
}

pub fn sync(cx: &Context, a: SyncArgs) -> Result<Value, Failure> {
    let mut store = cx.open()?;
    let link = HubLink::required(&store, a.hub)?;
    if link.is_insecure() {
        eprintln!("{}", ayllu_words::text(cx.lang, "cli-insecure_http"));
    }
    let started = std::time::Instant::now();
    let progress = syncing::sync_once(&mut store, &link, |p| {
        eprintln!(
            "… {} intercambios, {} hogares enviados, {} recibidos",
            p.exchanges, p.sent, p.received
        )
    })?;
    // Households the hub refused (or we refused from it) stay here, with why.
    let refused = syncing::refusals(&store)?;
    Ok(
        json!({"hub": link.url, "exchanges": progress.exchanges, "sent": progress.sent,
              "received": progress.received, "seconds": started.elapsed().as_secs_f64(),
              "refused": refused}),
    )
}

pub fn bundle(cx: &Context, cmd: BundleCmd) -> Result<Value, Failure> {
    let mut store = cx.open()?;
    match cmd {
        BundleCmd::Write { file, for_device } => {
            json(bundle::write(&mut store, &file, for_device.as_deref())?)
        }
        BundleCmd::Read { file, preview } => json(bundle::read(&mut store, &file, !preview)?),
    }
}
