"""Plugin plumbing shared by the GUI and the tasks: logging, settings, optional dependencies."""
