"""HTTP service: ``emoreason serve`` - a page for people at ``/`` and a small JSON API."""

from emoreason.serve.app import create_app
from emoreason.serve.config import ServeConfig, exposure_warning, is_loopback

__all__ = ["ServeConfig", "create_app", "exposure_warning", "is_loopback"]
