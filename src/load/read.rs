//! Reading the files of one content folder: the folder is opened once and
//! each file opened relative to it (on Unix), so that the path is not looked
//! up again for each of thousands of files, and read without asking its size.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// A folder whose files are read by name.
pub struct Folder {
    path: PathBuf,
    #[cfg(unix)]
    handle: Option<File>,
}

impl Folder {
    /// Opens `path`; when that fails, files are read by their full path
    /// (and give the same errors as before).
    pub fn open(path: &Path) -> Folder {
        Folder {
            path: path.to_path_buf(),
            #[cfg(unix)]
            handle: File::open(path).ok(),
        }
    }

    /// The bytes of the file `name` in this folder.
    pub fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        #[cfg(unix)]
        if let Some(dir) = &self.handle {
            use std::os::fd::{AsRawFd, FromRawFd};
            let c_name = std::ffi::CString::new(name)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            // SAFETY: both the folder's descriptor and the name outlive the
            // call, and a descriptor it returns is owned by nothing else.
            let fd = unsafe {
                libc::openat(
                    dir.as_raw_fd(),
                    c_name.as_ptr(),
                    libc::O_RDONLY | libc::O_CLOEXEC,
                )
            };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `fd` was just opened and is owned by this file alone.
            let file = unsafe { File::from_raw_fd(fd) };
            return read_all(file);
        }
        std::fs::read(self.path.join(name))
    }
}

/// Reads to the end: through a buffer on the stack that fits a typical
/// content file, so the bytes come back in a vector of their exact size.
fn read_all(mut file: File) -> io::Result<Vec<u8>> {
    let mut chunk = [0u8; 16 * 1024];
    let mut out = Vec::new();
    loop {
        match file.read(&mut chunk) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_small_large_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(dir.path().join("small.md"), b"---\ntitle: A\n---\n").unwrap();
        std::fs::write(dir.path().join("big.md"), &big).unwrap();
        std::fs::write(dir.path().join("empty.md"), b"").unwrap();
        for folder in [
            Folder::open(dir.path()),
            Folder::open(&dir.path().join("gone")),
        ] {
            let exists = folder.path.exists();
            if exists {
                assert_eq!(folder.read("small.md").unwrap(), b"---\ntitle: A\n---\n");
                assert_eq!(folder.read("big.md").unwrap(), big);
                assert_eq!(folder.read("empty.md").unwrap(), b"");
            }
            let e = folder.read("missing.md").unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::NotFound);
        }
        std::fs::create_dir(dir.path().join("sub.md")).unwrap();
        let e = Folder::open(dir.path()).read("sub.md").unwrap_err();
        let expected = std::fs::read(dir.path().join("sub.md")).unwrap_err();
        assert_eq!(e.to_string(), expected.to_string());
    }
}
