//! Who may read the output folder, kept across runs (docs/columns.md, "The output folder"):
//! the folder's mode (with its setgid and sticky bits), owner, group and POSIX ACLs are read
//! before a run and given to the staging folder that replaces it, and every file a run
//! writes is made no wider than the folder allows. Without this, a `chmod 700` or a
//! `2770 root:radiology` folder became `755` and the runner's after each run: patient data
//! readable by every local user, the department's group locked out.

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use rustix::fs::{Gid, Uid};

/// The extended attributes that hold a folder's POSIX ACLs (acl(5)): the folder's own, and
/// the default that files created in it inherit.
const ACCESS_ACL: &str = "system.posix_acl_access";
const DEFAULT_ACL: &str = "system.posix_acl_default";

/// Largest ACL read (an ACL entry is 8 bytes: 512 entries, far more than any real folder).
const ACL_MAX: usize = 4096;

/// A folder's permissions, as read before the run.
#[derive(Debug, Clone)]
pub struct Access {
    /// Permission bits with setuid, setgid and sticky (`st_mode & 0o7777`).
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// The folder's access ACL, when it has one beyond its mode bits.
    access_acl: Option<Vec<u8>>,
    /// The default ACL files created in it inherit, when set.
    default_acl: Option<Vec<u8>>,
}

impl Access {
    /// The permissions of `folder`.
    pub fn of(folder: &Path) -> io::Result<Access> {
        let meta = fs::metadata(folder)?;
        Ok(Access {
            mode: meta.permissions().mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
            access_acl: read_xattr(folder, ACCESS_ACL),
            default_acl: read_xattr(folder, DEFAULT_ACL),
        })
    }

    /// Gives a freshly made staging folder what it needs while the run writes into it: the
    /// folder's owner and group (so that files created in it get the group, when the folder
    /// is setgid), and its default ACL. Its mode stays 0700 until the commit: nobody else
    /// sees a half-written run. Fails with `PermissionDenied` when the owner or group
    /// cannot be given (a folder of another user, a group this user is not in).
    pub fn prepare(&self, staging: &Path) -> io::Result<()> {
        fs::set_permissions(staging, fs::Permissions::from_mode(0o700))?;
        let here = fs::metadata(staging)?;
        if (here.uid(), here.gid()) != (self.uid, self.gid) {
            rustix::fs::chown(
                staging,
                Some(Uid::from_raw(self.uid)),
                Some(Gid::from_raw(self.gid)),
            )
            .map_err(io::Error::from)?;
        }
        // setgid first (chown clears it), so that what is created inside gets the group.
        fs::set_permissions(
            staging,
            fs::Permissions::from_mode(0o700 | (self.mode & 0o2000)),
        )?;
        if let Some(acl) = &self.default_acl {
            write_xattr(staging, DEFAULT_ACL, acl)?;
        }
        Ok(())
    }

    /// Makes every file in `staging` no wider than the folder allows: each class (owner,
    /// group, others) keeps read and write only where the folder grants them (a 0700 folder
    /// gives 0600 files, a 2770 folder 0660 at most). With a default ACL, the ACL decides, as
    /// it did when the files were created.
    pub fn restrict_files(&self, staging: &Path) -> io::Result<()> {
        if self.default_acl.is_some() {
            return Ok(());
        }
        let allowed = self.mode & 0o666;
        for entry in fs::read_dir(staging)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            // A folder of ours (fhir/, omop/): the output folder's mode, and its files
            // restricted alike.
            if kind.is_dir()
                && super::names::our_folder(&entry.file_name().to_string_lossy()).is_some()
            {
                fs::set_permissions(entry.path(), fs::Permissions::from_mode(self.mode & 0o777))?;
                self.restrict_files(&entry.path())?;
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let mode = entry.metadata()?.permissions().mode() & 0o7777;
            if mode & !allowed != 0 {
                fs::set_permissions(entry.path(), fs::Permissions::from_mode(mode & allowed))?;
            }
        }
        Ok(())
    }

    /// Gives the staging folder the folder's mode and access ACL, just before it takes the
    /// folder's place.
    pub fn apply(&self, staging: &Path) -> io::Result<()> {
        fs::set_permissions(staging, fs::Permissions::from_mode(self.mode))?;
        if let Some(acl) = &self.access_acl {
            write_xattr(staging, ACCESS_ACL, acl)?;
        }
        Ok(())
    }
}

/// Whether `folder` is where a file system is mounted (a Docker volume, a mounted share,
/// a bind mount): it cannot be renamed or exchanged (EBUSY), and a folder beside it is on
/// another mount (EXDEV). Told by the mount ID (statx, Linux 5.8+), else by the device.
pub fn is_mount_point(folder: &Path) -> io::Result<bool> {
    let parent = match folder.parent() {
        Some(parent) => parent,
        None => return Ok(true),
    };
    let mount_id = |path: &Path| {
        rustix::fs::statx(
            rustix::fs::CWD,
            path,
            rustix::fs::AtFlags::empty(),
            rustix::fs::StatxFlags::MNT_ID,
        )
        .ok()
        .filter(|s| s.stx_mask & rustix::fs::StatxFlags::MNT_ID.bits() != 0)
        .map(|s| s.stx_mnt_id)
    };
    if let (Some(here), Some(above)) = (mount_id(folder), mount_id(parent)) {
        return Ok(here != above);
    }
    Ok(fs::metadata(folder)?.dev() != fs::metadata(parent)?.dev())
}

/// An extended attribute's value; None when absent or unsupported.
fn read_xattr(path: &Path, name: &str) -> Option<Vec<u8>> {
    let mut value = vec![0u8; ACL_MAX];
    let size = rustix::fs::getxattr(path, name, &mut value[..]).ok()?;
    value.truncate(size);
    Some(value)
}

fn write_xattr(path: &Path, name: &str, value: &[u8]) -> io::Result<()> {
    rustix::fs::setxattr(path, name, value, rustix::fs::XattrFlags::empty())
        .map_err(io::Error::from)
}
