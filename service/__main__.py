"""`python -m service ...`: see service.cli."""

import sys

from service.cli import main

# The guard matters: the NER worker process (service.nlp) is spawned, and re-imports this module.
if __name__ == "__main__":
    sys.exit(main())
