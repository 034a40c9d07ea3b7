"""`python -m refseqtracks` runs the command-line interface."""
import sys

from refseqtracks.cli import main

sys.exit(main())
