"""A file cache that the web processes of one machine share, with an atomic `add()`.

Used for memories that must hold across processes even without Redis, such as "this guest
challenge has been answered" (`CACHES["challenges"]` when CACHE_URL is empty): Django's
local-memory cache is per process, so with several gunicorn workers each would accept the
same challenge once, and Django's file cache checks and then writes, so two processes adding
the same key at once could both succeed.
"""

import os
import tempfile

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


class SharedFileCache(FileBasedCache):
    """`add()` links a fully written file into place (`os.link` fails if the name exists), so
    exactly one of several processes adding one key succeeds. Culling only removes expired
    entries: a live entry is never forgotten to make room (OPTIONS MAX_ENTRIES is when culling
    starts, not a cap)."""

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._createdir()
        fname = self._key_to_file(key, version)
        self._cull()
        fd, tmp_path = tempfile.mkstemp(dir=self._dir)
        try:
            with open(fd, "wb") as f:
                self._write_content(f, timeout, value)
            for _attempt in range(2):
                try:
                    os.link(tmp_path, fname)
                    return True
                except FileExistsError:
                    # has_key() removes the file if it has expired; then try once more.
                    if self.has_key(key, version):
                        return False
            return False
        finally:
            os.remove(tmp_path)

    def _cull(self):
        files = self._list_cache_files()
        if len(files) < self._max_entries:
            return
        for fname in files:
            try:
                with open(fname, "rb") as f:
                    self._is_expired(f)  # deletes the file when it has expired
            except FileNotFoundError:  # removed by another process meanwhile
                continue
