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
    let read_error = |source| WriteError::Read { path: path.to_path_buf(), source };
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if matches!(error.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => {
            return Ok(None)
        }
        Err(source) => return Err(read_error(source)),
    };
    if !metadata.is_file() {
        return Err(WriteError::NotRegular { path: path.to_path_buf(), kind: kind(&metadata.file_type()) });
    }
    let mut file = open_regular(path).map_err(read_error)?;
    let metadata = file.metadata().map_err(read_error)?;
    if !metadata.is_file() {
        return Err(WriteError::NotRegular { path: path.to_path_buf(), kind: kind(&metadata.file_type()) });
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(read_error)?;
    Ok(Some(bytes))
}
