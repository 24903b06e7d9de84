"""``python -m astara`` runs the command line."""

from astara.cli import main

main()
