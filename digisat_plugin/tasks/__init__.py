"""QgsTask wrappers around the core functions the CLI calls (search, fetch, super-resolve).

Work runs in `run()` on a worker thread and only writes files; layers and widgets are touched
by the receivers of the signals emitted from `finished()`, on the main thread.
"""
