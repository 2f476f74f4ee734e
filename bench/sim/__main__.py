"""`python -m bench.sim` (`make sim`): play every persona against the real servers and score the calls."""

from bench.sim.run import main

raise SystemExit(main())
