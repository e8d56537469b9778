//! `ayllu`: command-line face of the Ayllu census store. Every command is a thin call into
//! `ayllu-model` and `ayllu-store`, the same calls the app makes.
//!
//! Output is JSON on stdout. Refused input exits with status 2 and prints the field and
//! the reason on stderr (a sentence, then the same as JSON); nothing is written then.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use ayllu_model::{
    Dissolution, FieldError, HouseholdId, Lang, Member, MemberId, NewHousehold, PersonName, Problem,
    ShortText, Visit, VisitId, patch,
};
use ayllu_store::{ListFilter, Signature, Store, StoreError};
use clap::{Parser, Subcommand};
use serde_json::{Value, json};

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
    /// Language of messages: es (default) or en.
    #[arg(long, global = true, env = "AYLLU_LANG", default_value = "es")]
    lang: Lang,
    /// Who is making the change (defaults to the promotor set with `init`).
    #[arg(long, global = true)]
    promotor: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates the data folder and store; sets this device's promotor.
    Init {
        #[arg(long = "as")]
        promotor_name: Option<String>,
    },
    /// Households: add, edit, show, list, search, delete, history.
    #[command(subcommand)]
    Household(HouseholdCmd),
    /// Members of a household: add, edit.
    #[command(subcommand)]
    Member(MemberCmd),
    /// Home visits with their checklists.
    #[command(subcommand)]
    Visit(VisitCmd),
    /// Rebuilds the query projection from the documents.
    Rebuild,
    /// Facility hub: serve, enroll devices, list and revoke them.
    #[command(subcommand)]
    Hub(HubCmd),
    /// Enrolls this device with a hub using a one-time code from the health post.
    Enroll {
        #[arg(long)]
        hub: String,
        #[arg(long)]
        code: String,
        /// A name for this phone as staff will see it.
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Sync bundles: files carried where no link reaches (USB stick, SD card).
    #[command(subcommand)]
    Bundle(BundleCmd),
    /// Syncs with the hub this device is enrolled with.
    Sync {
        /// Hub address, if it changed since enrollment.
        #[arg(long)]
        hub: Option<String>,
    },
    /// Creates a demo data folder, records a household with a child and a visit, prints it.
    Demo,
    /// WHO 2006 z-scores and classifications of one measurement, as JSON.
    Growth {
        /// M or F.
        #[arg(long)]
        sex: String,
        /// Completed days since birth (0–1826).
        #[arg(long)]
        age_days: i64,
        /// Weight in kg.
        #[arg(long)]
        weight: Option<f64>,
        /// Length or height in cm.
        #[arg(long)]
        height: Option<f64>,
        /// How the child was measured: lying or standing (unknown when left out).
        #[arg(long)]
        measured: Option<String>,
    },
    /// Imports a census kept in a spreadsheet.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Indicator tables for the Local Health Plan: CSV (a folder of files), XLSX or HTML.
    Export {
        /// The year the report covers.
        #[arg(long)]
        year: i32,
        /// Only this community.
        #[arg(long)]
        community: Option<String>,
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Where to write: a folder for csv, a file for xlsx and html.
        #[arg(long)]
        out: PathBuf,
    },
    /// Who is due for follow-up, by community, most urgent first.
    Due {
        /// Only this community.
        #[arg(long)]
        community: Option<String>,
        /// Also what falls due in the next N days.
        #[arg(long, default_value_t = 0)]
        within: u64,
        /// The day to list for (default: today).
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand)]
enum ImportCmd {
    /// A CSV with one row per member (columns: see docs/data-dictionary.md). Every row is
    /// checked; with any rejected row nothing is imported and each one is listed.
    Csv { file: PathBuf },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Csv,
    Xlsx,
    Html,
}

