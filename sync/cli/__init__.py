"""The ``costbridge`` command line (typer): ``main.app`` and its sub-apps."""
