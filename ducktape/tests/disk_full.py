"""Noticing that the results root ran out of space, and saying so once.

A full disk shows up everywhere at once: the test logs, each test's report.json, report.txt
after every test, every session report. None of those is a failure of a test, and a line
(or a traceback) per write would bury the one thing to do: free space. The writers contain
their errors; the driver hands them to ``DiskFull.check``, which logs one line the first
time one of them is "no space left" and remembers it, so the session exits non-zero.

So that the session reports can still be written on a disk the tests filled, the session
keeps a small reserve file in its directory while the tests run and deletes it just before
writing them.
"""
from __future__ import annotations

import errno
import logging
import os
from collections.abc import Iterable

NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
RESERVE_FILE = ".space-reserve"
RESERVE_BYTES = 4 << 20  # at most; never more than a tenth of the free space


def is_no_space(err: BaseException | None) -> bool:
    """True when *err* (or an error it was raised from) is ENOSPC or EDQUOT."""
    seen = 0
    while err is not None and seen < 8:
        if isinstance(err, OSError) and err.errno in NO_SPACE_ERRNOS:
            return True
        err = err.__cause__ or err.__context__
        seen += 1
    return False


class DiskFull:
    """Remembers whether a write under *results_root* failed for lack of space."""

    def __init__(self, results_root: str, logger: logging.Logger) -> None:
        self.results_root = results_root
        self.session_dir = ""
        self.logger = logger
        self.hit = False

    def check(self, errors: Iterable[BaseException | None]) -> bool:
        """Look at *errors*; on the first "no space left", log it once. True when any was one."""
        found = False
        for err in errors:
            if not is_no_space(err):
                continue
            found = True
            if not self.hit:
                self.hit = True
                rebuild = f"; then `ducktape-report rebuild {self.session_dir}`" if self.session_dir else ""
                self.logger.error(f"no space left on the results root {self.results_root}: results written so far "
                                  f"are kept, later ones and the session reports may be missing (free space{rebuild})")
        return found

    def reserve(self, max_bytes: int = RESERVE_BYTES) -> None:
        """Set aside room for the session reports in the session directory (best effort)."""
        path = os.path.join(self.session_dir, RESERVE_FILE)
        try:
            stat = os.statvfs(self.session_dir)
            size = min(max_bytes, stat.f_bavail * stat.f_frsize // 10)
            if size <= 0:
                return
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.posix_fallocate(fd, 0, size)
            finally:
                os.close(fd)
        except (OSError, AttributeError):  # no fallocate here, or no room even for that
            self.release()

    def release(self) -> None:
        """Give the reserved room back (before writing the session reports)."""
        try:
            os.unlink(os.path.join(self.session_dir, RESERVE_FILE))
        except OSError:
            pass
