"""Fault trials for issue 10 (``make torture``; a fast subset runs in ``make test``).

``harness`` runs real ``recovery-desk`` subprocesses and judges the files they leave;
``trials`` holds the trials (kill -9 at random moments, the app beside the CLI, a lock held by
another process, a full disk, read-only files and folders, corrupted pages); ``standin`` is a
process that opens a workspace exactly as the desktop app does; ``__main__`` runs them all and
prints the table.
"""
