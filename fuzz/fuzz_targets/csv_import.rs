//! A census spreadsheet (CSV) as a health post might bring it: any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = ayllu_import::read_csv(text, chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
});
