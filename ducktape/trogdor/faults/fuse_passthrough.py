"""A FUSE pass-through over a directory whose reads of some files fail with an errno.

Mounted on the directory itself: the directory is opened before the mount, and every
operation works relative to that descriptor, so it reaches the files underneath. Reads of
a file whose path below the mount point (``/a/b.log``) starts with the prefix fail with the
errno; everything else passes through. Copied to a node and run there by the agent (not
imported by it), with a python3 that has Debian's ``python3-fusepy`` (on libfuse2).

    python3 fuse_passthrough.py --mount /data --prefix /abc --errno 5 --name TAG --pidfile F
"""
from __future__ import annotations

import argparse
import errno
import os
import sys

try:
    import fusepy as fuse  # Debian's python3-fusepy
except ImportError:
    import fuse  # the same module under PyPI's name


class Passthrough(fuse.Operations):
    def __init__(self, root_fd: int, prefix: str, error_code: int):
        self.root = root_fd
        self.prefix = prefix if prefix.startswith("/") else "/" + prefix
        self.error_code = error_code

    def _rel(self, path: str) -> str:
        return path.lstrip("/") or "."

    def _unreadable(self, path: str) -> bool:
        return path.startswith(self.prefix)

    # metadata
    def getattr(self, path, fh=None):
        st = os.stat(fh, follow_symlinks=False) if fh is not None else \
            os.stat(self._rel(path), dir_fd=self.root, follow_symlinks=False)
        return {k: getattr(st, k) for k in ("st_mode", "st_nlink", "st_uid", "st_gid", "st_size", "st_atime",
                                            "st_mtime", "st_ctime", "st_ino", "st_blocks")}

    def readdir(self, path, fh):
        fd = os.open(self._rel(path), os.O_RDONLY | os.O_DIRECTORY, dir_fd=self.root)
        try:
            return [".", "..", *os.listdir(fd)]
        finally:
            os.close(fd)

    def access(self, path, mode):
        if not os.access(self._rel(path), mode, dir_fd=self.root):
            raise fuse.FuseOSError(errno.EACCES)

    def readlink(self, path):
        return os.readlink(self._rel(path), dir_fd=self.root)

    def statfs(self, path):
        st = os.fstatvfs(self.root)
        return {k: getattr(st, k) for k in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree",
                                            "f_files", "f_flag", "f_frsize", "f_namemax")}

    def chmod(self, path, mode):
        os.chmod(self._rel(path), mode, dir_fd=self.root)

    def chown(self, path, uid, gid):
        os.chown(self._rel(path), uid, gid, dir_fd=self.root, follow_symlinks=False)

    def utimens(self, path, times=None):
        os.utime(self._rel(path), times, dir_fd=self.root, follow_symlinks=False)

    # names
    def mkdir(self, path, mode):
        os.mkdir(self._rel(path), mode, dir_fd=self.root)

    def rmdir(self, path):
        os.rmdir(self._rel(path), dir_fd=self.root)

    def unlink(self, path):
        os.unlink(self._rel(path), dir_fd=self.root)

    def rename(self, old, new):
        os.rename(self._rel(old), self._rel(new), src_dir_fd=self.root, dst_dir_fd=self.root)

    def symlink(self, target, source):
        os.symlink(source, self._rel(target), dir_fd=self.root)

    def link(self, target, source):
        os.link(self._rel(source), self._rel(target), src_dir_fd=self.root, dst_dir_fd=self.root)

    # contents
    def open(self, path, flags):
        return os.open(self._rel(path), flags, dir_fd=self.root)

    def create(self, path, mode, fi=None):
        return os.open(self._rel(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode, dir_fd=self.root)

    def read(self, path, size, offset, fh):
        if self._unreadable(path):
            raise fuse.FuseOSError(self.error_code)
        return os.pread(fh, size, offset)

    def write(self, path, data, offset, fh):
        return os.pwrite(fh, data, offset)

    def truncate(self, path, length, fh=None):
        if fh is not None:
            os.ftruncate(fh, length)
            return
        fd = os.open(self._rel(path), os.O_WRONLY, dir_fd=self.root)
        try:
            os.ftruncate(fd, length)
        finally:
            os.close(fd)

    def flush(self, path, fh):
        return 0

    def fsync(self, path, datasync, fh):
        os.fsync(fh)

    def release(self, path, fh):
        os.close(fh)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mount", required=True)
    parser.add_argument("--prefix", default="")
    parser.add_argument("--errno", type=int, required=True)
    parser.add_argument("--name", required=True, help="the file system's name in /proc/mounts")
    parser.add_argument("--pidfile", required=True)
    args = parser.parse_args(argv)
    root = os.open(args.mount, os.O_RDONLY | os.O_DIRECTORY)  # before the mount hides it
    with open(args.pidfile, "w", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    # direct_io: every read reaches us (no page cache); nonempty: mount over a used directory
    fuse.FUSE(Passthrough(root, args.prefix, args.errno), args.mount, foreground=True, allow_other=True,
              fsname=args.name, direct_io=True, nonempty=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
