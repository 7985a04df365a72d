"""HTTP service: ``emoreason serve`` exposes the main job over a small FastAPI app."""

from emoreason.serve.app import ServeConfig, create_app

__all__ = ["ServeConfig", "create_app"]
