"""Reading the files people hand to regflow (specs, scenarios, import files), safely.

One gate for every such file: only regular files are read (a device such as ``/dev/zero``, a
pipe or a folder would never end or make no sense), and only up to a size no real spec or
scenario comes near, so a wrong path costs a message, not all the memory.
"""

from __future__ import annotations

import os
import stat

from .errors import RegflowError

#: the largest spec or scenario file read (the shipped specs are about 60 kB)
MAX_FILE_BYTES = 8 * 1024 * 1024


class InputFileError(RegflowError):
    """A file that cannot be read as input; the message says why (the caller adds where)."""


def open_input(path: str | os.PathLike[str], max_bytes: int | None = MAX_FILE_BYTES):
    """A binary handle on the regular file at ``path``, checked before anything is read.

    ``max_bytes`` None: any size (for files read line by line, such as imports).
    """
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer before it is refused
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputFileError("file not found") from None
    except IsADirectoryError:
        raise InputFileError("is a directory, not a file") from None
    except OSError as err:
        raise InputFileError(f"cannot read file: {err.strerror or err}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputFileError("is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError("is not a regular file (a device, pipe or socket); "
                                 "give the path of a file")
        if max_bytes is not None and info.st_size > max_bytes:
            raise InputFileError(f"is {info.st_size:,} bytes, more than the {max_bytes:,} a "
                                 "spec or scenario may have; is this the right file?")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_input(path: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at ``path`` (at most ``max_bytes``)."""
    with open_input(path, max_bytes) as handle:
        data = handle.read(max_bytes + 1)  # a file that grew since it was checked
    if len(data) > max_bytes:
        raise InputFileError(f"is more than the {max_bytes:,} bytes a spec or scenario may have")
    return data
