//! Whole request and response bodies as they arrive over HTTP: framing, zlib, postcard.
#![no_main]
use ayllu_sync::wire::{self, Kind, Request, Response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = wire::decode::<Request>(Kind::Request, data);
    let _ = wire::decode::<Response>(Kind::Response, data);
});
