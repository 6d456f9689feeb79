"""Screens of the app: the main screen (job list and detail), help, confirmation."""
