"""``python -m bench``: the suite on SQLite and PostgreSQL side by side (bench/run_all.py)."""

from bench.run_all import main

raise SystemExit(main())
