"""News page parsing, quote attribution and constrained seq2seq bullet summaries."""

import os

# torch's OpenMP threads spin while they wait for work: on a busy machine (the NER worker, uvicorn, other
# processes) each small network call then waits for a time slice, and the quotes stage ran 100 times
# slower (the seed page: 8.6 s against 0.09 s). Passive waiting costs nothing measurable when the machine
# is idle. It must be set before torch loads its OpenMP runtime, hence here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
