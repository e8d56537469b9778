//! A data folder: where a device or a hub keeps its store.

use std::path::{Path, PathBuf};

use ayllu_store::Store;

use crate::OpsError;

/// The store's file inside a data folder (the app's and the command's alike).
pub const STORE_FILE: &str = "ayllu.sqlite3";

pub fn store_path(data: &Path) -> PathBuf {
    data.join(STORE_FILE)
}

/// Opens the store of an existing data folder; only the operations that set a folder up
/// create one, so a mistyped `--data` never starts an empty census by accident.
pub fn open(data: &Path) -> Result<Store, OpsError> {
    let path = store_path(data);
    if !path.exists() {
        return Err(OpsError::NoStore(data.to_path_buf()));
    }
    Ok(Store::open(&path)?)
}

/// Opens the store of a data folder, creating both if needed (first start, a new hub).
pub fn open_or_create(data: &Path) -> Result<Store, OpsError> {
    std::fs::create_dir_all(data).map_err(OpsError::io(data))?;
    Ok(Store::open(&store_path(data))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_folder_is_not_created_by_open() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("typo");
        assert!(matches!(open(&data), Err(OpsError::NoStore(_))));
        assert!(!data.exists());
        open_or_create(&data).unwrap();
        assert!(store_path(&data).exists());
        open(&data).unwrap();
    }
}
