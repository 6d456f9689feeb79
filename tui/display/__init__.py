"""Display text: the one boundary where server text becomes screen text, and value formatters.

Shared by the app and the headless commands; no Textual, no rich.
"""
