"""The ``emoreason`` command line (typer + rich). Each command module exposes ``register(app)``."""
