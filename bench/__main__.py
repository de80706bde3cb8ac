"""``python -m bench``: reader's benchmark suite (see bench/library_bench.py)."""

import sys

from bench.library_bench import main

if __name__ == "__main__":  # not when a spawned worker process imports it
    sys.exit(main())
