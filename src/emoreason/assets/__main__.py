"""``python -m emoreason.assets``: build every derived model folder (used by ``make install``)."""

from emoreason.cli.assets import prepare_command

if __name__ == "__main__":
    prepare_command()
