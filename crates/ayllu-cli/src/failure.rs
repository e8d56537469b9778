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
        let text = |id: &str| ayllu_words::text(lang, id);
        match self {
            Failure::Ops(OpsError::Invalid(e)) => {
                eprintln!("{}: {}", text("cli-invalid_input"), e.message(lang));
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
                let mut listed = Vec::new();
                for r in rows {
                    let words = r.words(lang);
                    eprintln!(
                        "{} {}: {} «{}»: {words}",
                        text("cli-line"),
                        r.line,
                        r.column,
                        r.value
                    );
                    listed.push(json!({"line": r.line, "column": r.column, "value": r.value,
                                       "code": r.code, "message": words}));
                }
                println!("{}", json!({"imported": 0, "rejected": listed}));
                eprintln!("{}", e.words().render(lang));
                ExitCode::from(2)
            }
            Failure::Ops(e) => {
                eprintln!("error: {}", e.words().render(lang));
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