#[derive(Subcommand)]
enum HouseholdCmd {
    /// Registers a household from JSON (file, or stdin with `-`).
    Add {
        #[arg(long, default_value = "-")]
        file: String,
    },
    /// Changes household fields with a JSON merge patch (only the fields given change).
    Edit {
        id: HouseholdId,
        #[arg(long, default_value = "-")]
        file: String,
    },
    Show {
        id: HouseholdId,
    },
    List {
        #[arg(long)]
        community: Option<String>,
        #[arg(long)]
        sector: Option<String>,
        /// Include dissolved households.
        #[arg(long)]
        all: bool,
    },
    /// Finds households by member name, DNI or place (accents ignored).
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Marks a household dissolved (a tombstone: it stays in history, leaves lists).
    Delete {
        id: HouseholdId,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        merged_into: Option<HouseholdId>,
    },
    /// Who changed the household, when.
    History {
        id: HouseholdId,
    },
    /// Settles a field changed at once on two devices (see `conflicts` in `show`).
    Resolve {
        id: HouseholdId,
        /// The field, as listed in `conflicts` (e.g. info.address).
        #[arg(long)]
        field: String,
        /// Index of the value to keep, in the order `show` lists them.
        #[arg(long)]
        choose: usize,
    },
}

#[derive(Subcommand)]
enum BundleCmd {
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

#[derive(Subcommand)]
enum HubCmd {
    /// Serves the hub over HTTP (the data folder is created if needed).
    Serve {
        #[arg(long, default_value = "0.0.0.0:7878")]
        listen: String,
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
    },
    /// Lists enrolled devices.
    Devices,
    /// Revokes a device's token.
    Revoke { device_id: String },
}

#[derive(Subcommand)]
enum MemberCmd {
    /// Adds a member from JSON.
    Add {
        household: HouseholdId,
        #[arg(long, default_value = "-")]
        file: String,
    },
    /// Changes a member with a JSON merge patch.
    Edit {
        household: HouseholdId,
        member: MemberId,
        #[arg(long, default_value = "-")]
        file: String,
    },
}

#[derive(Subcommand)]
enum VisitCmd {
    /// Records a visit from JSON: date, notes, child_checks and antenatal_checks by member id.
    Record {
        household: HouseholdId,
        #[arg(long, default_value = "-")]
        file: String,
    },
    /// Confirms that a referral made at a visit was attended at the health post.
    Attended {
        household: HouseholdId,
        #[arg(long)]
        visit: VisitId,
        #[arg(long)]
        member: MemberId,
        /// The day they went (default: today).
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
}

/// A refusal to report as field + reason, or any other failure.
enum Failure {
    Invalid(FieldError),
    /// Input refused whose reasons were already printed (e.g. rows of an import).
    Refused(String),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}
impl From<FieldError> for Failure {
    fn from(e: FieldError) -> Self {
        Failure::Invalid(e)
    }
}
impl From<ayllu_report::ReportError> for Failure {
    fn from(e: ayllu_report::ReportError) -> Self {
        Failure::Other(e.into())
    }
}
impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(f) => Failure::Invalid(f),
            StoreError::NotFound(id) => {
                Failure::Invalid(FieldError::new("household", Problem::NotFound).with_detail(id.to_string()))
            }
            other => Failure::Other(other.into()),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = cli.lang;
    match run(cli) {
        Ok(output) => {
            if !output.is_null() {
                println!("{}", serde_json::to_string_pretty(&output).expect("JSON output"));
            }
            ExitCode::SUCCESS
        }
        Err(Failure::Invalid(e)) => {
            let label = if lang == Lang::Es {
                "dato no válido"
            } else {
                "invalid input"
            };
            eprintln!("{label}: {}", e.message(lang));
            eprintln!(
                "{}",
                json!({"error": {"field": e.field, "code": e.problem.code(), "message": e.problem.message(lang), "detail": e.detail}})
            );
            ExitCode::from(2)
        }
        Err(Failure::Refused(message)) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
        Err(Failure::Other(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

fn store_path(data: &Path) -> PathBuf {
    data.join("ayllu.sqlite3")
}

/// Opens an existing store; commands other than `init` never create one by accident.
fn open(data: &Path) -> Result<Store, Failure> {
    let path = store_path(data);
    if !path.exists() {
        return Err(anyhow!(
            "no Ayllu store in {} (run `ayllu --data {} init`)",
            data.display(),
            data.display()
        )
        .into());
    }
    Ok(Store::open(&path)?)
}

fn read_json(file: &str) -> Result<Value, Failure> {
    let mut text = String::new();
    if file == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading stdin")?;
    } else {
        text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    }
    Ok(FieldError::parse_json_str::<Value>(&text)?)
}

fn signature(store: &Store, promotor: &Option<String>) -> Result<Signature, Failure> {
    let name = match promotor {
        Some(p) => p.clone(),
        None => store
            .setting("promotor")?
            .ok_or_else(|| anyhow!("no promotor set: use --promotor NAME or `ayllu init --as NAME`"))?,
    };
    let promotor = PersonName::parse(&name).map_err(|p| FieldError::new("promotor", p))?;
    Ok(Signature::now(promotor))
}

fn show(store: &Store, id: HouseholdId) -> Result<Value, Failure> {
    let household = store.household(id)?.ok_or(StoreError::NotFound(id))?;
    let mut value = serde_json::to_value(&household).expect("household serialises");
    value["id"] = json!(id);
    // Fields changed at once on two devices: every value is kept until someone chooses.
    value["conflicts"] = serde_json::to_value(store.conflicts(id)?).expect("conflicts serialise");
    Ok(value)
}

fn run(cli: Cli) -> Result<Value, Failure> {
    let data = cli.data.as_path();
    match cli.command {
        Command::Init { promotor_name } => {
            // Validate before creating anything.
            let name = promotor_name
                .map(|n| PersonName::parse(&n).map_err(|p| FieldError::new("promotor", p)))
                .transpose()?;
            std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
            let store = Store::open(&store_path(data))?;
            if let Some(name) = &name {
                store.set_setting("promotor", name.as_str())?;
            }
            Ok(json!({"data": data, "device_id": store.device_id(), "promotor": store.setting("promotor")?}))
        }
        Command::Household(cmd) => household(data, &cli.promotor, cmd),
        Command::Member(cmd) => member(data, &cli.promotor, cmd),
        Command::Visit(VisitCmd::Record { household, file }) => {
            let input = read_json(&file)?;
            let mut store = open(data)?;
            let who = signature(&store, &cli.promotor)?;
            let mut input = input;
            // The promotor recording the visit, unless the JSON names another.
            if let Value::Object(map) = &mut input {
                map.entry("promotor").or_insert_with(|| json!(who.promotor));
            }
            let visit: Visit = FieldError::parse_json(input)?;
            let id = VisitId::new();
            store.update(household, &who, "visit.record", |h| {
                h.record_visit(id, visit, today())
            })?;
            Ok(json!({"household": household, "visit": id}))
        }
        Command::Visit(VisitCmd::Attended {
            household,
            visit,
            member,
            on,
        }) => {
            let mut store = open(data)?;
            let who = signature(&store, &cli.promotor)?;
            let on = on.unwrap_or_else(today);
            store.update(household, &who, "visit.referral_attended", |h| {
                h.confirm_referral(visit, member, on, today())
            })?;
            Ok(json!({"household": household, "visit": visit, "member": member, "attended_on": on}))
        }
        Command::Growth {
            sex,
            age_days,
            weight,
            height,
            measured,
        } => {
            let m =
                ayllu_model::growth::Measurement::parse(&sex, age_days, weight, height, measured.as_deref())?;
            let a = ayllu_model::growth::assess(&m);
            let mut out = serde_json::to_value(&a).context("z-scores as JSON")?;
            let words: Vec<&str> = a
                .classifications
                .iter()
                .map(|c| c.words(cli.lang))
                .chain(a.flags.iter().map(|f| f.words(cli.lang)))
                .collect();
            out["messages"] = json!(words);
            Ok(out)
        }
        Command::Import(ImportCmd::Csv { file }) => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                FieldError::new("file", Problem::InvalidFormat).with_detail("the file is not UTF-8 text")
            })?;
            let mut store = open(data)?;
            let who = signature(&store, &cli.promotor)?;
            match ayllu_import::read_csv(&text, today()) {
                Ok(households) => {
                    let ids: Vec<HouseholdId> = households.iter().map(|_| HouseholdId::new()).collect();
                    let batch: Vec<(HouseholdId, &ayllu_model::Household)> = ids
                        .iter()
                        .zip(&households)
                        .map(|(id, h)| (*id, &h.household))
                        .collect();
                    store.insert_households(&batch, &who, "import.csv")?;
                    let members: usize = households.iter().map(|h| h.household.members.len()).sum();
                    Ok(json!({
                        "imported": households.len(),
                        "members": members,
                        "households": ids.iter().zip(&households)
                            .map(|(id, h)| json!({"id": id, "reference": h.reference, "lines": h.lines}))
                            .collect::<Vec<_>>(),
                    }))
                }
                Err(rejected) => {
                    for r in &rejected {
                        let words = if cli.lang == Lang::Es { &r.es } else { &r.en };
                        let line = if cli.lang == Lang::Es { "línea" } else { "line" };
                        eprintln!("{line} {}: {} «{}»: {words}", r.line, r.column, r.value);
                    }
                    println!("{}", json!({"imported": 0, "rejected": rejected}));
                    Err(Failure::Refused(format!(
                        "{} {}",
                        rejected.len(),
                        if cli.lang == Lang::Es {
                            "filas rechazadas: no se importó nada"
                        } else {
                            "rows rejected: nothing was imported"
                        }
                    )))
                }
            }
        }
        Command::Export {
            year,
            community,
            format,
            out,
        } => {
            let store = open(data)?;
            let period = ayllu_report::Period::year(year, today()).map_err(|_| {
                FieldError::new("year", Problem::YearOutOfRange).with_detail(year.to_string())
            })?;
            let scope = ayllu_report::Scope { period, community };
            let census = store.census().context("reading the census")?;
            let report = ayllu_report::compute(&census, &scope);
            let files = match format {
                ExportFormat::Csv => ayllu_report::write_csv(&report, &out)?,
                ExportFormat::Xlsx => {
                    ayllu_report::write_xlsx(&report, &out)?;
                    vec![out.clone()]
                }
                ExportFormat::Html => {
                    ayllu_report::write_html(&report, &out)?;
                    vec![out.clone()]
                }
            };
            Ok(json!({"year": year, "as_of": period.as_of, "tables": report.tables.len(), "files": files}))
        }
        Command::Due {
            community,
            within,
            on,
        } => {
            let store = open(data)?;
            let filter = ayllu_store::DueFilter {
                community,
                within_days: within,
            };
            let groups = store.due(on.unwrap_or_else(today), &filter)?;
            Ok(serde_json::to_value(&groups).context("due list as JSON")?)
        }
        Command::Rebuild => {
            let mut store = open(data)?;
            store.rebuild_projection()?;
            Ok(json!({"rebuilt": store.household_ids()?.len()}))
        }
        Command::Demo => demo(data),
        Command::Hub(cmd) => hub(data, cmd),
        Command::Bundle(BundleCmd::Write { file, for_device }) => {
            let mut store = open(data)?;
            let (from, peer, scope) = match for_device {
                Some(device_id) => {
                    let device = ayllu_hub::admin::device(&store, &device_id)
                        .map_err(anyhow::Error::from)?
                        .ok_or_else(|| anyhow!("no enrolled device {device_id}"))?;
                    let hub_id = ayllu_hub::admin::hub_id(&store).map_err(anyhow::Error::from)?;
                    (hub_id, Some(device.peer()), device.scope())
                }
                None => {
                    let peer = store
                        .setting(ayllu_sync::http::HUB_ID)?
                        .map(|h| format!("hub:{h}"));
                    (store.device_id().to_string(), peer, ayllu_sync::Scope::All)
                }
            };
            let (bytes, households) = ayllu_sync::bundle::write(&mut store, &from, peer.as_deref(), &scope)
                .map_err(anyhow::Error::from)?;
            // Write beside, then rename: a stick pulled out mid-write leaves no half file.
            let tmp = file.with_extension("partial");
            std::fs::write(&tmp, &bytes).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, &file).with_context(|| format!("writing {}", file.display()))?;
            Ok(json!({"file": file, "households": households, "bytes": bytes.len()}))
        }
        Command::Bundle(BundleCmd::Read { file, preview }) => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let mut store = open(data)?;
            let unreadable = |e: &dyn std::fmt::Display| {
                anyhow!(
                    "el paquete {} no se puede leer, no se cambió nada: {e}",
                    file.display()
                )
            };
            let key = ayllu_sync::bundle::signer(&bytes).map_err(|e| unreadable(&e))?;
            let author = ayllu_hub::bundle_author(&store, &key)
                .map_err(anyhow::Error::from)?
                .ok_or_else(|| {
                    unreadable(&"lo firmó un dispositivo que no está registrado aquí o fue dado de baja")
                })?;
            let report = ayllu_sync::bundle::read(&mut store, &bytes, &author, !preview)
                .map_err(|e| unreadable(&e))?;
            Ok(serde_json::to_value(report).expect("json"))
        }
        Command::Enroll { hub, code, name } => {
            let store = open(data)?;
            let client = ayllu_sync::http::HubClient::new(&hub, None);
            let enrolled = client.enroll(&code, &store, &name).map_err(client_failure)?;
            enrolled.save(&store, &hub)?;
            Ok(json!({"hub": hub, "hub_id": enrolled.hub_id, "device": enrolled.device}))
        }
        Command::Sync { hub } => {
            let mut store = open(data)?;
            let url = match hub {
                Some(u) => u,
                None => store.setting(ayllu_sync::http::HUB_URL)?.ok_or_else(|| {
                    anyhow!("this device is not enrolled: run `ayllu enroll --hub URL --code CODE`")
                })?,
            };
            let token = store.setting(ayllu_sync::http::TOKEN)?;
            let hub_id = store
                .setting(ayllu_sync::http::HUB_ID)?
                .unwrap_or_else(|| url.clone());
            let client = ayllu_sync::http::HubClient::new(&url, token);
            let started = std::time::Instant::now();
            let progress = client
                .sync(&mut store, &format!("hub:{hub_id}"), |p| {
                    eprintln!(
                        "… {} intercambios, {} hogares enviados, {} recibidos",
                        p.exchanges, p.sent, p.received
                    )
                })
                .map_err(client_failure)?;
            store.set_setting("sync.last_success", &chrono::Utc::now().to_rfc3339())?;
            // Households the hub refused (or we refused from it) stay here, with why.
            let refused = store.sync_refusals(&format!("hub:{hub_id}"))?;
            Ok(
                json!({"hub": url, "exchanges": progress.exchanges, "sent": progress.sent,
                      "received": progress.received, "seconds": started.elapsed().as_secs_f64(),
                      "refused": refused}),
            )
        }
    }
}

