//! `execute` and `query_row` through the connection's statement cache.
//!
//! rusqlite's `Connection::execute` and `query_row` prepare their SQL anew on every call: on
//! a sync's path (several statements per household, thousands of households) preparing was
//! a tenth of the CPU. These run the same statements from the cache instead.

use rusqlite::{Connection, Params, Row};

pub(crate) trait Cached {
    fn execute_cached<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
    fn query_row_cached<T, P: Params, F: FnOnce(&Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T>;
}

impl Cached for Connection {
    fn execute_cached<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    fn query_row_cached<T, P: Params, F: FnOnce(&Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }
}

/// Statements the cache holds: a sync touches about thirty (projection, documents, sync
/// state, savepoints); rusqlite's default of 16 would evict them in turn every household.
pub(crate) const CACHE_CAPACITY: usize = 96;
