"""The local history: a SQLite store of jobs and metrics, per server and workspace."""