fn client_failure(e: ayllu_sync::http::ClientError) -> Failure {
    use ayllu_sync::http::ClientError;
    match e {
        ClientError::Unreachable { url, reason } => Failure::Other(anyhow!(
            "no se puede conectar con el hub en {url} (¿hay señal? ¿está encendido?): {reason}"
        )),
        other => Failure::Other(other.into()),
    }
}

fn hub(data: &Path, cmd: HubCmd) -> Result<Value, Failure> {
    match cmd {
        HubCmd::Serve { listen } => {
            std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
            let store = Store::open(&store_path(data))?;
            let hub = std::sync::Arc::new(ayllu_hub::Hub::new(store).map_err(anyhow::Error::from)?);
            let runtime = tokio::runtime::Runtime::new().context("starting the runtime")?;
            runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind(&listen)
                    .await
                    .with_context(|| format!("listening on {listen}"))?;
                let addr = listener.local_addr().context("local address")?;
                // Scripts and tests read this line to find the port.
                println!("listening on http://{addr}");
                use std::io::Write as _;
                std::io::stdout().flush().ok();
                eprintln!("Ayllu hub {} — data in {}", hub.id(), data.display());
                ayllu_hub::run(listener, hub, async {
                    tokio::signal::ctrl_c().await.ok();
                })
                .await
                .context("serving")?;
                Ok::<_, anyhow::Error>(())
            })?;
            Ok(Value::Null)
        }
        HubCmd::Enroll {
            promotor,
            community,
            all_communities,
            days,
        } => {
            use ayllu_hub::admin::{AdminError, Communities};
            let promotor = PersonName::parse(&promotor).map_err(|p| FieldError::new("promotor", p))?;
            let communities = community
                .iter()
                .map(|c| ShortText::parse(c).map_err(|p| FieldError::new("community", p)))
                .collect::<Result<Vec<_>, _>>()?;
            let grant = if all_communities {
                Communities::All
            } else {
                Communities::Only(communities.clone())
            };
            if !ayllu_hub::admin::CODE_VALID_DAYS.contains(&days) {
                return Err(FieldError::new("days", ayllu_model::Problem::CodeDaysOutOfRange).into());
            }
            let store = open_or_create(data)?;
            let code = ayllu_hub::admin::enroll(&store, &promotor, &grant, chrono::Duration::days(days))
                .map_err(|e| match e {
                    AdminError::NoCommunity => {
                        Failure::from(FieldError::new("community", ayllu_model::Problem::Required))
                    }
                    other => Failure::Other(other.into()),
                })?;
            Ok(
                json!({"code": code, "promotor": promotor, "communities": communities,
                      "all_communities": all_communities, "valid_days": days}),
            )
        }
        HubCmd::Devices => {
            let store = open(data)?;
            Ok(
                serde_json::to_value(ayllu_hub::admin::devices(&store).map_err(anyhow::Error::from)?)
                    .expect("json"),
            )
        }
        HubCmd::Revoke { device_id } => {
            let store = open(data)?;
            let device = ayllu_hub::admin::revoke(&store, &device_id).map_err(anyhow::Error::from)?;
            Ok(serde_json::to_value(device).expect("json"))
        }
    }
}

