//! The one way an input file is opened: every loader and importer reads through [`open`],
//! [`read_text`] or [`read_bytes`]. Only regular files are read (a directory, a FIFO or a
//! device such as `/dev/zero` is refused by its metadata before it is opened, so a FIFO never
//! blocks and an endless stream is never read), and no file is read past the input cap, which
//! a reader enforces as it reads: nothing ever holds more than the cap of one file.
//!
//! The cap is [`DEFAULT_MAX_INPUT_BYTES`]; the environment variable
//! `BLASTRADIUS_MAX_INPUT_BYTES` (a number of bytes) raises or lowers it.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// The environment variable that sets the input cap, in bytes.
pub const MAX_INPUT_ENV: &str = "BLASTRADIUS_MAX_INPUT_BYTES";

/// The cap on one input file (or one entry of a zip archive), in bytes: 4 GiB, well above the
/// largest model side file of a million people and far below what would exhaust a machine
/// reading an endless stream.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 4 << 30;

/// The longest id, category, label or name an input may hold, in bytes.
pub const MAX_NAME_BYTES: usize = 1024;

/// The longest free text an input may hold, in bytes: a display name or description of a node,
/// the organisation's name, a scenario's or design's name and description, a `[[keep]]`'s
/// `why`. Four times the id cap: room for a long sentence in any script, nothing a report page
/// or a table could show whole.
pub const MAX_TEXT_BYTES: usize = 4096;

/// The error for free text longer than [`MAX_TEXT_BYTES`] (`what` says whose text it is, as in
/// "the name of store `db`"), or `None` when it fits.
pub fn text_too_long(what: &str, text: &str) -> Option<String> {
    (text.len() > MAX_TEXT_BYTES).then(|| {
        format!(
            "{what} is {} bytes long (it starts {:?}); names and descriptions are at most {MAX_TEXT_BYTES} bytes",
            text.len(),
            text.chars().take(40).collect::<String>()
        )
    })
}

/// The input cap in force: `BLASTRADIUS_MAX_INPUT_BYTES` when set to a number, else the default.
pub fn max_input_bytes() -> u64 {
    std::env::var(MAX_INPUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_MAX_INPUT_BYTES)
}

fn too_large(size: u64, cap: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "it is larger than the input cap of {cap} bytes ({size} bytes or more); \
             raise the cap with the environment variable {MAX_INPUT_ENV}=<bytes>"
        ),
    )
}

/// A reader that fails, rather than stops, once more than `cap` bytes came through it.
pub struct Capped<R> {
    inner: R,
    left: u64,
    cap: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Ask for one byte past the cap, so a file of exactly the cap passes and a longer
        // one is caught without reading further.
        let want = buf
            .len()
            .min(usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            return Err(too_large(self.cap + 1, self.cap));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Zip archives seek: the cap then holds for the offset read up to, not the bytes read.
impl<R: Seek> Seek for Capped<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let at = self.inner.seek(pos)?;
        self.left = self.cap.saturating_sub(at);
        Ok(at)
    }
}

/// `reader`, failing once more than the input cap came through it (for entries of archives).
pub fn capped<R: Read>(reader: R) -> Capped<R> {
    let cap = max_input_bytes();
    Capped {
        inner: reader,
        left: cap,
        cap,
    }
}

/// What a path that is not a regular file is, in words.
fn not_regular(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Opens an input file: refuses anything but a regular file (checked before opening, so a
/// FIFO never blocks) and a file over the input cap; the reader fails if the file grows past
/// the cap while it is read.
pub fn open(path: &Path) -> io::Result<Capped<File>> {
    let cap = max_input_bytes();
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "it is {}; only a regular file can be read here",
                not_regular(&meta)
            ),
        ));
    }
    if meta.len() > cap {
        return Err(too_large(meta.len(), cap));
    }
    let file = File::open(path)?;
    // The path may have been swapped between the check and the open: check what was opened.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "it is {}; only a regular file can be read here",
                not_regular(&meta)
            ),
        ));
    }
    Ok(Capped {
        inner: file,
        left: cap,
        cap,
    })
}

/// The bytes of an input file, through [`open`].
pub fn read_bytes(path: &Path) -> io::Result<Vec<u8>> {
    let mut f = open(path)?;
    let size = f.inner.metadata().map_or(0, |m| m.len());
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    f.read_to_end(&mut out)?;
    Ok(out)
}

/// The text of an input file (UTF-8), through [`open`].
pub fn read_text(path: &Path) -> io::Result<String> {
    let mut f = open(path)?;
    let size = f.inner.metadata().map_or(0, |m| m.len());
    let mut out = String::with_capacity(usize::try_from(size).unwrap_or(0));
    f.read_to_string(&mut out)?;
    Ok(out)
}
