//! `ayllu`: the command-line face of Ayllu. Each command translates its arguments into a
//! call to `ayllu-ops` (the operations the app's commands call too) and its result into
//! JSON on stdout; refused input exits with status 2 naming the field (see `failure`).

use ayllu_lock::Unlock;
use std::path::PathBuf;
use std::process::ExitCode;

use ayllu_model::Lang;
use clap::{Parser, Subcommand};
use serde_json::Value;

mod cmd;
mod failure;

use failure::Failure;

#[derive(Parser)]
#[command(
    name = "ayllu",
    version,
    about = "Ayllu: censo de hogares y salud infantil / household census and child health"
)]
struct Cli {
    /// Data folder (created by `init`).
    #[arg(long, global = true, env = "AYLLU_DATA", default_value = "ayllu-data")]
    data: PathBuf,
    /// Language of messages: es (default), or any other the catalogue has (en).
    #[arg(long, global = true, env = "AYLLU_LANG", default_value = "es")]
    lang: Lang,
    /// Who is making the change (defaults to the promotor set with `init`).
    #[arg(long, global = true)]
    promotor: Option<String>,
    /// A file holding the PIN (a phone's folder) or the staff passphrase (a hub's) that
    /// unlocks the data folder. Never on the command line: it would show in `ps`. Without
    /// it, AYLLU_PIN (a phone's folder) or AYLLU_PASSPHRASE (a hub's) is read.
    #[arg(long, global = true)]
    pin_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// What every command may need from the global options.
pub struct Context {
    pub data: PathBuf,
    pub lang: Lang,
    pub promotor: Option<String>,
    pin_file: Option<PathBuf>,
}

impl Context {
    /// The secret that unlocks the data folder: `--pin-file`, else `AYLLU_PIN` for a PIN
    /// or `AYLLU_PASSPHRASE` for the staff passphrase.
    fn secret(&self, by: Unlock) -> Result<zeroize::Zeroizing<String>, Failure> {
        use anyhow::Context as _;
        let (var, missing) = match by {
            Unlock::Pin => ("AYLLU_PIN", "cli-no_pin"),
            Unlock::Passphrase => ("AYLLU_PASSPHRASE", "cli-no_passphrase"),
        };
        let text = match &self.pin_file {
            Some(path) => {
                // A PIN or passphrase is short: a big file (or /dev/zero) is refused unread.
                use std::io::Read;
                let mut text = String::new();
                std::fs::File::open(path)
                    .and_then(|f| f.take(1025).read_to_string(&mut text))
                    .with_context(|| format!("reading {}", path.display()))?;
                if text.len() > 1024 {
                    return Err(anyhow::anyhow!(
                        "{} is not a PIN or passphrase file (too long)",
                        path.display()
                    )
                    .into());
                }
                text
            }
            None => std::env::var(var)
                .map_err(|_| anyhow::anyhow!("{}", ayllu_words::text(self.lang, missing)))?,
        };
        Ok(zeroize::Zeroizing::new(
            text.trim_end_matches(['\n', '\r']).to_string(),
        ))
    }

    /// What the folder's lock asks for (a folder without one will be locked by `by`).
    fn lock_kind(&self, by: Unlock) -> Result<Unlock, Failure> {
        Ok(match ayllu_ops::folder::state(&self.data, chrono::Utc::now())? {
            ayllu_ops::folder::FolderState::Locked { by, .. } => by,
            _ => by,
        })
    }

    /// The data folder's store, unlocked.
    pub fn open(&self) -> Result<ayllu_ops::Store, Failure> {
        let secret = self.secret(self.lock_kind(Unlock::Pin)?)?;
        Ok(ayllu_ops::folder::open(&self.data, &secret)?)
    }

    /// The data folder's store, created (and locked by `by`) when there is none.
    pub fn open_or_create(&self, by: Unlock) -> Result<ayllu_ops::Store, Failure> {
        let secret = self.secret(self.lock_kind(by)?)?;
        Ok(ayllu_ops::folder::open_or_create(&self.data, &secret, by)?)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Creates the data folder and store; sets this device's promotor.
    Init {
        #[arg(long = "as")]
        promotor_name: Option<String>,
    },
    /// Creates a demo data folder, records a household with a child and a visit, prints it.
    Demo,
    /// Rebuilds the query projection from the documents.
    Rebuild,
    /// Checks the store is whole (SQLite's checks, every document, the projection against
    /// the documents, the sync bookkeeping); changes nothing. Exit status 1 on any finding.
    Check,
    /// Households: add, edit, show, list, search, delete, history.
    #[command(subcommand)]
    Household(cmd::household::HouseholdCmd),
    /// Members of a household: add, edit.
    #[command(subcommand)]
    Member(cmd::household::MemberCmd),
    /// Home visits with their checklists.
    #[command(subcommand)]
    Visit(cmd::household::VisitCmd),
    /// Imports a census kept in a spreadsheet.
    #[command(subcommand)]
    Import(cmd::report::ImportCmd),
    /// Who is due for follow-up, by community, most urgent first.
    Due(cmd::report::DueArgs),
    /// WHO 2006 z-scores and classifications of one measurement, as JSON.
    Growth(cmd::report::GrowthArgs),
    /// Indicator tables for the Local Health Plan: CSV (a folder of files), XLSX or HTML.
    Export(cmd::report::ExportArgs),
    /// Enrolls this device with a hub using a one-time code from the health post.
    Enroll(cmd::sync::EnrollArgs),
    /// Syncs with the hub this device is enrolled with.
    Sync(cmd::sync::SyncArgs),
    /// Sync bundles: files carried where no link reaches (USB stick, SD card).
    #[command(subcommand)]
    Bundle(cmd::sync::BundleCmd),
    /// Facility hub: serve, enroll devices, list and revoke them.
    #[command(subcommand)]
    Hub(cmd::hub::HubCmd),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let cx = Context {
        data: cli.data,
        lang: cli.lang,
        promotor: cli.promotor,
        pin_file: cli.pin_file,
    };
    match run(&cx, cli.command) {
        Ok(output) => {
            if !output.is_null() {
                println!("{}", serde_json::to_string_pretty(&output).expect("JSON output"));
            }
            // `check` found something: the crash loop and support staff read the status.
            if output["ok"] == serde_json::Value::Bool(false) {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(failure) => failure.report(cx.lang),
    }
}

fn run(cx: &Context, command: Command) -> Result<Value, Failure> {
    match command {
        Command::Init { promotor_name } => cmd::setup::init(cx, promotor_name),
        Command::Demo => cmd::setup::demo(cx),
        Command::Rebuild => cmd::setup::rebuild(cx),
        Command::Check => cmd::setup::check(cx),
        Command::Household(c) => cmd::household::household(cx, c),
        Command::Member(c) => cmd::household::member(cx, c),
        Command::Visit(c) => cmd::household::visit(cx, c),
        Command::Import(c) => cmd::report::import(cx, c),
        Command::Due(a) => cmd::report::due(cx, a),
        Command::Growth(a) => cmd::report::growth(cx, a),
        Command::Export(a) => cmd::report::export(cx, a),
        Command::Enroll(a) => cmd::sync::enroll(cx, a),
        Command::Sync(a) => cmd::sync::sync(cx, a),
        Command::Bundle(c) => cmd::sync::bundle(cx, c),
        Command::Hub(c) => cmd::hub::hub(cx, c),
    }
}

/// A result as the JSON the command prints.
fn json(value: impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|e| Failure::Other(e.into()))
}
