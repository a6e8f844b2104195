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

/// Creates `dir` (and its parents) owner-only when it is missing.
fn make_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// The folder a path is written into (`.` for a bare file name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to a new temporary file beside `path`, synced; returns its path. On failure
/// the temporary file is removed.
fn write_temp(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    write_temp_with(path, &mut |f| f.write_all(bytes))
}

/// [`write_temp`] with the contents written by `fill`, through a buffer.
fn write_temp_with(path: &Path, fill: Fill) -> std::io::Result<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = parent(path).join(format!(".{name}.{}.tmp", std::process::id()));
    track(&tmp, true);
    let result = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(FILE_MODE.load(Ordering::Relaxed));
        }
        let mut f = std::io::BufWriter::with_capacity(1 << 16, opts.open(&tmp)?);
        fill(&mut f)?;
        f.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        track(&tmp, false);
        return Err(e);
    }
    Ok(tmp)
}

/// Writes `bytes` to `path` atomically, creating the parent folder if missing. The file is
/// readable by its owner only (0600 on Unix, unless [`set_file_mode`] says otherwise): results
/// map who can reach what. The temporary file lives beside the target, never elsewhere.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_all_atomic(&[(path.to_path_buf(), bytes)])
}

/// What writes a file's contents into the writer it is given.
pub type Fill<'a> = &'a mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>;

/// [`write_atomic`] for contents made while they are written (a report too large to hold as
/// one string): `fill` writes them, buffered, into the temporary file, which replaces `path`
/// only once `fill` and the sync succeeded; on failure no partial file is left and the error
/// names `path`. A device, FIFO or socket is written through, as [`write_all_atomic`] does.
pub fn write_atomic_with(path: &Path, fill: Fill) -> Result<()> {
    let err = |source| Error::Write {
        path: path.display().to_string(),
        source,
    };
    if is_special(path) {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(err)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
        return fill(&mut w).and_then(|()| w.flush()).map_err(err);
    }
    let dir = parent(path);
    let mut created: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .map(Path::to_path_buf)
        .collect();
    let tmp = match make_dir(dir).and_then(|()| write_temp_with(path, fill)) {
        Ok(t) => t,
        Err(e) => {
            created.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
            for d in &created {
                // Only empty folders go: never anything another writer put there.
                let _ = std::fs::remove_dir(d);
            }
            return Err(err(e));
        }
    };
    let renamed = std::fs::rename(&tmp, path);
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    track(&tmp, false);
    renamed.map_err(err)
}

/// Writes several files as one: every file goes to its temporary file first, and only when all
/// are written and synced are they renamed into place, so a full disk or any other failure
/// leaves every earlier file as it was (no file of the set replaced, no temporary file left).
/// The error names the file that could not be written.
pub fn write_all_atomic(files: &[(PathBuf, &[u8])]) -> Result<()> {
    // A device, FIFO or socket the user names (`-o /dev/null`, `-o /dev/stdout`, a pipe) is
    // written through, never replaced: a rename would put a regular file in its place (as root,
    // a new /dev/null for the whole machine).
    let regular: Vec<(PathBuf, &[u8])> = files
        .iter()
        .filter(|(path, _)| !is_special(path))
        .cloned()
        .collect();
    write_regular(&regular)?;
    for (path, bytes) in files.iter().filter(|(path, _)| is_special(path)) {
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.flush()))
            .map_err(|source| Error::Write {
                path: path.display().to_string(),
                source,
            })?;
    }
    Ok(())
}

/// Whether `path` is an existing device, FIFO or socket (not a file, folder or link).
fn is_special(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| {
        let t = m.file_type();
        !t.is_file() && !t.is_dir() && !t.is_symlink()
    })
}

/// [`write_all_atomic`] for paths that are regular files or do not exist yet.
fn write_regular(files: &[(PathBuf, &[u8])]) -> Result<()> {
    let err = |path: &Path| {
        let shown = path.display().to_string();
        move |source| Error::Write {
            path: shown,
            source,
        }
    };
    let mut temps: Vec<PathBuf> = Vec::with_capacity(files.len());
    let mut created: Vec<PathBuf> = Vec::new();
    let discard = |temps: &[PathBuf]| {
        for t in temps {
            let _ = std::fs::remove_file(t);
            track(t, false);
        }
    };
    for (path, bytes) in files {
        let dir = parent(path);
        // The folders this call creates, deepest first, to remove again if it fails.
        created.extend(
            dir.ancestors()
                .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
                .map(Path::to_path_buf),
        );
        let written = make_dir(dir).and_then(|()| write_temp(path, bytes));
        match written {
            Ok(t) => temps.push(t),
            Err(e) => {
                discard(&temps);
                created.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
                for d in &created {
                    // Only empty folders go: never anything another writer put there.
                    let _ = std::fs::remove_dir(d);
                }
                return Err(err(path)(e));
            }
        }
    }
    for (i, ((path, _), tmp)) in files.iter().zip(&temps).enumerate() {
        if let Err(e) = std::fs::rename(tmp, path) {
            discard(&temps[i..]);
            return Err(err(path)(e));
        }
        track(tmp, false);
    }
    Ok(())
}

/// A lock on an output folder, held while a run writes a set of files into it, so two runs
/// into one folder never mix their files: the second waits until the first is done (up to
/// [`LOCK_WAIT`]), then writes its own set whole. Report folders and model folders (`generate`,
/// `import`) take the same lock. The lock is a file created exclusively in the folder, removed
/// when the guard drops (and by the interrupt handler), so it is never left in a written folder;
/// folders the lock had to create go again with it when nothing was written into them.
pub struct FolderLock {
    path: PathBuf,
    /// The folders [`FolderLock::take`] created, deepest first.
    created: Vec<PathBuf>,
}

/// How long a run waits for another run's lock on the same folder before giving up.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// The lock file's name inside a folder.
pub const LOCK_NAME: &str = ".blastradius.lock";

impl FolderLock {
    /// Takes the lock of `dir` (created if missing), waiting for another run to release it.
    pub fn take(dir: &Path) -> Result<FolderLock> {
        let path = dir.join(LOCK_NAME);
        let shown = path.display().to_string();
        let mut created: Vec<PathBuf> = Vec::new();
        let start = std::time::Instant::now();
        loop {
            // Again on every try: a run that gave up may have removed the folder it made.
            created.extend(
                dir.ancestors()
                    .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
                    .map(Path::to_path_buf),
            );
            make_dir(dir).map_err(|source| Error::Write {
                path: dir.display().to_string(),
                source,
            })?;
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => {
                    track(&path, true);
                    created.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
                    created.dedup();
                    return Ok(FolderLock { path, created });
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::NotFound
                    ) =>
                {
                    if start.elapsed() > LOCK_WAIT {
                        return Err(Error::Input(format!(
                            "another run has been writing into `{}` for over {} s (its lock is `{shown}`); \
                             if no other blastradius is running, remove that file",
                            dir.display(),
                            LOCK_WAIT.as_secs()
                        )));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(source) => {
                    return Err(Error::Write {
                        path: shown,
                        source,
                    })
                }
            }
        }
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        track(&self.path, false);
        for d in &self.created {
            // Only empty folders go: a run that failed before writing leaves no folder behind.
            let _ = std::fs::remove_dir(d);
        }
    }
}
