"""How many threads ml's numpy work may use.

numpy releases the GIL in its sorts, gathers, group-bys and arithmetic, so independent pieces of one array's work
(columns, blocks of rows, candidate models) run on Python threads side by side. Capped at four: the work is memory
bound, and the app's workers share their machine.
"""

import os

THREADS = min(4, os.cpu_count() or 1)
