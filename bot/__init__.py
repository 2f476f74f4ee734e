"""话术向导 (Script Guide): the project package."""
