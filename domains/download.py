"""Fetching a public data file once, with a message that helps when there is no network."""

from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path

from bench.core.atomic import atomic_write
from bench.core.errors import UserError
from bench.core.log import logger


def fetch(url: str, destination: Path, flag_hint: str = "") -> Path:
    """Return ``destination``, downloading ``url`` there first if it is missing.

    The download goes to a temporary name and is renamed when complete, so an interrupted
    download never looks like a finished file.
    """
    if destination.exists():
        return destination
    logger.info("downloading %s to %s", url, destination)
    try:
        with urllib.request.urlopen(url, timeout=30) as response, atomic_write(destination) as file:
            shutil.copyfileobj(response, file)
    except OSError as error:  # URLError, timeouts and disk errors are all OSErrors
        raise UserError(
            f"could not download {destination.name} from {url} ({error}). "
            f"Download it on a machine with network access and place it at {destination}"
            + (f", or {flag_hint}" if flag_hint else "")
            + "."
        ) from None
    return destination
