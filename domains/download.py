"""Fetching a public data file once, with a message that helps when there is no network."""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

from bench.errors import UserError
from bench.log import logger


def fetch(url: str, destination: Path, flag_hint: str = "") -> Path:
    """Return ``destination``, downloading ``url`` there first if it is missing.

    The download goes to a temporary name and is renamed when complete, so an interrupted
    download never looks like a finished file.
    """
    if destination.exists():
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    logger.info("downloading %s to %s", url, destination)
    try:
        with urllib.request.urlopen(url, timeout=30) as response, tempfile.NamedTemporaryFile(
            dir=destination.parent, delete=False, suffix=".part"
        ) as tmp:
            shutil.copyfileobj(response, tmp)
        os.replace(tmp.name, destination)
    except OSError as error:  # URLError, timeouts and disk errors are all OSErrors
        if "tmp" in locals():
            Path(tmp.name).unlink(missing_ok=True)
        raise UserError(
            f"could not download {destination.name} from {url} ({error}). "
            f"Download it on a machine with network access and place it at {destination}"
            + (f", or {flag_hint}" if flag_hint else "")
            + "."
        ) from None
    return destination
