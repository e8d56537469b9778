//! How the command reports a failure: refused input as field + reason (a sentence, then
//! the same as JSON) with status 2; anything else with status 1.

use std::process::ExitCode;

use ayllu_model::{FieldError, Lang};
use ayllu_ops::OpsError;
use serde_json::json;

pub enum Failure {
    Ops(OpsError),
    Other(anyhow::Error),
}

impl From<OpsError> for Failure {
    fn from(e: OpsError) -> Self {
        Failure::Ops(e)
    }
}
impl From<FieldError> for Failure {
    fn from(e: FieldError) -> Self {
        Failure::Ops(OpsError::Invalid(e))
    }
}
impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

impl Failure {
    pub fn report(self, lang: Lang) -> ExitCode {
        let es = lang == Lang::Es;
        match self {
            Failure::Ops(OpsError::Invalid(e)) => {
                let label = if es { "dato no válido" } else { "invalid input" };
                eprintln!("{label}: {}", e.message(lang));
                eprintln!(
                    "{}",
                    json!({"error": {"field": e.field, "code": e.problem.code(), "message": e.problem.message(lang), "detail": e.detail}})
                );
                ExitCode::from(2)
            }
            Failure::Ops(e @ OpsError::RowsRejected(_)) => {
                let OpsError::RowsRejected(rows) = &e else {
                    unreachable!()
                };
                for r in rows {
                    let (line, words) = if es { ("línea", &r.es) } else { ("line", &r.en) };
                    eprintln!("{line} {}: {} «{}»: {words}", r.line, r.column, r.value);
                }
                println!("{}", json!({"imported": 0, "rejected": rows}));
                let (words_es, words_en) = e.words();
                eprintln!("{}", if es { words_es } else { words_en });
                ExitCode::from(2)
            }
            Failure::Ops(e) => {
                let (words_es, words_en) = e.words();
                eprintln!("error: {}", if es { words_es } else { words_en });
                // The technical cause too, for whoever supports the health post.
                if !matches!(e, OpsError::NoStore(_)) {
                    eprintln!("  ({e})");
                }
                ExitCode::from(1)
            }
            Failure::Other(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(1)
            }
        }
    }
}
