//! Writing output files atomically: a temporary file beside the target, then a rename, so a
//! reader never sees half a file and a failed run leaves the old file in place.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Permission bits of the files written (Unix): owner-only unless the user says otherwise.
static FILE_MODE: AtomicU32 = AtomicU32::new(0o600);

/// Temporary files being written, so an interrupted run can remove them.
static IN_PROGRESS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Sets the permission bits of files written from now on (default 0600).
pub fn set_file_mode(mode: u32) {
    FILE_MODE.store(mode & 0o777, Ordering::Relaxed);
}

/// Removes every temporary file still being written (for an interrupt handler).
pub fn remove_in_progress() {
    if let Ok(list) = IN_PROGRESS.lock() {
        for p in list.iter() {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn track(tmp: &Path, add: bool) {
    if let Ok(mut list) = IN_PROGRESS.lock() {
        if add {
            list.push(tmp.to_path_buf());
        } else {
            list.retain(|p| p != tmp);
        }
    }
}

/// Writes `bytes` to `path` atomically, creating the parent folder if missing. The file is
/// readable by its owner only (0600 on Unix, unless [`set_file_mode`] says otherwise): results
/// map who can reach what. The temporary file lives beside the target, never elsewhere.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let shown = path.display().to_string();
    let err = |source| Error::Write {
        path: shown.clone(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.exists() {
        // Folders the tool creates are owner-only too.
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir).map_err(err)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    track(&tmp, true);
    let result = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(FILE_MODE.load(Ordering::Relaxed));
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    track(&tmp, false);
    result.map_err(err)
}