fn open_or_create(data: &Path) -> Result<Store, Failure> {
    std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
    Ok(Store::open(&store_path(data))?)
}

fn household(data: &Path, promotor: &Option<String>, cmd: HouseholdCmd) -> Result<Value, Failure> {
    match cmd {
        HouseholdCmd::Add { file } => {
            let new = NewHousehold::from_json(read_json(&file)?)?;
            let mut store = open(data)?;
            let who = signature(&store, promotor)?;
            let (id, members) = store.create_household(new, today(), &who)?;
            Ok(json!({"household": id, "members": members}))
        }
        HouseholdCmd::Edit { id, file } => {
            let patch = read_json(&file)?;
            let mut store = open(data)?;
            let who = signature(&store, promotor)?;
            store.update(id, &who, "household.edit", |h| {
                let info = patch::apply(&h.info, &patch)?;
                h.set_info(info)
            })?;
            show(&store, id)
        }
        HouseholdCmd::Show { id } => show(&open(data)?, id),
        HouseholdCmd::List {
            community,
            sector,
            all,
        } => {
            let store = open(data)?;
            let list = store.list(&ListFilter {
                community,
                sector,
                include_dissolved: all,
            })?;
            Ok(serde_json::to_value(list).expect("list serialises"))
        }
        HouseholdCmd::Search { query, limit } => {
            let store = open(data)?;
            Ok(serde_json::to_value(store.search(&query, limit)?).expect("hits serialise"))
        }
        HouseholdCmd::Delete {
            id,
            reason,
            merged_into,
        } => {
            let reason = ShortText::parse(&reason).map_err(|p| FieldError::new("reason", p))?;
            let mut store = open(data)?;
            let who = signature(&store, promotor)?;
            store.update(id, &who, "household.dissolve", |h| {
                h.dissolve(Dissolution {
                    on: today(),
                    reason,
                    merged_into,
                })
            })?;
            show(&store, id)
        }
        HouseholdCmd::Resolve { id, field, choose } => {
            let mut store = open(data)?;
            let who = signature(&store, promotor)?;
            store.resolve_conflict(id, &who, &field, choose)?;
            show(&store, id)
        }
        HouseholdCmd::History { id } => {
            let store = open(data)?;
            Ok(serde_json::to_value(store.history(id)?).expect("history serialises"))
        }
    }
}

