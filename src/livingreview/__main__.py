import sys

from livingreview.cli import main

sys.exit(main())
