import sys

from imgqrcode.cli import main

sys.exit(main())