fn member(data: &Path, promotor: &Option<String>, cmd: MemberCmd) -> Result<Value, Failure> {
    match cmd {
        MemberCmd::Add { household, file } => {
            let member: Member = FieldError::parse_json(read_json(&file)?)?;
            let mut store = open(data)?;
            let who = signature(&store, promotor)?;
            let id = MemberId::new();
            store.update(household, &who, "member.add", |h| {
                h.add_member(id, member, today())
            })?;
            Ok(json!({"household": household, "member": id}))
        }
        MemberCmd::Edit {
            household,
            member,
            file,
        } => {
            let patch = read_json(&file)?;
            let mut store = open(data)?;
            let who = signature(&store, promotor)?;
            store.update(household, &who, "member.edit", |h| {
                let current = h
                    .members
                    .get(&member)
                    .ok_or_else(|| FieldError::new("member", Problem::NotFound))?;
                let changed = patch::apply(current, &patch)?;
                h.edit_member(member, changed, today())
            })?;
            show(&store, household)
        }
    }
}

/// The README's first command: a household with an 18-month-old and a visit, end to end.
fn demo(data: &Path) -> Result<Value, Failure> {
    std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
    let mut store = Store::open(&store_path(data))?;
    store.set_setting("promotor", "Juana Condori")?;
    let who = signature(&store, &None)?;
    let t = today();
    let months_ago = |m: u32| {
        t.checked_sub_months(chrono::Months::new(m))
            .expect("date in range")
    };
    let new = NewHousehold::from_json(json!({
        "community": "Ccorca", "sector": "Alto Ccorca", "address": "Frente a la capilla",
        "housing": {"water": "public_tap", "sanitation": "latrine", "floor": "earth", "walls": "adobe",
                    "cooking_fuel": "wood", "electricity": true, "rooms": 2},
        "consent": true,
        "members": [
            {"given_names": "Rosa", "surnames": "Huamán Quispe", "sex": "F", "birth": {"date": months_ago(12 * 31)},
             "relationship": "head", "dni": "45871236", "insurance": "sis", "education": "primary_complete"},
            {"given_names": "Ch'aska", "surnames": "Mamani Huamán", "sex": "F", "birth": {"date": months_ago(18)},
             "relationship": "child", "insurance": "sis"}
        ]
    }))?;
    let (id, members) = store.create_household(new, t, &who)?;
    let visit: Visit = FieldError::parse_json(json!({
        "date": t, "promotor": "Juana Condori", "notes": "Primera visita",
        "child_checks": {members[1].to_string(): {
            "vaccination_card_seen": true, "vaccines_up_to_date": true, "growth_check_up_to_date": true,
            "weight_kg": 10.2, "length": {"cm": 79.5, "position": "lying"},
            "diarrhoea": {"ors": true, "zinc": true}, "breastfeeding": true, "iron": true
        }}
    }))?;
    store.update(id, &who, "visit.record", |h| {
        h.record_visit(VisitId::new(), visit, t)
    })?;
    show(&store, id)
}
