"""The longer API fuzz run: the suite's test (tests/hardening/test_api_fuzz.py) with more examples per operation.
Prints the operations, the examples, the statuses seen and the failures by check (none, or the reproductions).

    .venv/bin/python tools/api_fuzz.py --examples 50
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=50, help="examples per operation (default 50)")
    arguments = parser.parse_args()
    environment = {**os.environ, "API_FUZZ_EXAMPLES": str(arguments.examples)}
    command = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "tests/hardening/test_api_fuzz.py"]
    return subprocess.call(command, cwd=ROOT, env=environment)  # noqa: S603 - our own interpreter and test file


if __name__ == "__main__":
    raise SystemExit(main())
