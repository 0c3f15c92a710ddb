//! Reading what is at an output path without trusting it: only a regular
//! file is read; a FIFO, socket, device, directory or symbolic link is an
//! error, found without opening it (so a FIFO cannot block the run), and
//! checked again on the opened file.

use std::fs::{self, File, FileType, OpenOptions};
use std::io::{self, Read as _};
use std::path::Path;

use super::WriteError;

/// What kind of file a non-regular file is, for messages.
pub(super) fn kind(file_type: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "FIFO (named pipe)";
        }
        if file_type.is_socket() {
            return "socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "device";
        }
    }
    if file_type.is_dir() {
        "directory"
    } else if file_type.is_symlink() {
        "symbolic link"
    } else if file_type.is_file() {
        "regular file"
    } else {
        "special file"
    }
}

/// Opens an existing regular file for reading, never following a symbolic
/// link and never blocking on a FIFO swapped in after the check.
fn open_regular(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(path)
}

/// The contents of the file at an output path: `None` when nothing is
/// there (or a file stands where a directory of the path should be).
///
/// # Errors
///
/// Anything but a regular file at the path, or a failed read.
pub fn read_output(path: &Path) -> Result<Option<Vec<u8>>, WriteError> {
    read(path, false)
}

/// [`read_output`] at the path of a generated file, where a symbolic link
/// is refused as one that could lead out of the output directory.
pub(super) fn read_generated(path: &Path) -> Result<Option<Vec<u8>>, WriteError> {
    read(path, true)
}

fn read(path: &Path, link_escapes: bool) -> Result<Option<Vec<u8>>, WriteError> {
    let read_error = |source| WriteError::Read { path: path.to_path_buf(), source };
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if matches!(error.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => {
            return Ok(None)
        }
        Err(source) => return Err(read_error(source)),
    };
    if link_escapes && metadata.file_type().is_symlink() {
        return Err(WriteError::Escapes { path: path.to_path_buf() });
    }
    if !metadata.is_file() {
        return Err(WriteError::NotRegular { path: path.to_path_buf(), kind: kind(&metadata.file_type()) });
    }
    let mut file = open_regular(path).map_err(read_error)?;
    let metadata = file.metadata().map_err(read_error)?;
    if !metadata.is_file() {
        return Err(WriteError::NotRegular { path: path.to_path_buf(), kind: kind(&metadata.file_type()) });
    }
    // Sized from the metadata just read, through `Take` so that the read
    // asks the file system for nothing more: one read for the contents and
    // one that finds the end.
    let size = usize::try_from(metadata.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(size.saturating_add(1));
    io::Read::take(&mut file, u64::MAX).read_to_end(&mut bytes).map_err(read_error)?;
    Ok(Some(bytes))
}
