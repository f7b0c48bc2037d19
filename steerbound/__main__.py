import sys

from steerbound.cli import main

sys.exit(main())
