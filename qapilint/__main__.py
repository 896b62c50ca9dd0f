import sys

from qapilint.cli import main

sys.exit(main())
